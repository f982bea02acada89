"""Permission names each service type carries, on the service and on each type of resource under it.

Magpie validates an applied permission against the names its service type allows (its "allowed
permissions"): a name a service type does not list cannot be applied, so this table is the schema
of every rule an administrator can write. The names and which resource types carry them follow
Magpie (``magpie/services.py``, ``magpie/models.py``, ``docs/services.rst``); where we register a
type Magpie does not have, the comment next to it says what we chose and why.
"""
from typing import Dict, List, Tuple

# names, as Magpie spells them (one word, lower case: they are the OWS ``request`` values)
READ = "read"
WRITE = "write"
ACCESS = "access"
BROWSE = "browse"
GET_CAPABILITIES = "getcapabilities"
GET_MAP = "getmap"
GET_FEATURE_INFO = "getfeatureinfo"
GET_LEGEND_GRAPHIC = "getlegendgraphic"
GET_METADATA = "getmetadata"
DESCRIBE_LAYER = "describelayer"
GET_FEATURE = "getfeature"
DESCRIBE_FEATURE_TYPE = "describefeaturetype"
LOCK_FEATURE = "lockfeature"
TRANSACTION = "transaction"
GET_FEATURE_WITH_LOCK = "getfeaturewithlock"
CREATE_STORED_QUERY = "createstoredquery"
DROP_STORED_QUERY = "dropstoredquery"
LIST_STORED_QUERIES = "liststoredqueries"
DESCRIBE_STORED_QUERIES = "describestoredqueries"
GET_GML_OBJECT = "getgmlobject"
GET_PROPERTY_VALUE = "getpropertyvalue"
DESCRIBE_PROCESS = "describeprocess"
EXECUTE = "execute"

Names = Tuple[str, ...]

_READ_WRITE: Names = (READ, WRITE)
# THREDDS: browse = metadata (catalogs, directory listings), read = file data, write kept for
# third parties that ask Magpie (THREDDS itself never asks for it).
_THREDDS: Names = (BROWSE, READ, WRITE)
# ServiceBaseWMS (docs/services.rst): the five WMS operations, also ncWMS2's set.
_WMS: Names = (GET_CAPABILITIES, GET_MAP, GET_FEATURE_INFO, GET_LEGEND_GRAPHIC, GET_METADATA)
# ServiceGeoserverWMS: GeoServer has describelayer instead of ncWMS's getmetadata.
_GEOSERVER_WMS: Names = (GET_CAPABILITIES, GET_MAP, GET_FEATURE_INFO, GET_LEGEND_GRAPHIC, DESCRIBE_LAYER)
# ServiceWFS: WFS 1.0.0 operations, then those WFS 2.0.0 added.
_WFS: Names = (GET_CAPABILITIES, GET_FEATURE, DESCRIBE_FEATURE_TYPE, LOCK_FEATURE, TRANSACTION,
               GET_FEATURE_WITH_LOCK, CREATE_STORED_QUERY, DROP_STORED_QUERY,
               LIST_STORED_QUERIES, DESCRIBE_STORED_QUERIES)
# ServiceGeoserverWFS: WFS plus getgmlobject (1.1.0) and getpropertyvalue (2.0.0).
_GEOSERVER_WFS: Names = _WFS + (GET_GML_OBJECT, GET_PROPERTY_VALUE)
# ServiceWPS: getcapabilities lists processes, so it is applied on the service only.
_WPS: Names = (GET_CAPABILITIES, DESCRIBE_PROCESS, EXECUTE)
_PROCESS: Names = (DESCRIBE_PROCESS, EXECUTE)


def _union(*groups: Names) -> Names:
    """Names of all groups, first occurrence order kept (deterministic, unlike a set)."""
    return tuple(dict.fromkeys(name for group in groups for name in group))


# ServiceGeoserver: one service for GeoServer's WFS, WMS and WPS, so one workspace or layer
# carries the names of every OWS that can reach it (workspace > layer | process).
_GEOSERVER: Dict[str, Names] = {
    "service": _union(_GEOSERVER_WFS, _GEOSERVER_WMS, _WPS),
    "workspace": _union(_GEOSERVER_WFS, _GEOSERVER_WMS, _WPS),
    "layer": _union(_GEOSERVER_WFS, _GEOSERVER_WMS),
    "process": _PROCESS,
}

# service type -> resource type ("service" for the service itself) -> names
_BY_SERVICE_TYPE: Dict[str, Dict[str, Names]] = {
    "thredds": {"service": _THREDDS, "directory": _THREDDS, "file": _THREDDS},
    "geoserver": _GEOSERVER,
    # Magpie's sync type for a GeoServer (workspace > layer): same names as "geoserver".
    "geoserver-api": _GEOSERVER,
    "wps": {"service": _WPS, "process": _PROCESS},
    # Magpie has no registrable plain "wms" (ServiceBaseWMS is abstract); we give its five
    # operations to the service and to the layers we sync under it, as GeoServer WMS does.
    "wms": {"service": _WMS, "layer": _WMS},
    "ncwms": {"service": _WMS, "directory": _WMS, "file": _WMS},
    "geoserverwms": {"service": _GEOSERVER_WMS, "workspace": _GEOSERVER_WMS, "layer": _GEOSERVER_WMS},
    # Magpie's WFS has layers directly under the service (no workspace); a layer carries the
    # service's operations, as GeoServer WFS layers do.
    "wfs": {"service": _WFS, "layer": _WFS},
    "api": {"service": _READ_WRITE, "route": _READ_WRITE},
    # Not a service type in Magpie (there it is a sync type of an "api" service): what an admin
    # expects of a project API is read and write, on the service and on its routes.
    "project-api": {"service": _READ_WRITE, "route": _READ_WRITE},
    # Magpie's all-or-nothing barrier: one name, on the service only.
    "access": {"service": (ACCESS,)},
    # Not in Magpie: a STAC catalogue is read (search, browse) or written (transactions), on
    # the service and on each collection; read and write is what an admin would expect.
    "stac": {"service": _READ_WRITE, "collection": _READ_WRITE},
}

SERVICE_TYPES: Tuple[str, ...] = tuple(_BY_SERVICE_TYPE)
RESOURCE_TYPES: Tuple[str, ...] = (
    "service", "directory", "file", "workspace", "layer", "process", "route", "collection")
# every name any service type carries: Permission refuses a name outside this set, as Magpie does
ALL_PERMISSION_NAMES = frozenset(
    name for table in _BY_SERVICE_TYPE.values() for names in table.values() for name in names)
# what a service type we do not know carries, anywhere
FALLBACK_PERMISSIONS: Names = _READ_WRITE


def service_permissions(service_type: str) -> Names:
    """Names that can be applied on a service of this type (``read``, ``write`` if unknown)."""
    table = _BY_SERVICE_TYPE.get(service_type.lower())
    return FALLBACK_PERMISSIONS if table is None else table["service"]


def resource_permissions(service_type: str, resource_type: str) -> Names:
    """Names a resource of this type carries under this service type.

    Empty when the service type does not have that resource type (nothing can be applied on
    it); ``read``, ``write`` for any resource type of an unknown service type.
    """
    table = _BY_SERVICE_TYPE.get(service_type.lower())
    if table is None:
        return FALLBACK_PERMISSIONS
    return table.get(resource_type.lower(), ())


def permissions_by_resource_type(service_type: str) -> Dict[str, List[str]]:
    """Resource type -> names, ``service`` first, for every resource type this service type has.

    An unknown service type lists only ``service`` (we do not know its resource types).
    """
    table = _BY_SERVICE_TYPE.get(service_type.lower())
    if table is None:
        return {"service": list(FALLBACK_PERMISSIONS)}
    return {resource_type: list(names) for resource_type, names in table.items()}
