"""OGC services read from one GetCapabilities document: WPS processes, WMS layers, WFS feature
types."""
import abc

from magpie.models import NAME_LENGTH
from magpie.sync.remote.http import HttpClient, RemoteError
from magpie.sync.types.base import SyncServiceInterface
from magpie.sync.types.ows_capabilities import (
    capabilities_url, parse_wfs_feature_types, parse_wms_layers, parse_wps_processes, split_workspace,
)


class SyncOwsCapabilities(SyncServiceInterface):
    """Base of the OGC services read from one GetCapabilities document (``wps``, ``wms``, ``wfs``).

    The request is ``{url}?service=X&request=GetCapabilities``; other query parameters of the
    service URL are kept. Subclasses name the ``ows_service``, the parser and how a name becomes
    a path.
    """

    ows_service = ""
    resource_type = ""
    #: Whether ``ws:name`` becomes ``workspace ws > resource name`` (GeoServer's prefix).
    split_workspace = False

    @abc.abstractmethod
    def parse(self, chunks, url: str) -> list:
        """``[(name, title), ...]`` of the capabilities body ``chunks`` read from ``url``."""

    def get_children(self, http: HttpClient) -> dict:
        url = capabilities_url(self.url, self.ows_service)
        final_url, chunks, content_type = http.stream(url, "application/xml, text/xml;q=0.9, */*;q=0.1")
        if content_type.split(";")[0].strip().lower() == "text/html":
            for _ in chunks:  # drain so the connection returns to the pool
                pass
            raise RemoteError(final_url,
                              f"expected a {self.ows_service} Capabilities XML document, got an HTML page")
        tree = self.new_tree()
        for name, title in self.parse(chunks, final_url):
            path = split_workspace(name) if self.split_workspace else (name,)
            if any(len(part) > NAME_LENGTH for part in path):
                self.problems.append(f"skipped a name longer than {NAME_LENGTH} characters: {name[:80]}...")
                continue
            if len(path) > 1:
                tree.add(path[:1], "workspace")  # typed before the layer creates it as a directory
            tree.add(path, self.resource_type, title[:NAME_LENGTH])
        return tree.children


class SyncWPS(SyncOwsCapabilities):
    """Web Processing Service 1.0.0 / 2.0 (and CEDA's pre-1.0 namespace): one ``process`` per
    identifier, titled by its title. Identifiers are kept whole, URIs with ``/`` included."""

    sync_type = "wps"
    max_depth = 1
    ows_service = "WPS"
    resource_type = "process"

    def parse(self, chunks, url: str) -> list:
        return parse_wps_processes(chunks, url)


class SyncWMS(SyncOwsCapabilities):
    """Web Map Service 1.1.1 / 1.3.0: one ``layer`` per named layer at any nesting depth,
    ``ws:name`` split into ``workspace`` > ``layer``."""

    sync_type = "wms"
    max_depth = 2
    ows_service = "WMS"
    resource_type = "layer"
    split_workspace = True

    def parse(self, chunks, url: str) -> list:
        return parse_wms_layers(chunks, url)


class SyncWFS(SyncOwsCapabilities):
    """Web Feature Service 1.0.0 / 1.1.0 / 2.0.0: one ``layer`` per feature type name,
    ``ws:name`` split into ``workspace`` > ``layer``."""

    sync_type = "wfs"
    max_depth = 2
    ows_service = "WFS"
    resource_type = "layer"
    split_workspace = True

    def parse(self, chunks, url: str) -> list:
        return parse_wfs_feature_types(chunks, url)
