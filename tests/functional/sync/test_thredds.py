"""THREDDS sync against real HTTP servers on 127.0.0.1 serving real catalogs, on both databases."""
import datetime
import gc

import pytest
import sqlalchemy as sa

from magpie import models
from magpie.helpers.sync_resources import get_last_sync
from magpie.helpers.sync_services import SyncThredds
from tests.functional.sync.helpers import find, names, stored_tree, sync, sync_fails
from tests.support.remote_server import cassette_body, fixture_bytes
from tests.support.thredds_catalogs import catalog_xml

PAVICS = "thredds/tds5_pavics_twitcher_cmip6_datasetscan.cassette.yaml"
CMIP6_FILES = {
    "o3_Amon_GFDL-ESM4_historical_r1i1p1f1_gr1_185001-194912.nc": {},
    "prsn_day_CanESM5_historical_r1i1p1f1_gn_19910101-20101231.nc": {},
    "sic_SImon_CCCma-CanESM5_ssp245_r13i1p2f1_2020.nc": {},
    "snw_day_CanESM5_historical_r1i1p1f1_gn_19910101-20101231.nc": {},
}


def sync_info(session, tm, service_id):
    with tm:
        return session.execute(sa.select(models.RemoteResourcesSyncInfo).where(
            models.RemoteResourcesSyncInfo.service_id == service_id)).scalar_one()


def test_pavics_datasetscan_catalog_through_twitcher(session, tm, remote, add_service):
    remote.add("/twitcher/ows/proxy/thredds/catalog/birdhouse/testdata/xclim/cmip6/catalog.xml",
               cassette_body(PAVICS))
    service_id = add_service(url=remote.url + "/twitcher/ows/proxy/thredds", configuration={
        "start_catalog": "catalog/birdhouse/testdata/xclim/cmip6/catalog.xml", "max_depth": 6})
    result = sync(session, tm, service_id)
    assert result.ok and result.added == 9 and result.removed == 0
    with tm:
        tree = stored_tree(session, service_id)
    assert names(tree) == {"thredds": {"birdhouse": {"testdata": {"xclim": {"cmip6": CMIP6_FILES}}}}}
    leaf = find(tree, "thredds", "birdhouse", "testdata", "xclim", "cmip6",
                "o3_Amon_GFDL-ESM4_historical_r1i1p1f1_gr1_185001-194912.nc")
    assert leaf["resource_type"] == "file"
    assert find(tree, "thredds", "birdhouse")["resource_type"] == "directory"


def test_default_depth_is_three_levels(session, tm, remote, add_service):
    remote.add("/twitcher/ows/proxy/thredds/catalog/birdhouse/testdata/xclim/cmip6/catalog.xml",
               cassette_body(PAVICS))
    service_id = add_service(url=remote.url + "/twitcher/ows/proxy/thredds", configuration={
        "start_catalog": "catalog/birdhouse/testdata/xclim/cmip6/catalog.xml"})
    sync(session, tm, service_id)
    with tm:
        assert names(stored_tree(session, service_id)) == {"thredds": {"birdhouse": {"testdata": {"xclim": {}}}}}


def test_catalog_refs_are_followed_once_and_unreadable_children_keep_their_node(session, tm, remote, add_service):
    # Unidata's production top catalog: refs with sub-directories, names only in xlink:title.
    remote.add("/thredds/catalog.xml", fixture_bytes("thredds/unidata_tds43_top_catalog_catalogrefs.xml"))
    remote.add("/thredds/idd/modelsNcep.xml", catalog_xml(
        "NCEP", files=[("run.grib2", "model/NCEP/run.grib2")], refs=[("../catalog.xml", "back to top")]))
    service_id = add_service(url=remote.url + "/thredds")
    result = sync(session, tm, service_id)
    with tm:
        tree = stored_tree(session, service_id)
    idd = find(tree, "thredds", "idd")
    assert "modelsNcep.xml" in idd["children"]
    assert idd["children"]["modelsNcep.xml"]["resource_display_name"] == "NCEP Model Data"
    assert find(tree, "thredds", "model", "NCEP", "run.grib2")["resource_type"] == "file"
    # The other refs answer 404: their nodes stay, the problems are reported, the sync succeeds.
    assert "modelsFnmoc.xml" in idd["children"]
    assert result.ok and any("404" in problem for problem in result.problems)
    assert remote.requests.count("/thredds/catalog.xml") == 1
    assert remote.requests.count("/thredds/idd/modelsNcep.xml") == 1


def test_catalog_loop_terminates_and_each_catalog_is_read_once(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(refs=[("catalog/a/catalog.xml", "A")]))
    remote.add("/thredds/catalog/a/catalog.xml", catalog_xml(
        "a", files=[("x.nc", "a/x.nc")], refs=[("b/catalog.xml", "B"), ("/thredds/catalog.xml", "top")]))
    remote.add("/thredds/catalog/a/b/catalog.xml", catalog_xml(
        "b", files=[("y.nc", "a/b/y.nc")], refs=[("../catalog.xml", "A again"), ("../catalog.html", "A html")]))
    service_id = add_service(url=remote.url + "/thredds")
    result = sync(session, tm, service_id)
    assert result.ok and not result.problems
    with tm:
        assert names(stored_tree(session, service_id)) == {"thredds": {"a": {"x.nc": {}, "b": {"y.nc": {}}}}}
    assert sorted(remote.requests) == ["/thredds/catalog.xml", "/thredds/catalog/a/b/catalog.xml",
                                       "/thredds/catalog/a/catalog.xml"]


def test_resync_keeps_ids_removes_gone_nodes_and_adds_new_ones(session, tm, remote, add_service):
    # Defect of the anchor: every sync deleted and re-inserted all nodes, changing their ids.
    files = [("x.nc", "a/x.nc"), ("y.nc", "a/y.nc")]
    remote.add("/thredds/catalog.xml", lambda: catalog_xml(files=list(files)))
    service_id = add_service(url=remote.url + "/thredds")
    sync(session, tm, service_id)
    with tm:
        before = stored_tree(session, service_id)
    files[:] = [("x.nc", "a/x.nc"), ("z.nc", "a/z.nc")]
    result = sync(session, tm, service_id)
    assert (result.added, result.removed, result.kept) == (1, 1, 3)
    with tm:
        after = stored_tree(session, service_id)
    assert names(after) == {"thredds": {"a": {"x.nc": {}, "z.nc": {}}}}
    for path in (("thredds",), ("thredds", "a"), ("thredds", "a", "x.nc")):
        assert find(after, *path)["id"] == find(before, *path)["id"]


def test_sync_writes_with_bulk_statements_not_one_per_node(session, tm, remote, add_service, db_url):
    files = [(f"f{i}.nc", f"d{i % 10}/f{i}.nc") for i in range(2000)]
    remote.add("/thredds/catalog.xml", catalog_xml(files=files))
    service_id = add_service(url=remote.url + "/thredds")
    statements = []
    engine = session.get_bind()

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        result = sync(session, tm, service_id)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert result.added == 2011
    assert len(statements) < 40, statements


def test_failed_start_catalog_keeps_last_good_tree_and_records_error(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("x.nc", "x.nc")]))
    service_id = add_service(url=remote.url + "/thredds")
    sync(session, tm, service_id)
    with tm:
        good = stored_tree(session, service_id)
        last_sync = get_last_sync(service_id, session)
    remote.add("/thredds/catalog.xml", b"oops", status=500, content_type="text/plain")
    result = sync_fails(session, tm, service_id, "HTTP 500")
    assert remote.url + "/thredds/catalog.xml" in result.error
    with tm:
        assert stored_tree(session, service_id) == good
    info = sync_info(session, tm, service_id)
    assert info.last_sync == last_sync
    assert "HTTP 500" in info.last_error and info.last_attempt > last_sync


@pytest.mark.parametrize("body, match", [
    (b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<catalog xmlns="http://www.unidata.ucar.edu/namespaces/thredds/InvCatalog/v1.0"><dataset name="&lol3;"/></catalog>""",
     "refused unsafe XML"),
    (b"""<?xml version="1.0"?>
<!DOCTYPE catalog [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<catalog xmlns="http://www.unidata.ucar.edu/namespaces/thredds/InvCatalog/v1.0"><dataset name="&xxe;" urlPath="a"/></catalog>""",
     "refused unsafe XML"),
    (b"<catalog><dataset name='x'></catalog>", "malformed XML"),
    (b"<html><body>Not a catalog</body></html>", "not a THREDDS catalog"),
    (b"", "malformed XML|empty document"),
])
def test_hostile_or_broken_catalogs_are_refused(session, tm, remote, add_service, body, match):
    remote.add("/thredds/catalog.xml", body)
    service_id = add_service(url=remote.url + "/thredds")
    result = sync_fails(session, tm, service_id, match)
    assert remote.url in result.error
    with tm:
        assert stored_tree(session, service_id) == {}


def test_html_content_type_is_refused(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", b"<html></html>", content_type="text/html; charset=utf-8")
    service_id = add_service(url=remote.url + "/thredds")
    sync_fails(session, tm, service_id, "got an HTML page")


def test_slow_server_times_out(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(), delay=3)
    service_id = add_service(url=remote.url + "/thredds", configuration={"timeout": 0.5})
    sync_fails(session, tm, service_id, "timed out|no complete answer")


def test_trickling_server_hits_the_request_deadline(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[(f"f{i}", f"f{i}") for i in range(50)]), trickle=0.05)
    service_id = add_service(url=remote.url + "/thredds", configuration={"timeout": 0.5})
    sync_fails(session, tm, service_id, "no complete answer")


def test_oversized_catalog_is_refused(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[(f"f{i}", f"f{i}") for i in range(500)]))
    service_id = add_service(url=remote.url + "/thredds", configuration={"max_bytes": 10_000})
    sync_fails(session, tm, service_id, "exceeds the limit of 10000")


def test_node_limit_fails_the_sync_and_keeps_the_last_good_tree(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("a", "a")]))
    service_id = add_service(url=remote.url + "/thredds", configuration={"max_nodes": 5})
    sync(session, tm, service_id)
    remote.add("/thredds/catalog.xml", catalog_xml(files=[(f"f{i}", f"f{i}") for i in range(10)]))
    sync_fails(session, tm, service_id, "more than 5 remote nodes")
    with tm:
        assert names(stored_tree(session, service_id)) == {"thredds": {"a": {}}}


def test_legacy_06_catalog_with_doctype_and_off_origin_refs(session, tm, remote, add_service):
    # The DOCTYPE names a DTD on unidata.ucar.edu: it must not be fetched, and the absolute refs to
    # other hosts are skipped and reported.
    remote.add("/thredds/catalog.xml", fixture_bytes("thredds/thredds_v06_topcatalog_doctype.xml"))
    service_id = add_service(url=remote.url + "/thredds")
    result = sync(session, tm, service_id)
    assert result.ok
    assert len([p for p in result.problems if "outside the service's origin" in p]) == 9
    with tm:
        assert names(stored_tree(session, service_id)) == {"thredds": {}}


def test_legacy_06_namespace_datasets(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", fixture_bytes("thredds/idd_models_v06_namespace_251_datasets.xml"))
    service_id = add_service(url=remote.url + "/thredds", configuration={"max_depth": None})
    result = sync(session, tm, service_id)
    with tm:
        tree = stored_tree(session, service_id)
    assert result.ok and result.added > 100
    assert find(tree, "thredds", "dods", "model.new", "2003101612_eta_211.nc")["resource_display_name"] == \
        "NCEP Eta 80km CONUS 2003-10-16 12:00:00 GMT"


def test_html_catalog_url_is_read_as_its_xml_twin_and_redirects_are_followed(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", b"", status=302, location="/thredds/catalog/moved/catalog.xml")
    remote.add("/thredds/catalog/moved/catalog.xml", catalog_xml(files=[("m.nc", "moved/m.nc")],
                                                                 refs=[("sub/catalog.html", "Sub")]))
    remote.add("/thredds/catalog/moved/sub/catalog.xml", catalog_xml(files=[("s.nc", "moved/sub/s.nc")]))
    service_id = add_service(url=remote.url + "/thredds", configuration={"start_catalog": "catalog.html"})
    result = sync(session, tm, service_id)
    assert result.ok and not result.problems
    with tm:
        assert names(stored_tree(session, service_id)) == {"thredds": {"moved": {"m.nc": {}, "sub": {"s.nc": {}}}}}


def test_redirect_to_another_origin_is_refused(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", b"", status=302, location="http://127.0.0.2:9/thredds/catalog.xml")
    service_id = add_service(url=remote.url + "/thredds")
    sync_fails(session, tm, service_id, "outside the origins")


def test_unreachable_server(session, tm, add_service):
    service_id = add_service(url="http://127.0.0.1:9/thredds")
    sync_fails(session, tm, service_id, "cannot connect")


def test_last_sync_is_timezone_aware_utc(session, tm, remote, add_service):
    # Defect of the anchor: naive local timestamps.
    remote.add("/thredds/catalog.xml", catalog_xml())
    service_id = add_service(url=remote.url + "/thredds")
    with tm:
        assert get_last_sync(service_id, session) is None
    before = datetime.datetime.now(datetime.timezone.utc)
    sync(session, tm, service_id)
    with tm:
        last_sync = get_last_sync(service_id, session)
    assert last_sync.tzinfo is not None and last_sync.utcoffset() == datetime.timedelta(0)
    assert before <= last_sync <= datetime.datetime.now(datetime.timezone.utc)
    info = sync_info(session, tm, service_id)
    assert (info.added, info.removed, info.kept, info.last_error) == (1, 0, 0, None)
    assert info.last_duration >= 0


def test_delete_records_removes_the_stored_tree_and_commits(session, tm, remote, add_service):
    from magpie.helpers.sync_resources import _delete_records

    remote.add("/thredds/catalog.xml", catalog_xml(files=[("x", "d/x.nc")]))
    service_id = add_service(url=remote.url + "/thredds")
    sync(session, tm, service_id)
    with tm:
        assert _delete_records(service_id, session) == 3
    with tm:  # Core statements alone must still be committed by the transaction manager
        assert stored_tree(session, service_id) == {}
    assert sync(session, tm, service_id).added == 3


def test_create_main_resource_keeps_its_id_and_follows_a_rename(session, tm, add_service):
    from magpie.helpers.sync_resources import _create_main_resource

    service_id = add_service(name="before")
    with tm:
        main_id = _create_main_resource(service_id, session)
    with tm:
        assert stored_tree(session, service_id) == {"before": {
            "id": main_id, "remote_id": main_id, "resource_type": "service", "resource_display_name": "before",
            "children": {}}}
        session.get(models.Service, service_id).resource_name = "after"
        session.flush()
        assert _create_main_resource(service_id, session) == main_id
    with tm:
        assert list(stored_tree(session, service_id)) == ["after"]
        with pytest.raises(ValueError, match="no service with id 999"):
            _create_main_resource(999, session)


def test_a_sync_type_returning_a_malformed_tree_fails_cleanly(session, tm, add_service):
    from magpie.helpers.sync_services import SYNC_SERVICES_TYPES, SyncServiceInterface

    class Broken(SyncServiceInterface):
        sync_type = "broken-test-type"

        def get_children(self, http):
            return {"node": {"no": "children"}}

    SYNC_SERVICES_TYPES.register(Broken)
    try:
        service_id = add_service(name="broken", sync_type="broken-test-type")
        result = sync_fails(session, tm, service_id, "not one main node in the resource tree schema")
        assert f"service {service_id}" in result.error
        with tm:
            assert stored_tree(session, service_id) == {}
    finally:
        SYNC_SERVICES_TYPES._types.pop("broken-test-type")


def test_the_garbage_collector_runs_while_a_crawl_waits_on_the_network(remote):
    """The pause is process-wide: held across a network wait, it would pause the collector for
    every request thread of the web server for as long as the remote takes."""
    seen = []

    def answer(body: bytes):
        def record() -> bytes:
            seen.append(gc.isenabled())  # the remote server runs in this process
            return body
        return record

    remote.add("/thredds/catalog.xml", answer(catalog_xml(refs=[("sub/catalog.xml", "Sub")])))
    remote.add("/thredds/sub/catalog.xml", answer(catalog_xml(files=[("f", "sub/f.nc")])))
    tree = SyncThredds("thredds", remote.url + "/thredds").get_resources()
    assert names(tree) == {"thredds": {"sub": {"f.nc": {}}}}
    assert seen == [True, True] and gc.isenabled()
