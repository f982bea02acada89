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
from urllib.parse import unquote, urljoin, urlsplit

from magpie.gc_pause import gc_paused
from magpie.sync.remote.http import BudgetExceeded, HttpClient, RemoteError, origin_of
from magpie.sync.tree import NodeLimitExceeded, Path, RemoteTree
from magpie.sync.types.base import SyncServiceInterface
from magpie.sync.types.thredds_catalog import Bases, CatalogContent, parse_catalog, xml_twin

__all__ = ["ACCESS_PREFIXES", "CatalogContent", "SyncThredds", "ThreddsCrawler", "parse_catalog", "xml_twin"]

LOGGER = logging.getLogger(__name__)

#: First path segment that says how a THREDDS URL is served; not part of resource names.
ACCESS_PREFIXES = frozenset({
    "catalog", "fileServer", "dodsC", "dap4", "ncss", "ncssGrid", "ncssPoint", "wms", "wcs",
    "iso", "ncml", "uddc", "remoteCatalogService", "cdmremote", "cdmrfeature", "godiva2",
    "opendap", "hyrax",  # Hyrax serves DAP below /opendap/hyrax/, its catalogs below /opendap/
})
CATALOG_FILE_NAMES = frozenset({"catalog.xml", "catalog.html"})


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

    def names_of_bases(self, bases: Bases, catalog_url: str) -> Optional[Path]:
        """The names a service base stands for (``/thredds/dodsC/`` -> ``()``,
        ``/opendap/hyrax/`` -> ``()``): the first base of ``bases`` inside the service, else None."""
        for base in bases:
            names = self.names_for_url(urljoin(catalog_url, base)) if base else None
            if names is not None:
                return names
        return None

    @gc_paused()  # around building the tree only, never across a network wait
    def _add_content(self, tree: RemoteTree, content: CatalogContent, pending: List[Tuple[str, Path]],
                     catalog_url: str) -> None:
        # The datasets of a catalog mostly share one directory: group them by it, so the names of
        # a directory are worked out once and its files go into the tree in one call.
        by_parent: Dict[Tuple[Path, str], List[Tuple[str, str]]] = {}
        general: List[Tuple[Optional[Path], str, str]] = []  # root-relative, escaped or odd paths
        base_names: Dict[Bases, Optional[Path]] = {}
        for url_path, title, bases in content.files:
            if bases in base_names:
                prefix = base_names[bases]
            else:
                prefix = base_names[bases] = self.names_of_bases(bases, catalog_url) if bases else None
            parent, _, name = url_path.rpartition("/")
            if not name or (url_path[0] == "/" and prefix is None) or "%" in url_path or "?" in url_path:
                general.append((prefix, url_path, title))
                continue
            siblings = by_parent.get((prefix or (), parent))
            if siblings is None:
                siblings = by_parent[(prefix or (), parent)] = []
            siblings.append((name, title))
        for (prefix, parent), siblings in by_parent.items():
            tree.add_children(prefix + self.names_for_url_path(parent), siblings, "file")
        for prefix, url_path, title in general:
            if prefix is not None:  # the urlPath follows its service's base, even with a leading '/'
                names = prefix + self.names_for_url_path(url_path)
            elif url_path.startswith("/"):
                names = self.names_for_path(url_path)
            else:
                names = self.names_for_url_path(url_path)
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
            if names is None and origin_of(ref_url) == origin_of(self.base_url):
                self.problems.append(f"skipped catalogRef outside the service path {self.base_path}: {ref_url}")
                continue
            if names:
                tree.add(names, "directory", title)
            # A catalog on another allowed origin is read whatever its path; its datasets are
            # named by their own URLs, and it stands for no directory of its own.
            pending.append((ref_url, names or ()))

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
        self._add_content(tree, content, pending, final_url)
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
                    if self.http.progress is not None:
                        self.http.progress.crawling(len(pending) + len(running) - len(done), tree.count)
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
                        self._add_content(tree, content, pending, final_url)
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
