"""Reading one THREDDS catalog (InvCatalog 1.0 and 0.6), as TDS, Hyrax and others write them.

A dataset's access URL is its service's ``base`` (resolved against the catalog URL) followed by
its ``urlPath``. The urlPath sits on the dataset or on its ``access`` elements (one per service,
as Hyrax writes them); the service is named by the dataset's ``serviceName`` attribute, by a
``serviceName`` in its metadata, or by one in the ``metadata inherited="true"`` of an enclosing
dataset; a ``Compound`` service stands for the services it holds.

Streams with expat callbacks and keeps only what it extracts, so a catalog of any size costs the
memory of its datasets' names, and no more of them than the sync may keep.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from magpie.sync.remote.http import RemoteError
from magpie.sync.remote.safe_xml import parse_with_handlers
from magpie.sync.tree import NodeLimitExceeded

THREDDS_NAMESPACES = (
    "http://www.unidata.ucar.edu/namespaces/thredds/InvCatalog/v1.0",
    "http://www.unidata.ucar.edu/thredds",  # InvCatalog 0.6
)
XLINK = "{http://www.w3.org/1999/xlink}"

#: The service bases a dataset's urlPath may follow: () when the catalog does not say.
Bases = Tuple[str, ...]


@dataclass
class CatalogContent:
    """What one catalog says: files by urlPath (with the bases of their service), and
    references to other catalogs."""

    files: List[Tuple[str, str, Bases]] = field(default_factory=list)  # (urlPath, title, bases)
    refs: List[Tuple[str, str]] = field(default_factory=list)  # (absolute URL, title)
    scans: List[Tuple[str, str]] = field(default_factory=list)  # (datasetScan path, title)


def xml_twin(url: str) -> str:
    """``.../catalog.html`` -> ``.../catalog.xml``: the HTML page of a catalog has an XML twin."""
    url, _ = urldefrag(url)
    path_end = url.split("?", 1)[0]
    if path_end.endswith(".html"):
        return url[: len(path_end) - len(".html")] + ".xml" + url[len(path_end):]
    return url


def join_url(base: str, ref: str) -> str:
    """``urljoin``, but a path holding ``//`` keeps it (urljoin drops empty segments, and a
    server may tell ``a//b`` from ``a/b``): the catalog is requested as written."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or "//" not in parts.path:
        return urljoin(base, ref)
    base_parts = urlsplit(base)
    path = parts.path if parts.path.startswith("/") else base_parts.path.rsplit("/", 1)[0] + "/" + parts.path
    segments: List[str] = []
    for segment in path.split("/")[1:]:  # RFC 3986 dot-segment removal, empty segments kept
        if segment == "..":
            if segments:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    if path.endswith(("/.", "/..")):
        segments.append("")
    return urlunsplit((base_parts.scheme, base_parts.netloc, "/" + "/".join(segments), parts.query, ""))


def _tags(local: str) -> frozenset:
    """The names expat gives ``local`` in each THREDDS namespace, and without one."""
    return frozenset([f"{namespace}}}{local}" for namespace in THREDDS_NAMESPACES] + [local])


_CATALOG_TAGS, _SERVICE_TAGS = _tags("catalog"), _tags("service")
_DATASET_TAGS, _ACCESS_TAGS = _tags("dataset"), _tags("access")
_CATALOG_REF_TAGS, _DATASET_SCAN_TAGS = _tags("catalogRef"), _tags("datasetScan")
_METADATA_TAGS, _SERVICE_NAME_TAGS = _tags("metadata"), _tags("serviceName")
_XLINK_HREF, _XLINK_TITLE = XLINK[1:] + "href", XLINK[1:] + "title"
# Fields of an open <dataset>: its title, urlPath, own service, inherited service (from the
# enclosing datasets, or its own metadata inherited="true", which its children inherit in turn).
_TITLE, _URL_PATH, _SERVICE, _INHERITED = range(4)


class _CatalogReader:
    """The expat callbacks of one catalog."""

    def __init__(self, url: str, max_entries: Optional[int]):
        self.url = url
        self.limit = max_entries if max_entries is not None else float("inf")
        self.content = CatalogContent()
        self.root: List[str] = []
        self.datasets: List[list] = []  # open <dataset> elements
        self.services: Dict[str, List[str]] = {}  # name -> bases (a compound: those it holds)
        self.open_services: List[str] = []
        self.metadata: List[bool] = []  # open <metadata>: inherited or not
        self.text: Optional[List[str]] = None  # the characters of an open <serviceName>
        self.bases_of: Dict[Optional[str], Bases] = {}

    def count(self) -> None:
        content = self.content
        if len(content.files) + len(content.refs) + len(content.scans) > self.limit:
            raise NodeLimitExceeded(self.url, f"more than {self.limit} remote nodes")

    def bases(self, service: Optional[str]) -> Bases:
        """The bases of a service (cached: called once per dataset)."""
        bases = self.bases_of.get(service)
        if bases is None:
            bases = self.bases_of[service] = tuple(self.services.get(service, ())) if service else ()
        return bases

    def start(self, tag: str, attributes: Dict[str, str]) -> None:
        if tag in _DATASET_TAGS:
            inherited = self.datasets[-1][_INHERITED] if self.datasets else None
            self.datasets.append([attributes.get("name", ""), attributes.get("urlPath"),
                                  attributes.get("serviceName"), inherited])
        elif not self.root:
            self.root.append(tag)
            if tag not in _CATALOG_TAGS:
                raise RemoteError(self.url, f"not a THREDDS catalog (root element {tag!r})")
        elif tag in _ACCESS_TAGS:
            dataset = self.datasets[-1] if self.datasets else None
            if dataset is not None and not dataset[_URL_PATH] and attributes.get("urlPath"):
                dataset[_URL_PATH] = attributes["urlPath"]
                dataset[_SERVICE] = attributes.get("serviceName") or dataset[_SERVICE]
        elif tag in _SERVICE_TAGS:
            name, base = attributes.get("name", ""), attributes.get("base", "")
            compound = attributes.get("serviceType", "").lower() == "compound"
            self.services.setdefault(name, [])
            self.bases_of.clear()
            if not compound:
                self.services[name].append(base)
                for holder in self.open_services:  # the compounds it is part of
                    self.services[holder].append(base)
            self.open_services.append(name)
        elif tag in _METADATA_TAGS:
            self.metadata.append(attributes.get("inherited", "").lower() == "true")
        elif tag in _SERVICE_NAME_TAGS:
            self.text = []
        elif tag in _CATALOG_REF_TAGS:
            href = attributes.get(_XLINK_HREF) or attributes.get("href")
            if href:
                title = attributes.get(_XLINK_TITLE) or attributes.get("name") or ""
                self.content.refs.append((xml_twin(join_url(self.url, href.strip())), title))
                self.count()
        elif tag in _DATASET_SCAN_TAGS and attributes.get("path"):
            self.content.scans.append((attributes["path"], attributes.get("name", "")))
            self.count()

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def end(self, tag: str) -> None:
        if tag in _DATASET_TAGS:
            dataset = self.datasets.pop()
            if dataset[_URL_PATH]:
                service = dataset[_SERVICE] or dataset[_INHERITED]
                self.content.files.append((dataset[_URL_PATH], dataset[_TITLE], self.bases(service)))
                self.count()
        elif tag in _SERVICE_TAGS:
            if self.open_services:
                self.open_services.pop()
        elif tag in _METADATA_TAGS:
            if self.metadata:
                self.metadata.pop()
        elif tag in _SERVICE_NAME_TAGS and self.text is not None:
            name, self.text = "".join(self.text).strip(), None
            if self.datasets and self.metadata and name:
                self.datasets[-1][_INHERITED if self.metadata[-1] else _SERVICE] = name


def parse_catalog(chunks, url: str, max_entries: Optional[int] = None) -> CatalogContent:
    """Read one catalog body. ``url`` is the address after redirects: relative hrefs and bases
    resolve against it. Raises :class:`RemoteError` for anything that is not a THREDDS catalog,
    and :class:`NodeLimitExceeded` as soon as it lists more than ``max_entries`` datasets and refs.
    """
    reader = _CatalogReader(url, max_entries)
    parse_with_handlers(chunks, url, reader.start, reader.end, reader.characters)
    if not reader.root:
        raise RemoteError(url, "empty document")
    return reader.content
