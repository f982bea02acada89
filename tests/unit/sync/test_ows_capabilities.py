"""GetCapabilities parsing of every WPS, WMS and WFS fixture, and of exception reports."""
import pytest

from magpie.sync.remote.http import RemoteError
from magpie.sync.types.ows_capabilities import (
    capabilities_url, parse_wfs_feature_types, parse_wms_layers, parse_wps_processes, split_workspace,
)
from tests.support.remote_server import fixture_bytes

URL = "http://127.0.0.1:1/ows"


def chunked(body: bytes, size: int = 7):
    """Small chunks, so element boundaries fall between reads as they do on the network."""
    return [body[start:start + size] for start in range(0, len(body), size)]


def parse_fixture(parse, relative):
    entries = parse(chunked(fixture_bytes(relative)), URL)
    assert parse([fixture_bytes(relative)], URL) == entries  # chunking changes nothing
    return entries


@pytest.mark.parametrize("relative, count, expected", [
    ("wps/pywps-4.3_emu_getcapabilities_1.0.0.xml", 18,
     {"ultimate_question": "Answer to the ultimate question", "sleep": "Sleep Process",
      "simple_dry_run": "Simple Dry Run"}),
    # No XML declaration: the file starts with a comment.
    ("wps/pywps-4.0_flyingpigeon_getcapabilities_1.0.0.xml", 81,
     {"subset_countries": "Subset (World Countries)", "icclim_TX10p": "TX10p"}),
    # CRLF, Java-package identifiers.
    ("wps/52north-3.3.1_getcapabilities_1.0.0.xml", 7,
     {"org.n52.wps.server.algorithm.test.EchoProcess": "Echo process"}),
    # Pre-1.0 namespaces http://www.opengeospatial.net/wps and .../ows.
    ("wps/ceda-cows_getcapabilities_0.4-namespace.xml", 32,
     {"CDMSSubsetVariable": "Writes a text file and returns an output.",
      "NCDumpIt": "Calls ncdump on the input file path and writes it to an output file."}),
    # WPS 2.0: wps:Contents/wps:ProcessSummary, URI identifiers kept whole.
    ("wps/ogc-spec-example_getcapabilities_2.0.0.xml", 2,
     {"http://my.site/distance-transform/euclidean-distance": "Euclidean Distance",
      "http://my.site/distance-transform/cost-distance": "Cost Distance"}),
])
def test_wps_processes(relative, count, expected):
    entries = parse_fixture(parse_wps_processes, relative)
    assert len(entries) == count
    assert len({name for name, _ in entries}) == count
    titles = dict(entries)
    for name, title in expected.items():
        assert titles[name] == title


@pytest.mark.parametrize("relative, expected", [
    # A named layer holding a named child: both count; opengeo:poi keeps its prefix here.
    ("wms/geoserver_wms_1.1.1_doctype.xml",
     [("opengeo:poi", "Points of Interest"), ("parent_layer", "Parent Layer"), ("child_layer", "Child Layer")]),
    ("wms/geoserver_dov_wms_1.3.0.xml", [("meetnetten", "Grondwatermeetnetten")]),
    # Bogus FF FE byte order mark before ISO-8859-1 XML.
    ("wms/mapserver_iem_wms_1.3.0_bad_bom.xml",
     [("nexrad_base_reflect", "IEM WMS Service"), ("time_idx", "NEXRAD BASE REFLECT"),
      ("nexrad-n0r-wmst", "NEXRAD BASE REFLECT")]),
    # ncWMS: bare variable names under unnamed group layers.
    ("wms/thredds_ncwms_nccs_wms_1.3.0.xml",
     [("T", "potential_temperature"), ("S", "salinity"), ("U", "eastward_current"), ("V", "northward_current"),
      ("RHO", "density"), ("WMO", "upward_mass_transport"), ("current", "current")]),
])
def test_wms_layers(relative, expected):
    entries = parse_fixture(parse_wms_layers, relative)
    assert [name for name, _ in entries] == [name for name, _ in expected]
    for name, title in expected:
        assert dict(entries)[name] == title


def test_wms_doctype_with_internal_subset():
    entries = parse_fixture(parse_wms_layers, "wms/jpl_onearth_wms_1.1.1_doctype_internal_subset.xml")
    assert len(entries) == 15
    assert entries[0] == ("global_mosaic", "WMS Global Mosaic, pan sharpened")
    assert entries[-1] == ("gdem", "ASTER DEM, tiled only, 1.5 arc-second per pixel")


def test_bogus_bom_is_what_made_the_iem_document_special():
    body = fixture_bytes("wms/mapserver_iem_wms_1.3.0_bad_bom.xml")
    assert body[:2] == b"\xff\xfe"
    assert parse_wms_layers([body], URL) == parse_wms_layers([body[2:]], URL)


@pytest.mark.parametrize("relative, count, expected", [
    ("wfs/mapserver_wfs_1.0.0.xml", 25,  # ISO-8859-1, WFS 1.0.0 without ows
     {"antarctic_ice_shelves_fill": "Antarctic ice shelves", "south_poles_wfs": "South Poles"}),
    ("wfs/geoserver_dov_wfs_1.1.0.xml", 1, {"gw_meetnetten:meetnetten": "Grondwatermeetnetten"}),
    ("wfs/geoserver_dov_wfs_2.0.0.xml", 1, {"gw_meetnetten:meetnetten": "Grondwatermeetnetten"}),
    ("wfs/arcgis_koeln_wfs_2.0.0.xml", 86,  # UTF-8 umlauts in names
     {"adressen_stadtteil:Altstadt_Süd": "Altstadt_Süd", "adressen_stadtteil:Zündorf": "Zündorf"}),
    ("wfs/hsrs_wfs_1.1.0_windows-1250.xml", 8, {"nuts1": "NUTS1", "kraje": "Kraje CR"}),
])
def test_wfs_feature_types(relative, count, expected):
    entries = parse_fixture(parse_wfs_feature_types, relative)
    assert len(entries) == count
    assert len({name for name, _ in entries}) == count
    for name, title in expected.items():
        assert dict(entries)[name] == title


@pytest.mark.parametrize("encoding", ["windows-1250", "ISO-8859-2", "ISO-8859-1"])
def test_body_is_decoded_per_its_declaration(encoding):
    title = "Hraniční přechody" if encoding != "ISO-8859-1" else "Straßen und Plätze"
    body = (f'<?xml version="1.0" encoding="{encoding}"?>\n'
            '<WFS_Capabilities xmlns="http://www.opengis.net/wfs" version="1.1.0"><FeatureTypeList>'
            f'<FeatureType><Name>cz:přechody</Name><Title>{title}</Title></FeatureType>'
            '</FeatureTypeList></WFS_Capabilities>').encode(encoding, errors="replace")
    name = "cz:přechody" if encoding != "ISO-8859-1" else "cz:p?echody"
    assert parse_wfs_feature_types(chunked(body, 3), URL) == [(name, title)]


def test_only_direct_children_name_and_title_an_item():
    # A WMS <Style> has its own Name/Title; a layer whose Title comes after a child layer keeps it.
    body = b"""<WMT_MS_Capabilities version="1.1.1"><Capability><Layer><Title>root</Title>
      <Layer><Style><Name>style</Name><Title>Style</Title></Style><Name> a </Name>
        <Layer><Name>b</Name></Layer><Title>
           Layer   A </Title></Layer>
      <Layer><Name></Name><Title>empty name</Title></Layer>
    </Layer></Capability></WMT_MS_Capabilities>"""
    assert parse_wms_layers(chunked(body), URL) == [("a", "Layer A"), ("b", "")]


EXCEPTION_REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="1.0.0" xml:lang="en-US">
  <ows:Exception exceptionCode="NoApplicableCode" locator="service">
    <ows:ExceptionText>Unknown service
       type WPS</ows:ExceptionText>
  </ows:Exception>
  <ows:Exception exceptionCode="OperationNotSupported"/>
</ows:ExceptionReport>"""

SERVICE_EXCEPTION_REPORT = b"""<?xml version='1.0' encoding="ISO-8859-1" standalone="no" ?>
<ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc">
<ServiceException code="InvalidFormat">
msWMSLoadGetMapParams(): WMS server error. Image format invalid.
</ServiceException>
</ServiceExceptionReport>"""


@pytest.mark.parametrize("parse", [parse_wps_processes, parse_wms_layers, parse_wfs_feature_types])
def test_ows_exception_report_raises_with_its_text(parse):
    with pytest.raises(RemoteError) as caught:
        parse(chunked(EXCEPTION_REPORT), URL)
    assert caught.value.url == URL
    assert str(caught.value) == (f"{URL}: the service answered with an exception report: "
                                 "NoApplicableCode (service): Unknown service type WPS | OperationNotSupported")


def test_wms_service_exception_report_raises_with_its_text():
    with pytest.raises(RemoteError, match="InvalidFormat: msWMSLoadGetMapParams.*Image format invalid"):
        parse_wms_layers([SERVICE_EXCEPTION_REPORT], URL)


@pytest.mark.parametrize("parse, relative", [
    (parse_wps_processes, "wms/geoserver_wms_1.1.1_doctype.xml"),
    (parse_wms_layers, "wfs/mapserver_wfs_1.0.0.xml"),
    (parse_wfs_feature_types, "wps/pywps-4.3_emu_getcapabilities_1.0.0.xml"),
    (parse_wfs_feature_types, "thredds/tds_default_startup_catalog.xml"),
])
def test_a_document_of_another_kind_is_refused(parse, relative):
    with pytest.raises(RemoteError, match=r"^http://127\.0\.0\.1:1/ows: not a W[PMF]S Capabilities document"):
        parse([fixture_bytes(relative)], URL)


def test_capabilities_of_another_ows_service_do_not_pass_for_a_wps():
    wcs = b'<wcs:Capabilities xmlns:wcs="http://www.opengis.net/wcs/2.0" version="2.0.1"/>'
    with pytest.raises(RemoteError, match="not a WPS Capabilities document"):
        parse_wps_processes([wcs], URL)
    no_namespace = b'<Capabilities service="WPS" version="1.0.0"><ProcessOfferings><Process>' \
                   b'<Identifier>p</Identifier></Process></ProcessOfferings></Capabilities>'
    assert parse_wps_processes([no_namespace], URL) == [("p", "")]


@pytest.mark.parametrize("body, match", [
    (b"", "malformed XML|empty document"),
    (b"<html><body>Service unavailable</body></html>", "not a WMS Capabilities document"),
    (b"<WMS_Capabilities><Capability><Layer>", "malformed XML"),
    (b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<WMS_Capabilities><Capability><Layer><Name>&lol2;</Name></Layer></Capability></WMS_Capabilities>""",
     "refused unsafe XML"),
])
def test_broken_or_hostile_bodies_are_refused(body, match):
    with pytest.raises(RemoteError, match=match):
        parse_wms_layers([body], URL)


@pytest.mark.parametrize("name, path", [
    ("opengeo:poi", ("opengeo", "poi")),
    ("adressen_stadtteil:Altstadt_Süd", ("adressen_stadtteil", "Altstadt_Süd")),
    ("a:b:c", ("a", "b:c")),
    ("T", ("T",)),
    (":x", (":x",)),
    ("x:", ("x:",)),
])
def test_split_workspace(name, path):
    assert split_workspace(name) == path


@pytest.mark.parametrize("url, service, expected", [
    ("http://h/wps", "WPS", "http://h/wps?service=WPS&request=GetCapabilities"),
    ("http://h/wps/", "WPS", "http://h/wps/?service=WPS&request=GetCapabilities"),
    ("http://h/geoserver/gw/ows?SERVICE=WMS&", "WFS", "http://h/geoserver/gw/ows?service=WFS&request=GetCapabilities"),
    ("http://h/cgi-bin/mapserv?map=/x.map&Request=GetMap#frag", "WMS",
     "http://h/cgi-bin/mapserv?map=%2Fx.map&service=WMS&request=GetCapabilities"),
])
def test_capabilities_url(url, service, expected):
    assert capabilities_url(url, service) == expected
