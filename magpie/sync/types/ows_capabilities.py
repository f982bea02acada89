"""OGC GetCapabilities parsing for the ``wps``, ``wms`` and ``wfs`` sync types.

Each parser is a pure function of the body chunks and the URL they came from, returning
``[(name, title), ...]`` in document order. Parsing streams through the hardened
:func:`~magpie.sync.remote.safe_xml.iter_events` and drops every element once read, so a 150 KB
WFS 2.0 document full of filter capabilities never lives whole in memory.

Elements are matched by local name, never by namespace: servers in the wild use pre-standard
namespaces (CEDA's ``http://www.opengeospatial.net/wps``), none at all (WMS 1.1.1) or the
versioned ones (WPS 2.0, WFS 2.0). The root element is still checked, so an HTML page, a
document of another service, or an OGC exception report is an error naming the URL instead of
a service that silently has nothing.

Names are returned exactly as the server advertises them (stripped of surrounding whitespace):
they must equal the names local resources get for the same thing. A WPS 2.0 identifier such as
``http://my.site/distance-transform/cost-distance`` stays one name: in the resource tree a name
is a dict key and a database value, never split on ``/``.
"""
from dataclasses import dataclass
from typing import FrozenSet, Iterable, List, Mapping, Optional, Tuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from magpie.sync.remote.http import RemoteError
from magpie.sync.remote.safe_xml import iter_events, local_name, namespace_of

Entry = Tuple[str, str]  # (name, title)

#: Roots of the OGC exception documents: OWS 1.x/2.0 ``ExceptionReport`` (WPS, WFS 1.1+) and
#: the WMS / WFS 1.0 ``ServiceExceptionReport``.
EXCEPTION_ROOTS = frozenset({"ExceptionReport", "ServiceExceptionReport"})
_EXCEPTION_TEXT_LIMIT = 500


@dataclass(frozen=True)
class CapabilitiesKind:
    """What to pick out of one kind of capabilities document.

    ``items`` maps the local name of a listed element to the local names its parent may have
    (WMS layers nest inside layers; a WPS ``Process`` must sit in ``ProcessOfferings`` so that
    nothing else named ``Process`` is counted).
    """

    label: str
    roots: FrozenSet[str]
    items: Mapping[str, FrozenSet[str]]
    name_element: str = "Name"
    title_element: str = "Title"


WPS = CapabilitiesKind(
    label="WPS Capabilities",
    roots=frozenset({"Capabilities"}),
    items={"Process": frozenset({"ProcessOfferings"}),  # WPS 1.0.0 and CEDA's pre-1.0 namespace
           "ProcessSummary": frozenset({"Contents"})},  # WPS 2.0
    name_element="Identifier",
)
WMS = CapabilitiesKind(
    label="WMS Capabilities",
    roots=frozenset({"WMS_Capabilities", "WMT_MS_Capabilities"}),  # 1.3.0, 1.1.x
    items={"Layer": frozenset({"Capability", "Layer"})},
)
WFS = CapabilitiesKind(
    label="WFS Capabilities",
    roots=frozenset({"WFS_Capabilities"}),
    items={"FeatureType": frozenset({"FeatureTypeList"})},
)


def _text(value: Optional[str]) -> str:
    return " ".join((value or "").split())


def _check_root(kind: CapabilitiesKind, root, url: str) -> None:
    name = local_name(root.tag)
    if name in EXCEPTION_ROOTS:
        return
    if name not in kind.roots:
        raise RemoteError(url, f"not a {kind.label} document (root element {root.tag!r})")
    if kind is WPS:
        # Another service's ``Capabilities`` (WCS 1.1+, WMTS) must not pass for a WPS without
        # processes; CEDA's pre-1.0 root has a ``.../wps`` namespace but no ``service``.
        namespace = namespace_of(root.tag).lower()
        service = (root.get("service") or "").upper()
        if namespace and "wps" not in namespace and service != "WPS":
            raise RemoteError(url, f"not a {kind.label} document (root element {root.tag!r})")


def _raise_exception_report(root, url: str) -> None:
    """Turn a complete OGC exception report into a :class:`RemoteError` with its codes and texts."""
    messages = []
    for element in root.iter():
        name = local_name(element.tag)
        if name not in ("Exception", "ServiceException"):
            continue
        code = element.get("exceptionCode") or element.get("code") or ""
        locator = element.get("locator") or ""
        texts = [_text(element.text)] if name == "ServiceException" else []
        texts += [_text(child.text) for child in element if local_name(child.tag) == "ExceptionText"]
        text = "; ".join(t for t in texts if t)
        label = code + (f" ({locator})" if locator else "")
        messages.append(": ".join(part for part in (label, text) if part) or "no details")
    detail = " | ".join(messages) or "no exception given"
    if len(detail) > _EXCEPTION_TEXT_LIMIT:
        detail = detail[:_EXCEPTION_TEXT_LIMIT] + "..."
    raise RemoteError(url, f"the service answered with an exception report: {detail}")


def parse_capabilities(chunks: Iterable[bytes], url: str, kind: CapabilitiesKind) -> List[Entry]:
    """``(name, title)`` of every listed element of ``kind`` that has a non-empty name.

    Raises :class:`RemoteError` naming ``url`` for malformed or hostile XML, an empty body, a
    root of another kind, or an exception report (with its codes and texts).
    """
    entries: List[Optional[Entry]] = []
    stack = []  # open elements
    open_items: List[Tuple[int, int, list]] = []  # (depth of the item element, slot, [name, title])
    root = None
    in_exception = False
    for event, elem in iter_events(iter(chunks), url):
        name = local_name(elem.tag)
        if event == "start":
            if root is None:
                root = elem
                _check_root(kind, root, url)
                in_exception = name in EXCEPTION_ROOTS
            elif not in_exception and name in kind.items and local_name(stack[-1].tag) in kind.items[name]:
                open_items.append((len(stack), len(entries), [None, None]))
                entries.append(None)
            stack.append(elem)
            continue
        stack.pop()
        if in_exception:
            continue  # keep the (small) report whole until the root closes
        if open_items and len(stack) == open_items[-1][0] + 1:  # a direct child of the open item
            fields = open_items[-1][2]
            if name == kind.name_element and fields[0] is None:
                fields[0] = (elem.text or "").strip()
            elif name == kind.title_element and fields[1] is None:
                fields[1] = _text(elem.text)
        elif open_items and len(stack) == open_items[-1][0] and name in kind.items:
            _, slot, (item_name, title) = open_items.pop()
            if item_name:
                entries[slot] = (item_name, title or "")
        if stack:
            del stack[-1][-1]  # read: drop it, so memory stays bounded by the depth
    if root is None:
        raise RemoteError(url, "empty document")
    if in_exception:
        _raise_exception_report(root, url)
    return [entry for entry in entries if entry is not None]


def parse_wps_processes(chunks: Iterable[bytes], url: str) -> List[Entry]:
    """(identifier, title) of every process of a WPS 1.0.0, 2.0 or pre-1.0 GetCapabilities."""
    return parse_capabilities(chunks, url, WPS)


def parse_wms_layers(chunks: Iterable[bytes], url: str) -> List[Entry]:
    """(name, title) of every named WMS layer at any depth; an unnamed group layer adds nothing
    itself, a named layer and its named children all count."""
    return parse_capabilities(chunks, url, WMS)


def parse_wfs_feature_types(chunks: Iterable[bytes], url: str) -> List[Entry]:
    """(name, title) of every feature type of a WFS 1.0.0, 1.1.0 or 2.0.0 GetCapabilities."""
    return parse_capabilities(chunks, url, WFS)


def split_workspace(name: str) -> Tuple[str, ...]:
    """``ws:layer`` -> ``("ws", "layer")``, GeoServer's workspace prefix; other names stay whole.

    Only the first ``:`` splits, and only when both sides are non-empty.
    """
    workspace, sep, rest = name.partition(":")
    if sep and workspace and rest:
        return workspace, rest
    return (name,)


def capabilities_url(service_url: str, service: str) -> str:
    """The GetCapabilities URL of an OWS endpoint: ``{url}?service=X&request=GetCapabilities``.

    Other query parameters of the service URL are kept (GeoServer virtual services and MapServer
    ``map=`` endpoints need them); ``service`` and ``request`` given there are replaced.
    """
    parts = urlsplit(service_url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if key.lower() not in ("service", "request")]
    query += [("service", service), ("request", "GetCapabilities")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))

