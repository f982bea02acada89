"""Permission names per service type and resource type, as Magpie allows them."""
import pytest

from magpie.permissions import (
    ALL_PERMISSION_NAMES,
    RESOURCE_TYPES,
    SERVICE_TYPES,
    permissions_by_resource_type,
    resource_permissions,
    service_permissions,
)

WMS = ("getcapabilities", "getmap", "getfeatureinfo", "getlegendgraphic", "getmetadata")


def test_every_service_type_we_sync_or_register_is_known():
    assert set(SERVICE_TYPES) == {
        "thredds", "geoserver", "geoserver-api", "wps", "wms", "ncwms", "geoserverwms", "wfs",
        "api", "project-api", "access", "stac"}


def test_thredds_carries_browse_read_write_on_service_directories_and_files():
    for resource_type in ("service", "directory", "file"):
        assert resource_permissions("thredds", resource_type) == ("browse", "read", "write")


def test_wps_getcapabilities_is_on_the_service_only():
    assert service_permissions("wps") == ("getcapabilities", "describeprocess", "execute")
    assert resource_permissions("wps", "process") == ("describeprocess", "execute")


def test_wms_carries_the_five_base_wms_operations():
    assert service_permissions("wms") == WMS
    assert resource_permissions("wms", "layer") == WMS


def test_ncwms_carries_base_wms_operations_on_directories_and_files():
    assert service_permissions("ncwms") == WMS
    assert resource_permissions("ncwms", "directory") == WMS
    assert resource_permissions("ncwms", "file") == WMS


def test_geoserverwms_has_describelayer_instead_of_getmetadata():
    names = resource_permissions("geoserverwms", "layer")
    assert "describelayer" in names and "getmetadata" not in names
    assert resource_permissions("geoserverwms", "workspace") == names == service_permissions("geoserverwms")


def test_wfs_carries_its_operations_on_service_and_layers():
    names = service_permissions("wfs")
    for operation in ("getcapabilities", "getfeature", "describefeaturetype", "lockfeature", "transaction",
                      "getfeaturewithlock", "liststoredqueries"):
        assert operation in names
    assert resource_permissions("wfs", "layer") == names
    assert resource_permissions("wfs", "workspace") == ()


def test_geoserver_workspace_carries_wfs_wms_and_wps_operations():
    names = resource_permissions("geoserver", "workspace")
    for operation in ("getfeature", "getpropertyvalue", "getmap", "describelayer", "execute"):
        assert operation in names
    assert len(set(names)) == len(names)


def test_geoserver_layer_has_no_process_operations_and_process_only_those():
    assert "execute" not in resource_permissions("geoserver", "layer")
    assert resource_permissions("geoserver", "process") == ("describeprocess", "execute")


def test_geoserver_api_has_geoserver_permissions():
    assert permissions_by_resource_type("geoserver-api") == permissions_by_resource_type("geoserver")


@pytest.mark.parametrize("service_type, child", [
    ("api", "route"), ("project-api", "route"), ("stac", "collection")])
def test_api_like_services_carry_read_and_write(service_type, child):
    expected = {"service": ["read", "write"], child: ["read", "write"]}
    assert permissions_by_resource_type(service_type) == expected


def test_access_service_carries_access_on_the_service_only():
    assert permissions_by_resource_type("access") == {"service": ["access"]}
    assert resource_permissions("access", "route") == ()


def test_resource_type_a_service_does_not_have_carries_nothing():
    assert resource_permissions("thredds", "layer") == ()


def test_unknown_service_type_falls_back_to_read_and_write():
    assert service_permissions("ftp") == ("read", "write")
    assert resource_permissions("ftp", "directory") == ("read", "write")
    assert permissions_by_resource_type("ftp") == {"service": ["read", "write"]}


def test_service_type_is_case_insensitive():
    assert service_permissions("THREDDS") == ("browse", "read", "write")


def test_by_resource_type_returns_copies_not_the_table():
    listing = permissions_by_resource_type("api")
    listing["service"].append("execute")
    assert service_permissions("api") == ("read", "write")


def test_tables_use_only_known_resource_types_and_names():
    for service_type in SERVICE_TYPES:
        listing = permissions_by_resource_type(service_type)
        assert next(iter(listing)) == "service"
        assert set(listing) <= set(RESOURCE_TYPES)
        assert {name for names in listing.values() for name in names} <= ALL_PERMISSION_NAMES
