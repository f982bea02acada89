"""THREDDS catalog crawler: turns a server's ``catalog.xml`` tree into Magpie resource names.

Written here rather than taken from threddsclient, which ignores HTTP status codes, has no size,
depth or time limits and builds whole DOMs. This parser streams each catalog with a hardened
parser, reads each catalog once, and fetches catalogs in a bounded thread pool.

Naming: a node's path is the URL path of the thing after the service's base path and the THREDDS
access prefix (``catalog``, ``fileServer``, ``dodsC`` ...), the same names Magpie gives local
resources for the same URLs. A dataset is placed by its ``urlPath`` (not by the catalog that lists
it), a ``catalogRef`` by the path of the catalog it points to, ``catalog.xml`` naming the
directory itself.
"""
import logging
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from magpie.gc_pause import gc_paused
from magpie.sync.remote.http import BudgetExceeded, HttpClient, RemoteError
from magpie.sync.tree import NodeLimitExceeded, Path, RemoteTree
from magpie.sync.remote.safe_xml import parse_with_handlers
from magpie.sync.types.base import SyncServiceInterface

LOGGER = logging.getLogger(__name__)

THREDDS_NAMESPACES = (
    "http://www.unidata.ucar.edu/namespaces/thredds/InvCatalog/v1.0",
    "http://www.unidata.ucar.edu/thredds",  # InvCatalog 0.6
)
XLINK = "{http://www.w3.org/1999/xlink}"

#: First path segment that says how a THREDDS URL is served; not part of resource names.
ACCESS_PREFIXES = frozenset({
    "catalog", "fileServer", "dodsC", "dap4", "ncss", "ncssGrid", "ncssPoint", "wms", "wcs",
    "iso", "ncml", "uddc", "remoteCatalogService", "cdmremote", "cdmrfeature", "godiva2",
    "opendap",
})
CATALOG_FILE_NAMES = frozenset({"catalog.xml", "catalog.html"})


@dataclass
class CatalogContent:
    """What one catalog says: files by urlPath, and references to other catalogs."""

    files: List[Tuple[str, str]] = field(default_factory=list)  # (urlPath, title)
    refs: List[Tuple[str, str]] = field(default_factory=list)  # (absolute URL, title)
    scans: List[Tuple[str, str]] = field(default_factory=list)  # (datasetScan path, title)


def xml_twin(url: str) -> str:
    """``.../catalog.html`` -> ``.../catalog.xml``: the HTML page of a catalog has an XML twin."""
    url, _ = urldefrag(url)
    path_end = url.split("?", 1)[0]
    if path_end.endswith(".html"):
        return url[: len(path_end) - len(".html")] + ".xml" + url[len(path_end):]
    return url


def _tags(local: str) -> frozenset:
    """The names expat gives ``local`` in each THREDDS namespace, and without one."""
    return frozenset([f"{namespace}}}{local}" for namespace in THREDDS_NAMESPACES] + [local])


_CATALOG_TAGS = _tags("catalog")
_DATASET_TAGS, _ACCESS_TAGS = _tags("dataset"), _tags("access")
_CATALOG_REF_TAGS, _DATASET_SCAN_TAGS = _tags("catalogRef"), _tags("datasetScan")
_XLINK_HREF, _XLINK_TITLE = XLINK[1:] + "href", XLINK[1:] + "title"


def parse_catalog(chunks, url: str, max_entries: Optional[int] = None) -> CatalogContent:
    """Read one catalog body. ``url`` is the address after redirects: relative hrefs resolve
    against it. Raises :class:`RemoteError` for anything that is not a THREDDS catalog, and
    :class:`NodeLimitExceeded` as soon as it lists more than ``max_entries`` datasets and refs.

    Streams with expat callbacks and keeps only what it extracts, so a catalog of any size costs
    the memory of its datasets' names, and no more of them than the sync may keep.
    """
    content = CatalogContent()
    limit = max_entries if max_entries is not None else float("inf")

    def count() -> None:
        if len(files) + len(content.refs) + len(content.scans) > limit:
            raise NodeLimitExceeded(url, f"more than {max_entries} remote nodes")
    files = content.files
    datasets: List[list] = []  # open <dataset> elements: [title, urlPath]
    root = []

    def start(tag: str, attributes: Dict[str, str]) -> None:
        if tag in _DATASET_TAGS:
            datasets.append([attributes.get("name", ""), attributes.get("urlPath")])
        elif not root:
            root.append(tag)
            if tag not in _CATALOG_TAGS:
                raise RemoteError(url, f"not a THREDDS catalog (root element {tag!r})")
        elif tag in _ACCESS_TAGS:
            if datasets and not datasets[-1][1]:
                datasets[-1][1] = attributes.get("urlPath")
        elif tag in _CATALOG_REF_TAGS:
            href = attributes.get(_XLINK_HREF) or attributes.get("href")
            if href:
                title = attributes.get(_XLINK_TITLE) or attributes.get("name") or ""
                content.refs.append((xml_twin(urljoin(url, href.strip())), title))
                count()
        elif tag in _DATASET_SCAN_TAGS and attributes.get("path"):
            content.scans.append((attributes["path"], attributes.get("name", "")))
            count()

    def end(tag: str) -> None:
        if tag in _DATASET_TAGS:
            title, url_path = datasets.pop()
            if url_path:
                files.append((url_path, title))
                count()

    parse_with_handlers(chunks, url, start, end)
    if not root:
        raise RemoteError(url, "empty document")
    return content


@dataclass
class ThreddsCrawler:
    """Crawls one THREDDS service. ``base_url`` is the service URL (``https://host/thredds``)."""

    http: HttpClient
    base_url: str
    max_depth: Optional[int] = 3
    max_nodes: int = 1_000_000
    pool_size: int = 8
    problems: List[str] = field(default_factory=list)
    #: Catalogs that could not be read: the names of the directory each stands for -> why.
    unread: Dict[Path, str] = field(default_factory=dict)

    def __post_init__(self):
        self.base_path = urlsplit(self.base_url).path.rstrip("/") + "/"

    def names_for_path(self, url_path: str) -> Optional[Path]:
        """Resource names for a URL path on the server, or None when it is outside the service."""
        url_path = unquote(url_path)
        if not url_path.startswith(self.base_path):
            return None
        segments = [s for s in url_path[len(self.base_path):].split("/") if s]
        if segments and segments[0] in ACCESS_PREFIXES:
            segments = segments[1:]
        if segments and segments[-1] in CATALOG_FILE_NAMES:
            segments = segments[:-1]
        return tuple(segments)

    def names_for_url(self, url: str) -> Optional[Path]:
        return self.names_for_path(urlsplit(url).path)

    @staticmethod
    def names_for_url_path(url_path: str) -> Path:
        """A dataset ``urlPath`` is relative to the access prefix of its service. (Called once per
        dataset: the common case of a clean path takes the short way.)"""
        if "%" in url_path:
            url_path = unquote(url_path)
        if "?" in url_path:
            url_path = url_path.split("?", 1)[0]
        parts = url_path.split("/")
        if "" in parts:
            parts = [part for part in parts if part]
        return tuple(parts)

    def _fetch(self, url: str) -> Tuple[str, CatalogContent]:
        final_url, chunks, content_type = self.http.stream(url, "application/xml, text/xml;q=0.9, */*;q=0.1")
        if content_type.split(";")[0].strip().lower() == "text/html":
            list(chunks)  # drain so the connection returns to the pool
            raise RemoteError(final_url, "expected a THREDDS XML catalog, got an HTML page")
        try:
            return final_url, parse_catalog(chunks, final_url, self.max_nodes)
        finally:
            chunks.close()  # stopped early: the connection is closed, not read to its end

    @gc_paused()  # around building the tree only, never across a network wait
    def _add_content(self, tree: RemoteTree, content: CatalogContent, pending: List[Tuple[str, Path]]) -> None:
        # The datasets of a catalog mostly share one directory: group them by it, so the names of
        # a directory are worked out once and its files go into the tree in one call.
        by_parent: Dict[str, List[Tuple[str, str]]] = {}
        general: List[Tuple[str, str]] = []  # root-relative, escaped or odd paths
        for url_path, title in content.files:
            parent, _, name = url_path.rpartition("/")
            if not name or url_path[0] == "/" or "%" in url_path or "?" in url_path:
                general.append((url_path, title))
                continue
            siblings = by_parent.get(parent)
            if siblings is None:
                siblings = by_parent[parent] = []
            siblings.append((name, title))
        for parent, siblings in by_parent.items():
            tree.add_children(self.names_for_url_path(parent), siblings, "file")
        for url_path, title in general:
            names = self.names_for_path(url_path) if url_path.startswith("/") else self.names_for_url_path(url_path)
            if names:
                tree.add(names, "file", title)
        for scan_path, title in content.scans:
            names = self.names_for_url_path(scan_path)
            if names:
                tree.add(names, "directory", title)
        for ref_url, title in content.refs:
            if not self.http.is_allowed(ref_url):
                self.problems.append(f"skipped catalogRef outside the service's origin: {ref_url}")
                continue
            names = self.names_for_url(ref_url)
            if names is None:
                self.problems.append(f"skipped catalogRef outside the service path {self.base_path}: {ref_url}")
                continue
            if names:
                tree.add(names, "directory", title)
            pending.append((ref_url, names))

    def crawl(self, start_url: str) -> Tuple[dict, int]:
        """Crawl from ``start_url``: (children of the service node, catalogs read). Only a failure
        of the start catalog raises; a child catalog that fails keeps its node and is reported in
        :attr:`problems` and :attr:`unread` (what it held is kept, unverified)."""
        tree = RemoteTree(self.max_depth, self.max_nodes)
        start_url = xml_twin(start_url)
        seen = {start_url}
        final_url, content = self._fetch(start_url)
        seen.add(final_url)
        pending: List[Tuple[str, Path]] = []
        self._add_content(tree, content, pending)
        catalogs = 1
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(self.pool_size, 1), thread_name_prefix="thredds") as pool:
            running: Dict[Future, Tuple[str, Path]] = {}
            try:
                while pending or running:
                    while pending:
                        ref_url, names = pending.pop()
                        if ref_url in seen:
                            continue
                        seen.add(ref_url)
                        if self.max_depth is not None and len(names) >= self.max_depth:
                            continue  # its content would lie deeper than the sync looks
                        running[pool.submit(self._fetch, ref_url)] = ref_url, names
                    if not running:
                        break
                    done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                    for future in done:
                        ref_url, names = running.pop(future)
                        try:
                            final_url, content = future.result()
                        except (BudgetExceeded, NodeLimitExceeded):  # the whole sync's limits
                            raise
                        except RemoteError as exc:
                            reason = f"child catalog not read: {exc}"
                            self.problems.append(reason)
                            self.unread.setdefault(names, reason)
                            continue
                        catalogs += 1
                        seen.add(final_url)
                        self._add_content(tree, content, pending)
            except BaseException:
                for future in running:
                    future.cancel()
                raise
        LOGGER.debug("crawled %d catalogs of %s in %.2f s", catalogs, self.base_url, time.monotonic() - started)
        return tree.children, catalogs


class SyncThredds(SyncServiceInterface):
    """THREDDS Data Server: ``catalog.xml`` and the catalogs it references.

    ``start_catalog`` (see :mod:`magpie.sync.config`) is relative to the service URL.
    """

    sync_type = "thredds"
    max_depth = 3

    def get_children(self, http: HttpClient) -> dict:
        base = self.url.rstrip("/") + "/"
        start = urljoin(base, self.config.start_catalog)
        crawler = ThreddsCrawler(http=http, base_url=base, max_depth=self.max_depth,
                                 max_nodes=self.config.max_nodes, pool_size=self.config.pool_size)
        try:
            children, _ = crawler.crawl(start)
        finally:
            self.problems.extend(crawler.problems)
            self.unread.update(crawler.unread)
        return children
