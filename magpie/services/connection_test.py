"""A connection test before a service is saved (or of a registered one): read the first document
its sync type reads, and say what it is (the server kind, the version where the document says,
the first children) or why it cannot be read (DNS, refused, TLS, timeout, 401/403, not a catalog).

One request, bounded by the configuration's ``timeout`` for everything, never retried: the
answer comes within the timeout whatever the remote does. Credentials go as the sync sends them.
"""
import json
import time
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import urljoin

from magpie.errors import InvalidInput
from magpie.services import crud as services
from magpie.sync.config import SyncConfig
from magpie.sync.remote.auth import Credentials
from magpie.sync.remote.http import HttpClient, HttpLimits, RemoteError, origin_of
from magpie.sync.remote.safe_xml import iter_events, local_name
from magpie.sync.types import get_sync_type
from magpie.sync.types.ows_capabilities import (
    capabilities_url, parse_wfs_feature_types, parse_wms_layers, parse_wps_processes,
)
from magpie.sync.types.stac import collections_url, page_collections

FIRST_CHILDREN = 10
#: Largest first document read by a test; a sync may read more.
MAX_BYTES = 16 * 1024 * 1024

#: What a failure's message says -> the reason given (first match wins).
_REASONS = (
    ("HTTP 401", "unauthorized"), ("HTTP 403", "forbidden"), ("SSLError", "tls"),
    ("NameResolutionError", "dns"), ("Name or service not known", "dns"), ("nodename nor servname", "dns"),
    ("Failed to resolve", "dns"), ("Temporary failure in name resolution", "dns"),
    ("Connection refused", "refused"), ("timed out", "timeout"), ("no complete answer", "timeout"),
    ("HTTP ", "http"), ("cannot connect", "connection"),
)


def _json_names(key: str, inner: Optional[str], field: str) -> Callable[[bytes, str], List[str]]:
    def names(body: bytes, url: str) -> List[str]:
        document = json.loads(body)
        members = document.get(key) if isinstance(document, dict) else document if key == "" else None
        if isinstance(members, dict) and inner:
            members = members.get(inner)
        if members == "":  # GeoServer writes an empty list so
            members = []
        if isinstance(members, dict):
            members = [members]
        if not isinstance(members, list):
            raise RemoteError(url, f"expected a JSON document with {key or 'a list'!r}")
        return [str(m.get(field)) for m in members if isinstance(m, dict) and m.get(field) is not None]
    return names


def _thredds_names(body: bytes, url: str) -> List[str]:
    names = []
    for _event, element in iter_events(iter([body]), url, events=("start",)):
        tag = local_name(element.tag)
        if tag == "dataset" and element.get("name") and names is not None:
            names.append(element.get("name"))
        elif tag == "catalogRef":
            names.append(element.get("{http://www.w3.org/1999/xlink}title") or element.get("name") or "")
        if len(names) > FIRST_CHILDREN + 1:  # the catalog's own dataset, ten, and one more
            break
    return [name for name in names[1:] or names if name]  # the first dataset is the catalog's own


def _capabilities(parse) -> Callable[[bytes, str], List[str]]:
    return lambda body, url: [name for name, _title in parse([body], url)]


#: sync type -> (URL of its first document from the service URL and configuration, kind, names in it)
PROBES: Dict[str, Tuple[Callable[[str, SyncConfig], str], str, Callable[[bytes, str], List[str]]]] = {
    "thredds": (lambda url, c: urljoin(url.rstrip("/") + "/", c.start_catalog), "THREDDS catalog", _thredds_names),
    "geoserver-api": (lambda url, c: url.rstrip("/") + "/workspaces", "GeoServer REST",
                      _json_names("workspaces", "workspace", "name")),
    "project-api": (lambda url, c: url.rstrip("/") + "/Projects", "project API", _json_names("", None, "id")),
    "wps": (lambda url, c: capabilities_url(url, "WPS"), "WPS", _capabilities(parse_wps_processes)),
    "wms": (lambda url, c: capabilities_url(url, "WMS"), "WMS", _capabilities(parse_wms_layers)),
    "wfs": (lambda url, c: capabilities_url(url, "WFS"), "WFS", _capabilities(parse_wfs_feature_types)),
    "stac": (lambda url, c: collections_url(url), "STAC API",
             lambda body, url: [name for name, _title in page_collections(json.loads(body), url)]),
}


def _version(body: bytes, url: str) -> Optional[str]:
    """The ``version`` of an XML document's root element, or the ``stac_version`` of a STAC one."""
    if body.lstrip()[:1] in (b"{", b"["):
        document = json.loads(body)
        collections = document.get("collections") if isinstance(document, dict) else None
        first = collections[0] if isinstance(collections, list) and collections else {}
        return first.get("stac_version") if isinstance(first, dict) else None
    for _event, element in iter_events(iter([body]), url, events=("start",)):
        return element.get("version")
    return None


def _failed(answer: dict, reason: str, message: str, credentials: Optional[Credentials]) -> dict:
    answer.update(reason=reason, message=credentials.redact(message) if credentials else message)
    return answer


def reason_of(message: str) -> str:
    return next((reason for marker, reason in _REASONS if marker in message), "error")


def check_connection(url: str, sync_type: Optional[str], configuration: Optional[dict] = None,
                    credentials: Optional[Credentials] = None) -> dict:
    """What the first document of a service at ``url`` says; never raises for the remote's sake
    (InvalidInput for a URL, sync type or configuration that could not be saved either)."""
    services.validate_service_url(url)
    if services.validate_sync_type(sync_type) is None:
        raise InvalidInput("service_sync_type", "a connection test needs a sync type")
    config = get_sync_type(sync_type).parse_configuration(configuration)
    answer = {"url": url, "sync_type": sync_type, "ok": False, "reason": None, "message": None,
              "server": None, "children": [], "more_children": False}
    if sync_type not in PROBES:  # a third-party sync type: its first document is its own business
        return _failed(answer, "unsupported", f"no connection test for sync type {sync_type!r}", None)
    first_url, kind, names_of = PROBES[sync_type]
    probe_url = answer["url"] = first_url(url, config)
    origins = {origin_of(url)} | {origin_of(origin) for origin in config.allowed_origins}
    limits = HttpLimits(timeout=config.timeout, max_bytes=min(config.max_bytes, MAX_BYTES), pool_size=1,
                        retries=0, backoff=0)
    try:
        with HttpClient(limits, allowed_origins=origins, deadline=time.monotonic() + config.timeout,
                        credentials=credentials, credential_origins=origins) as http:
            final_url, body, _content_type = http.get_bytes(probe_url)
    except RemoteError as exc:
        return _failed(answer, reason_of(exc.reason), str(exc), credentials)
    try:
        names = names_of(body, final_url)
        version = _version(body, final_url)
    except (RemoteError, ValueError, UnicodeDecodeError) as exc:
        return _failed(answer, "not_a_catalog", f"{final_url}: not a {kind} document: {exc}", credentials)
    answer.update(ok=True, server={"kind": kind, "version": version}, children=names[:FIRST_CHILDREN],
                  more_children=len(names) > FIRST_CHILDREN)
    return answer
