"""Sync types: how to read what one kind of remote service exposes, as a resource tree.

A sync type is a :class:`SyncServiceInterface` subclass with a ``sync_type`` name, a ``max_depth``
and ``get_resources()``. :data:`SYNC_SERVICES_TYPES` maps names to classes, including third-party
classes published under the entry point group ``magpie.sync_services``.
"""
import abc
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import entry_points
from typing import Iterator, Mapping, Optional, Type
from urllib.parse import quote, urljoin

from magpie.helpers.gc_pause import gc_paused
from magpie.helpers.http import HttpClient, HttpLimits, RemoteError, origin_of
from magpie.helpers.ows_capabilities import (
    capabilities_url, parse_wfs_feature_types, parse_wms_layers, parse_wps_processes, split_workspace,
)
from magpie.helpers.remote_tree import RemoteTree
from magpie.helpers.stac import DEFAULT_MAX_PAGES, collections_url, list_collections
from magpie.helpers.thredds import ThreddsCrawler
from magpie.models import NAME_LENGTH

LOGGER = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "magpie.sync_services"

#: Limits a service's ``configuration`` may override.
DEFAULT_MAX_NODES = 1_000_000
DEFAULT_TIME_BUDGET = 600.0


class SyncServiceInterface(abc.ABC):
    """Reads the remote tree of one service.

    ``configuration`` is the service's JSON configuration: ``max_depth`` overrides the class depth;
    ``timeout`` (seconds per request), ``max_bytes`` (per document), ``max_nodes``,
    ``time_budget`` (seconds per sync), ``pool_size``, ``retries``, ``retry_backoff`` (seconds)
    and ``allowed_origins`` (extra ``scheme://host[:port]`` the crawl may follow) bound the crawl.
    """

    sync_type: str = ""
    #: Depth below the service node that a sync looks at; None: the whole tree.
    max_depth: Optional[int] = None

    def __init__(self, service_name: str, url: str, configuration: Optional[Mapping] = None):
        self.service_name = service_name
        self.url = url
        self.configuration = dict(configuration or {})
        if "max_depth" in self.configuration:
            depth = self.configuration["max_depth"]
            self.max_depth = None if depth is None else int(depth)
        self.problems: list = []

    @classmethod
    def effective_max_depth(cls, configuration: Optional[Mapping] = None) -> Optional[int]:
        """The depth a service with this configuration is synced to."""
        if configuration and "max_depth" in configuration:
            depth = configuration["max_depth"]
            return None if depth is None else int(depth)
        return cls.max_depth

    def _limit(self, name: str, default, kind=float):
        value = self.configuration.get(name, default)
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"service {self.service_name!r}: configuration {name!r} must be a number") from None

    def http_client(self) -> HttpClient:
        """One pooled HTTP session for the whole sync, bounded by the service's configuration."""
        limits = HttpLimits(
            timeout=self._limit("timeout", 30.0),
            max_bytes=self._limit("max_bytes", 64 * 1024 * 1024, int),
            pool_size=self._limit("pool_size", 8, int),
            retries=self._limit("retries", 2, int),
            backoff=self._limit("retry_backoff", 0.5),
        )
        origins = {origin_of(self.url)} | {origin_of(o) for o in self.configuration.get("allowed_origins", [])}
        budget = self._limit("time_budget", DEFAULT_TIME_BUDGET)
        return HttpClient(allowed_origins=origins, limits=limits, deadline=time.monotonic() + budget)

    def new_tree(self) -> RemoteTree:
        return RemoteTree(self.max_depth, self._limit("max_nodes", DEFAULT_MAX_NODES, int))

    def service_tree(self, children: dict) -> dict:
        """Wrap the service's children under its main node, the shape every sync type returns."""
        return {self.service_name: {"children": children, "resource_type": "service",
                                    "resource_display_name": self.service_name}}

    def get_resources(self) -> dict:
        """The remote tree ``{service_name: {"children": {...}, ...}}``; raises
        :class:`~magpie.helpers.http.RemoteError` when the service cannot be read."""
        with self.http_client() as http, gc_paused():
            return self.service_tree(self.get_children(http))

    @abc.abstractmethod
    def get_children(self, http: HttpClient) -> dict:
        """The children of the service node, read with ``http``."""


class SyncThredds(SyncServiceInterface):
    """THREDDS Data Server: ``catalog.xml`` and the catalogs it references.

    ``configuration["start_catalog"]`` (default ``catalog.xml``) is relative to the service URL.
    """

    sync_type = "thredds"
    max_depth = 3

    def get_children(self, http: HttpClient) -> dict:
        base = self.url.rstrip("/") + "/"
        start = urljoin(base, self.configuration.get("start_catalog", "catalog.xml"))
        crawler = ThreddsCrawler(http=http, base_url=base, max_depth=self.max_depth,
                                 max_nodes=self._limit("max_nodes", DEFAULT_MAX_NODES, int),
                                 pool_size=self._limit("pool_size", 8, int))
        children, _ = crawler.crawl(start)
        self.problems.extend(crawler.problems)
        return children


def _as_list(value) -> list:
    """GeoServer writes an empty collection as ``""`` and a single member as an object."""
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


class SyncGeoserverAPI(SyncServiceInterface):
    """GeoServer REST API (service URL ends in ``/rest``): workspace > layer."""

    sync_type = "geoserver-api"
    max_depth = 2

    def _members(self, http: HttpClient, url: str, outer: str, inner: str) -> list:
        final_url, document = http.get_json(url)
        if not isinstance(document, dict) or outer not in document:
            raise RemoteError(final_url, f"expected a JSON object with {outer!r}")
        container = document[outer]
        members = _as_list(container.get(inner) if isinstance(container, dict) else container)
        names = []
        for member in members:
            name = member.get("name") if isinstance(member, dict) else None
            if not isinstance(name, str) or not name:
                raise RemoteError(final_url, f"{inner} without a name: {member!r}"[:300])
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
            return self._members(http, f"{base}/workspaces/{quote(workspace, safe='')}/layers", "layers", "layer")

        with ThreadPoolExecutor(max_workers=max(http.limits.pool_size, 1), thread_name_prefix="geoserver") as pool:
            for workspace, layers in zip(workspaces, pool.map(layers_of, workspaces)):
                prefix = workspace + ":"
                for layer in layers:
                    tree.add((workspace, layer[len(prefix):] if layer.startswith(prefix) else layer), "layer")
        return tree.children


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


class SyncSTAC(SyncServiceInterface):
    """STAC API: one ``collection`` per id listed by ``{url}/collections`` and its ``rel=next``
    pages, titled by the collection title. ``configuration["max_pages"]`` bounds the paging."""

    sync_type = "stac"
    max_depth = 1

    def get_children(self, http: HttpClient) -> dict:
        entries = list_collections(http, collections_url(self.url), self.problems,
                                   max_pages=self._limit("max_pages", DEFAULT_MAX_PAGES, int))
        tree = self.new_tree()
        for identifier, title in entries:
            if len(identifier) > NAME_LENGTH:
                self.problems.append(f"skipped a collection id longer than {NAME_LENGTH} characters: "
                                     f"{identifier[:80]}...")
                continue
            tree.add((identifier,), "collection", title[:NAME_LENGTH])
        return tree.children


BUILTIN_SYNC_TYPES = (SyncThredds, SyncGeoserverAPI, SyncProjectAPI, SyncWPS, SyncWMS, SyncWFS, SyncSTAC)


class SyncTypeRegistry(Mapping):
    """Read-only mapping of sync type names to classes: built-ins, then entry points (loaded once).

    Looking up a name that does not exist raises ``KeyError`` and never adds it.
    """

    def __init__(self, builtins=BUILTIN_SYNC_TYPES, group: str = ENTRY_POINT_GROUP):
        self._types = {cls.sync_type: cls for cls in builtins}
        self._group = group
        self._loaded = False

    def _load_entry_points(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for entry_point in entry_points(group=self._group):
            try:
                cls = entry_point.load()
            except Exception:  # a broken plugin must not take the built-in types down with it
                LOGGER.exception("cannot load sync type %r from %s", entry_point.name, entry_point.value)
                continue
            if not (isinstance(cls, type) and issubclass(cls, SyncServiceInterface)):
                LOGGER.error("entry point %r is not a SyncServiceInterface subclass", entry_point.name)
                continue
            self._types.setdefault(entry_point.name, cls)

    def __getitem__(self, name: str) -> Type[SyncServiceInterface]:
        self._load_entry_points()
        return self._types[name]

    def __iter__(self) -> Iterator[str]:
        self._load_entry_points()
        return iter(dict(self._types))

    def __len__(self) -> int:
        self._load_entry_points()
        return len(self._types)

    def register(self, cls: Type[SyncServiceInterface]) -> None:
        """Add a sync type at run time (tests, embedding applications)."""
        self._types[cls.sync_type] = cls


SYNC_SERVICES_TYPES = SyncTypeRegistry()


def get_sync_type(name: str) -> Type[SyncServiceInterface]:
    """The class for ``name``, or ValueError listing the known names."""
    try:
        return SYNC_SERVICES_TYPES[name]
    except KeyError:
        raise ValueError(f"unknown sync type {name!r}; known: {', '.join(sorted(SYNC_SERVICES_TYPES))}") from None


def is_valid_resource_schema(resources) -> bool:
    """True when every node at every depth is a dict with a dict ``children``, keyed by strings.

    Iterative, so a hostile deeply nested document cannot exhaust the stack.
    """
    if not isinstance(resources, dict):
        return False
    stack = [resources]
    while stack:
        level = stack.pop()
        for name, node in level.items():
            if not isinstance(name, str) or not isinstance(node, dict):
                return False
            children = node.get("children")
            if not isinstance(children, dict):
                return False
            if children:
                stack.append(children)
    return True
