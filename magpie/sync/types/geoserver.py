"""GeoServer's REST API: workspaces, then the layers of each."""
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from magpie.sync.remote.http import HttpClient, RemoteError, Unavailable, json_type
from magpie.sync.types.base import SyncServiceInterface


def _as_list(value, url: str, field: str) -> list:
    """GeoServer writes an empty collection as ``""`` and a single member as an object; anything
    else that is not a list is an error naming the field (an empty tree would delete everything)."""
    if value == "":
        return []
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise RemoteError(url, f"{field} must be an array, an object or \"\", got {json_type(value)}")
    return value


class SyncGeoserverAPI(SyncServiceInterface):
    """GeoServer REST API (service URL ends in ``/rest``): workspace > layer."""

    sync_type = "geoserver-api"
    max_depth = 2

    def _members(self, http: HttpClient, url: str, outer: str, inner: str) -> list:
        final_url, document = http.get_json(url)
        if not isinstance(document, dict) or outer not in document:
            raise RemoteError(final_url, f"expected a JSON object with {outer!r}")
        container = document[outer]
        if isinstance(container, dict):
            members = _as_list(container.get(inner, ""), final_url, f"{outer}.{inner}")
        else:
            members = _as_list(container, final_url, outer)
        names = []
        for index, member in enumerate(members):
            name = member.get("name") if isinstance(member, dict) else None
            if not isinstance(name, str) or not name:
                raise RemoteError(final_url, f"{outer}.{inner}[{index}].name must be a non-empty string, "
                                             f"got {json_type(name)}")
            names.append(name)
        return names

    def get_children(self, http: HttpClient) -> dict:
        """Workspaces, then the layers of each, fetched by the service's bounded pool: a GeoServer
        with hundreds of workspaces answers one request per workspace."""
        base = self.url.rstrip("/")
        tree = self.new_tree()
        workspaces = self._members(http, f"{base}/workspaces", "workspaces", "workspace")
        for workspace in workspaces:
            tree.add((workspace,), "workspace")

        def layers_of(workspace: str) -> list:
            try:
                return self._members(http, f"{base}/workspaces/{quote(workspace, safe='')}/layers",
                                     "layers", "layer")
            except Unavailable as exc:  # this workspace's layers are kept, unverified (a bad document fails)
                self.not_read((workspace,), f"layers of workspace {workspace!r} not read: {exc}")
                return []

        with ThreadPoolExecutor(max_workers=max(http.limits.pool_size, 1), thread_name_prefix="geoserver") as pool:
            for workspace, layers in zip(workspaces, pool.map(layers_of, workspaces)):
                prefix = workspace + ":"
                for layer in layers:
                    tree.add((workspace, layer[len(prefix):] if layer.startswith(prefix) else layer), "layer")
        return tree.children
