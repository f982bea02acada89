"""WPS, WMS and WFS sync against a real HTTP server on 127.0.0.1 serving real GetCapabilities
documents, on both databases."""
import pytest

from tests.functional.sync.helpers import find, names, stored, sync, sync_fails
from tests.support.remote_server import fixture_bytes

EMU = "wps/pywps-4.3_emu_getcapabilities_1.0.0.xml"

OWS_EXCEPTION_REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="1.0.0">
  <ows:Exception exceptionCode="NoApplicableCode">
    <ows:ExceptionText>Process store unavailable</ows:ExceptionText>
  </ows:Exception>
</ows:ExceptionReport>"""


def add_ows(remote, add_service, kind, relative=None, body=None, **options):
    """Serve a capabilities document at ``/{kind}`` and register a service of that sync type."""
    remote.add(f"/{kind}", fixture_bytes(relative) if relative else body, **options)
    return add_service(name=kind, url=f"{remote.url}/{kind}", type_=kind, sync_type=kind)


@pytest.mark.parametrize("relative, count, name, title", [
    (EMU, 18, "ultimate_question", "Answer to the ultimate question"),
    ("wps/pywps-4.0_flyingpigeon_getcapabilities_1.0.0.xml", 81, "subset_countries", "Subset (World Countries)"),
    ("wps/52north-3.3.1_getcapabilities_1.0.0.xml", 7, "org.n52.wps.server.algorithm.test.EchoProcess",
     "Echo process"),
    ("wps/ceda-cows_getcapabilities_0.4-namespace.xml", 32, "NCDumpIt",
     "Calls ncdump on the input file path and writes it to an output file."),
])
def test_wps_processes_are_stored(session, tm, remote, add_service, relative, count, name, title):
    service_id = add_ows(remote, add_service, "wps", relative)
    result = sync(session, tm, service_id)
    assert result.ok and not result.problems and result.added == count + 1
    tree = stored(session, tm, service_id)
    assert len(tree["wps"]["children"]) == count
    process = find(tree, "wps", name)
    assert (process["resource_type"], process["resource_display_name"], process["children"]) == \
        ("process", title, {})
    assert remote.requests == ["/wps?service=WPS&request=GetCapabilities"]


def test_wps_2_uri_identifiers_are_skipped_naming_them(session, tm, remote, add_service):
    # A name holding '/' is not one POST .../resources accepts: adopt could never create it.
    service_id = add_ows(remote, add_service, "wps", "wps/ogc-spec-example_getcapabilities_2.0.0.xml")
    result = sync(session, tm, service_id)
    assert result.ok and result.added == 1
    assert len(result.problems) == 2 and all("cannot hold '/'" in problem for problem in result.problems)
    assert any("http://my.site/distance-transform/cost-distance" in problem for problem in result.problems)
    assert names(stored(session, tm, service_id)) == {"wps": {}}


def test_wps_resync_removes_a_gone_process_and_keeps_the_others(session, tm, remote, add_service):
    body = fixture_bytes(EMU)
    service_id = add_ows(remote, add_service, "wps", body=body)
    sync(session, tm, service_id)
    before = stored(session, tm, service_id)
    remote.add("/wps", body.replace(b"<ows:Identifier>sleep</ows:Identifier>",
                                    b"<ows:Identifier>deep_sleep</ows:Identifier>"))
    result = sync(session, tm, service_id)
    assert (result.added, result.removed, result.kept) == (1, 1, 18)
    after = stored(session, tm, service_id)
    assert "sleep" not in after["wps"]["children"] and "deep_sleep" in after["wps"]["children"]
    assert find(after, "wps", "nap")["id"] == find(before, "wps", "nap")["id"]


def test_wms_named_layers_at_any_depth_with_workspace_split(session, tm, remote, add_service):
    # GeoServer 1.1.1 with a DOCTYPE: opengeo:poi, and parent_layer holding the named child_layer.
    service_id = add_ows(remote, add_service, "wms", "wms/geoserver_wms_1.1.1_doctype.xml")
    result = sync(session, tm, service_id)
    assert result.ok and not result.problems
    tree = stored(session, tm, service_id)
    assert names(tree) == {"wms": {"opengeo": {"poi": {}}, "parent_layer": {}, "child_layer": {}}}
    assert find(tree, "wms", "opengeo")["resource_type"] == "workspace"
    poi = find(tree, "wms", "opengeo", "poi")
    assert (poi["resource_type"], poi["resource_display_name"]) == ("layer", "Points of Interest")
    assert find(tree, "wms", "child_layer")["resource_display_name"] == "Child Layer"
    assert remote.requests == ["/wms?service=WMS&request=GetCapabilities"]


@pytest.mark.parametrize("relative, expected", [
    ("wms/geoserver_dov_wms_1.3.0.xml", {"meetnetten": {}}),
    ("wms/mapserver_iem_wms_1.3.0_bad_bom.xml", {"nexrad_base_reflect": {}, "time_idx": {}, "nexrad-n0r-wmst": {}}),
    ("wms/thredds_ncwms_nccs_wms_1.3.0.xml",
     {"T": {}, "S": {}, "U": {}, "V": {}, "RHO": {}, "WMO": {}, "current": {}}),
])
def test_wms_layers_are_stored(session, tm, remote, add_service, relative, expected):
    service_id = add_ows(remote, add_service, "wms", relative)
    assert sync(session, tm, service_id).ok
    tree = stored(session, tm, service_id)
    assert names(tree) == {"wms": expected}
    assert {node["resource_type"] for node in tree["wms"]["children"].values()} == {"layer"}


def test_wms_doctype_with_internal_subset(session, tm, remote, add_service):
    service_id = add_ows(remote, add_service, "wms", "wms/jpl_onearth_wms_1.1.1_doctype_internal_subset.xml")
    assert sync(session, tm, service_id).added == 16
    tree = stored(session, tm, service_id)
    assert find(tree, "wms", "global_mosaic")["resource_display_name"] == "WMS Global Mosaic, pan sharpened"


def test_wfs_umlauts_in_names_under_their_workspace(session, tm, remote, add_service):
    # Esri ArcGIS, WFS 2.0.0, UTF-8: 86 feature types, all prefixed adressen_stadtteil:.
    service_id = add_ows(remote, add_service, "wfs", "wfs/arcgis_koeln_wfs_2.0.0.xml")
    result = sync(session, tm, service_id)
    assert result.ok and result.added == 1 + 1 + 86
    tree = stored(session, tm, service_id)
    workspace = find(tree, "wfs", "adressen_stadtteil")
    assert workspace["resource_type"] == "workspace" and len(workspace["children"]) == 86
    layer = find(tree, "wfs", "adressen_stadtteil", "Altstadt_Süd")
    assert (layer["resource_type"], layer["resource_display_name"]) == ("layer", "Altstadt_Süd")
    assert "Zündorf" in workspace["children"]
    assert remote.requests == ["/wfs?service=WFS&request=GetCapabilities"]


@pytest.mark.parametrize("relative, expected, title", [
    ("wfs/mapserver_wfs_1.0.0.xml", None, ("antarctic_ice_shelves_fill", "Antarctic ice shelves")),  # ISO-8859-1
    ("wfs/hsrs_wfs_1.1.0_windows-1250.xml",
     {"nuts1": {}, "nuts2": {}, "nuts3": {}, "states": {}, "orp": {}, "okresy": {}, "sidla": {}, "kraje": {}},
     ("kraje", "Kraje CR")),
    ("wfs/geoserver_dov_wfs_1.1.0.xml", {"gw_meetnetten": {"meetnetten": {}}}, None),
    ("wfs/geoserver_dov_wfs_2.0.0.xml", {"gw_meetnetten": {"meetnetten": {}}}, None),
])
def test_wfs_feature_types_are_stored(session, tm, remote, add_service, relative, expected, title):
    service_id = add_ows(remote, add_service, "wfs", relative)
    assert sync(session, tm, service_id).ok
    tree = stored(session, tm, service_id)
    if expected is None:
        assert len(tree["wfs"]["children"]) == 25
    else:
        assert names(tree) == {"wfs": expected}
    if title:
        assert find(tree, "wfs", title[0])["resource_display_name"] == title[1]


def test_service_url_with_a_query_string_keeps_its_other_parameters(session, tm, remote, add_service):
    remote.add("/geoserver/gw_meetnetten/ows?map=x&service=WMS&request=GetCapabilities",
               fixture_bytes("wms/geoserver_dov_wms_1.3.0.xml"))
    service_id = add_service(name="dov", url=remote.url + "/geoserver/gw_meetnetten/ows?map=x&SERVICE=WMS&",
                             type_="wms", sync_type="wms")
    assert sync(session, tm, service_id).ok
    assert names(stored(session, tm, service_id)) == {"dov": {"meetnetten": {}}}


def test_max_depth_one_keeps_workspaces_only(session, tm, remote, add_service):
    remote.add("/wms", fixture_bytes("wms/geoserver_wms_1.1.1_doctype.xml"))
    service_id = add_service(name="wms", url=remote.url + "/wms", type_="wms", sync_type="wms",
                             configuration={"max_depth": 1})
    sync(session, tm, service_id)
    tree = stored(session, tm, service_id)
    assert names(tree) == {"wms": {"opengeo": {}, "parent_layer": {}, "child_layer": {}}}
    assert find(tree, "wms", "opengeo")["resource_type"] == "workspace"


@pytest.mark.parametrize("kind", ["wps", "wms", "wfs"])
def test_exception_report_fails_with_its_text_and_keeps_the_last_good_tree(session, tm, remote, add_service,
                                                                         kind):
    good = {"wps": EMU, "wms": "wms/geoserver_dov_wms_1.3.0.xml", "wfs": "wfs/geoserver_dov_wfs_1.1.0.xml"}[kind]
    service_id = add_ows(remote, add_service, kind, good)
    sync(session, tm, service_id)
    before = stored(session, tm, service_id)
    assert before[kind]["children"]
    # Servers send exception reports with 200 as often as with 400.
    remote.add(f"/{kind}", OWS_EXCEPTION_REPORT)
    result = sync_fails(session, tm, service_id, "exception report: NoApplicableCode: Process store unavailable")
    assert f"{remote.url}/{kind}?service={kind.upper()}&request=GetCapabilities" in result.error
    assert stored(session, tm, service_id) == before


def test_exception_report_with_an_error_status_names_the_status(session, tm, remote, add_service):
    service_id = add_ows(remote, add_service, "wps", body=OWS_EXCEPTION_REPORT, status=400)
    result = sync_fails(session, tm, service_id, "HTTP 400")
    assert remote.url + "/wps?service=WPS&request=GetCapabilities" in result.error
    assert stored(session, tm, service_id) == {}


@pytest.mark.parametrize("kind, body, options, match", [
    ("wps", fixture_bytes("wms/geoserver_dov_wms_1.3.0.xml"), {}, "not a WPS Capabilities document"),
    ("wms", fixture_bytes("wfs/mapserver_wfs_1.0.0.xml"), {}, "not a WMS Capabilities document"),
    ("wfs", fixture_bytes(EMU), {}, "not a WFS Capabilities document"),
    ("wfs", b"<html><body>Login</body></html>", {"content_type": "text/html; charset=utf-8"},
     "expected a WFS Capabilities XML document, got an HTML page"),
    ("wms", b'{"layers": []}', {"content_type": "application/json"}, "malformed XML"),
    ("wps", b"", {}, "malformed XML|empty document"),
    ("wps", b"oops", {"status": 500, "content_type": "text/plain"}, "HTTP 500"),
])
def test_bad_documents_fail_naming_the_url_and_write_nothing(session, tm, remote, add_service, kind, body, options,
                                                             match):
    service_id = add_ows(remote, add_service, kind, body=body, **options)
    result = sync_fails(session, tm, service_id, match)
    assert f"{remote.url}/{kind}?service={kind.upper()}&request=GetCapabilities" in result.error
    assert stored(session, tm, service_id) == {}


def test_node_limit_fails_the_sync(session, tm, remote, add_service):
    remote.add("/wps", fixture_bytes(EMU))
    service_id = add_service(name="wps", url=remote.url + "/wps", type_="wps", sync_type="wps",
                             configuration={"max_nodes": 10})
    sync_fails(session, tm, service_id, "more than 10 remote nodes")
    assert stored(session, tm, service_id) == {}
