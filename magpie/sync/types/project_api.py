"""Project APIs: one route per project that ``GET {url}/Projects`` lists."""
from magpie.sync.remote.http import HttpClient, RemoteError
from magpie.sync.types.base import SyncServiceInterface


class SyncProjectAPI(SyncServiceInterface):
    """A project API: ``GET {url}/Projects`` answers ``[{"id": ..., "name": ...}, ...]``."""

    sync_type = "project-api"
    max_depth = 1

    def get_children(self, http: HttpClient) -> dict:
        final_url, projects = http.get_json(self.url.rstrip("/") + "/Projects")
        if not isinstance(projects, list):
            raise RemoteError(final_url, "expected a JSON list of projects")
        tree = self.new_tree()
        for project in projects:
            if not isinstance(project, dict) or project.get("id") in (None, ""):
                raise RemoteError(final_url, f"project without an id: {project!r}"[:300])
            tree.add((str(project["id"]),), "route", str(project.get("name") or ""))
        return tree.children
