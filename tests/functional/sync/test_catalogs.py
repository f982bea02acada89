"""Catalogs written by more servers than TDS (fixtures written from the InvCatalog 1.0
specification, see tests/fixtures/MANIFEST.md), on both databases."""
from tests.functional.sync.helpers import find, names, stored_tree, sync
from tests.support.remote_server import fixture_bytes
from tests.support.thredds_catalogs import catalog_xml


def test_hyrax_catalogs_name_files_below_the_registered_service(session, tm, remote, add_service):
    # Catalogs are read below /opendap/, the data is served below /opendap/hyrax/ and each
    # dataset's urlPath sits on its access elements, with a leading '/'.
    remote.add("/opendap/catalog.xml", fixture_bytes("thredds/written_hyrax_top_catalog.xml"))
    remote.add("/opendap/nc/catalog.xml", fixture_bytes("thredds/written_hyrax_nc_catalog.xml"))
    service_id = add_service(name="hyrax", url=remote.url + "/opendap", configuration={"max_depth": None})
    result = sync(session, tm, service_id)
    assert result.ok and not result.problems
    with tm:
        tree = stored_tree(session, service_id)
    assert names(tree) == {"hyrax": {"nc": {}, "data": {"README.txt": {}, "nc": {
        "fnoc1.nc": {}, "coads_climatology.nc": {}}}}}
    assert find(tree, "hyrax", "data", "nc", "fnoc1.nc")["resource_type"] == "file"


def test_access_elements_inherited_service_names_and_compound_services(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", fixture_bytes("thredds/written_tds_access_inherited_compound.xml"))
    service_id = add_service(url=remote.url + "/thredds", configuration={"max_depth": None})
    assert sync(session, tm, service_id).ok
    with tm:
        tree = stored_tree(session, service_id)
    assert names(tree) == {"thredds": {
        "ocean": {"2026": {"run_01.nc": {}, "run_02.nc": {}}},
        "maps": {"sst.nc": {}},  # the urlPath follows its own service's base, /thredds/wms/maps/
    }}
    assert find(tree, "thredds", "ocean", "2026", "run_02.nc")["resource_display_name"] == "Run of February"


def test_a_catalog_url_holding_a_double_slash_is_requested_as_written(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(refs=[("catalog/a//b/catalog.xml", "B")]))
    remote.add("/thredds/catalog/a//b/catalog.xml", catalog_xml("b", files=[("f", "a/b/f.nc")]))
    service_id = add_service(url=remote.url + "/thredds", configuration={"max_depth": None})
    result = sync(session, tm, service_id)
    assert result.ok and not result.problems
    assert "/thredds/catalog/a//b/catalog.xml" in remote.requests
    with tm:
        assert names(stored_tree(session, service_id)) == {"thredds": {"a": {"b": {"f.nc": {}}}}}


def test_a_catalog_ref_to_another_host_is_followed_only_when_allowed(session, tm, remote, add_service):
    other = remote.__class__().start()
    try:
        other.add("/elsewhere/catalog.xml", catalog_xml("other", files=[("x", "x.nc")]))
        remote.add("/thredds/catalog.xml", catalog_xml(files=[("a", "a.nc")],
                                                       refs=[(other.url + "/elsewhere/catalog.xml", "Other")]))
        service_id = add_service(url=remote.url + "/thredds")
        result = sync(session, tm, service_id)
        assert result.ok and result.problems == [
            f"skipped catalogRef outside the service's origin: {other.url}/elsewhere/catalog.xml"]
        assert other.requests == []
        with tm:
            assert names(stored_tree(session, service_id)) == {"thredds": {"a.nc": {}}}
        add_service_configuration(session, tm, service_id, {"allowed_origins": [other.url]})
        result = sync(session, tm, service_id)
        # Followed although its path lies outside the service path; its datasets are named by urlPath.
        assert result.ok and not result.problems and other.requests == ["/elsewhere/catalog.xml"]
        with tm:
            assert names(stored_tree(session, service_id)) == {"thredds": {"a.nc": {}, "x.nc": {}}}
    finally:
        other.stop()


def add_service_configuration(session, tm, service_id, configuration):
    from magpie import models

    with tm:
        session.get(models.Service, service_id).configuration = configuration
