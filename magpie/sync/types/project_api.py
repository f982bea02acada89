"""Project APIs: one route per project that ``GET {url}/Projects`` lists."""
from magpie.sync.remote.http import HttpClient, RemoteError, json_type
from magpie.sync.types.base import SyncServiceInterface


class SyncProjectAPI(SyncServiceInterface):
    """A project API: ``GET {url}/Projects`` answers ``[{"id": ..., "name": ...}, ...]``."""

    sync_type = "project-api"
    max_depth = 1

    def get_children(self, http: HttpClient) -> dict:
        final_url, projects = http.get_json(self.url.rstrip("/") + "/Projects")
        if not isinstance(projects, list):
            raise RemoteError(final_url, f"expected a JSON array of projects, got {json_type(projects)}")
        tree = self.new_tree()
        for index, project in enumerate(projects):
            if not isinstance(project, dict):
                raise RemoteError(final_url, f"[{index}] must be an object, got {json_type(project)}")
            identifier, name = project.get("id"), project.get("name")
            # An id is a string, or an integer spelled the one way a local route name would be.
            if isinstance(identifier, bool) or not isinstance(identifier, (str, int)) or identifier == "":
                raise RemoteError(final_url, f"[{index}].id must be a non-empty string or an integer, "
                                             f"got {json_type(identifier)}")
            if name is not None and not isinstance(name, str):
                raise RemoteError(final_url, f"[{index}].name must be a string, got {json_type(name)}")
            tree.add((str(identifier),), "route", name or "")
        return tree.children
