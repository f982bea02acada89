"""Partial crawls never look like deletions: a part of the remote tree that could not be read keeps
its stored nodes, unverified, on both databases."""
import json

from magpie import models
from magpie.helpers import sync_resources
from magpie.helpers.sync_resources import get_sync_history, merge_local_and_remote_resources
from magpie.resources.reconcile import clean_gone_resources
from magpie.resources.tree import add_resource, get_service_tree
from magpie.sync.status import get_sync_status
from tests.functional.sync.helpers import find, names, stored_tree, sync, sync_fails
from tests.support.thredds_catalogs import catalog_xml

JSON = "application/json"


def two_child_catalogs(remote):
    remote.add("/thredds/catalog.xml", catalog_xml(refs=[("catalog/a/catalog.xml", "A"),
                                                         ("catalog/b/catalog.xml", "B")]))
    remote.add("/thredds/catalog/a/catalog.xml", catalog_xml("a", files=[("x", "a/x.nc")]))
    remote.add("/thredds/catalog/b/catalog.xml", catalog_xml("b", files=[("y", "b/y.nc"), ("z", "b/sub/z.nc")]))


def test_a_child_catalog_answering_503_keeps_its_stored_nodes_unverified(session, tm, remote, add_service):
    two_child_catalogs(remote)
    service_id = add_service(url=remote.url + "/thredds", configuration={"retries": 0})
    first = sync(session, tm, service_id)
    assert first.status == "succeeded" and not first.partial_reasons
    with tm:
        service = session.get(models.Service, service_id)
        b = add_resource(session, service, "b", "directory")
        y = add_resource(session, service, "y.nc", "file", parent_id=b.resource_id)
        local_only = add_resource(session, service, "local.nc", "file", parent_id=b.resource_id)
        y_id, local_id = y.resource_id, local_only.resource_id
        last_sync = get_sync_status(service, session)["last_sync"]

    remote.add("/thredds/catalog/b/catalog.xml", b"", status=503)
    second = sync(session, tm, service_id)
    assert second.ok and second.status == "partial" and second.removed == 0
    assert second.unverified == 4  # b itself, y.nc, sub and sub/z.nc
    assert "child catalog not read" in second.partial_reasons[0] and "HTTP 503" in second.partial_reasons[0]
    with tm:
        tree = stored_tree(session, service_id)
    assert names(tree) == {"thredds": {"a": {"x.nc": {}}, "b": {"y.nc": {}, "sub": {"z.nc": {}}}}}
    z = find(tree, "thredds", "b", "sub", "z.nc")
    assert z["unverified"]["reason"] == second.partial_reasons[0]
    assert z["unverified"]["last_seen"] == last_sync  # seen by the first sync, not by this one
    assert find(tree, "thredds", "a", "x.nc").get("unverified") is None

    with tm:
        service = session.get(models.Service, service_id)
        merged = merge_local_and_remote_resources(get_service_tree(service, session), "thredds", service_id,
                                                  session)
        status = get_sync_status(service, session)
        history = get_sync_history(service_id, session)
        cleaned = clean_gone_resources(session, service, [y_id, local_id])
    for path in (("b", "y.nc"), ("b", "local.nc")):  # stored, and local below the unread part
        node = find(merged, "thredds", *path)
        assert node["matches_remote"] and node["unverified"]["reason"].startswith("child catalog not read")
    assert find(merged, "thredds", "a").get("unverified") is None
    assert (status["partial"], status["unverified"]) == (True, 4)
    assert history[0]["status"] == "partial" and history[0]["unverified"] == 4
    assert history[0]["partial_reasons"] == second.partial_reasons and history[1]["status"] == "succeeded"
    assert cleaned["removed"] == [] and {k["reason"] for k in cleaned["kept"]} == {"not_verified"}

    # Seen again: verified again, and what the catalog no longer lists is removed.
    remote.add("/thredds/catalog/b/catalog.xml", catalog_xml("b", files=[("y", "b/y.nc")]))
    third = sync(session, tm, service_id)
    assert third.status == "succeeded" and third.removed == 2 and third.unverified == 0
    with tm:
        tree = stored_tree(session, service_id)
        assert get_sync_status(session.get(models.Service, service_id), session)["partial"] is False
    assert names(tree) == {"thredds": {"a": {"x.nc": {}}, "b": {"y.nc": {}}}}
    assert find(tree, "thredds", "b").get("unverified") is None
    assert find(tree, "thredds", "b", "y.nc").get("unverified") is None


def test_fail_on_partial_fails_and_keeps_the_last_good_tree(session, tm, remote, add_service):
    two_child_catalogs(remote)
    service_id = add_service(url=remote.url + "/thredds", configuration={"retries": 0, "fail_on_partial": True})
    sync(session, tm, service_id)
    with tm:
        before = stored_tree(session, service_id)
    remote.add("/thredds/catalog/a/catalog.xml", b"", status=503)
    result = sync_fails(session, tm, service_id, "could not be read")
    assert result.status == "failed" and "HTTP 503" in result.error
    with tm:
        assert stored_tree(session, service_id) == before


def test_a_geoserver_workspace_whose_layers_fail_keeps_its_layers(session, tm, remote, add_service):
    remote.add("/rest/workspaces", json.dumps({"workspaces": {"workspace": [{"name": "ok"}, {"name": "bad"}]}}),
               content_type=JSON)
    remote.add("/rest/workspaces/ok/layers", json.dumps({"layers": {"layer": [{"name": "l1"}]}}), content_type=JSON)
    remote.add("/rest/workspaces/bad/layers", json.dumps({"layers": {"layer": [{"name": "l2"}]}}), content_type=JSON)
    service_id = add_service(name="geo", url=remote.url + "/rest", type_="geoserver", sync_type="geoserver-api",
                             configuration={"retries": 0})
    sync(session, tm, service_id)
    remote.add("/rest/workspaces/bad/layers", b"", status=503, content_type=JSON)
    result = sync(session, tm, service_id)
    assert result.status == "partial" and result.removed == 0 and "workspace 'bad'" in result.partial_reasons[0]
    with tm:
        tree = stored_tree(session, service_id)
    assert names(tree) == {"geo": {"ok": {"l1": {}}, "bad": {"l2": {}}}}
    assert find(tree, "geo", "bad", "l2")["unverified"] is not None


def test_a_stac_page_not_followed_keeps_the_collections_it_held(session, tm, remote, add_service):
    def page(ids, next_href=None):
        links = [{"rel": "next", "href": next_href}] if next_href else []
        return json.dumps({"collections": [{"id": i} for i in ids], "links": links})

    remote.add("/stac/collections", page(["c1"], "/stac/collections?page=2"), content_type=JSON)
    remote.add("/stac/collections?page=2", page(["c2"]), content_type=JSON)
    service_id = add_service(name="stac", url=remote.url + "/stac", type_="stac", sync_type="stac")
    sync(session, tm, service_id)
    remote.add("/stac/collections", page(["c1"], "http://elsewhere.invalid/stac/collections?page=2"),
               content_type=JSON)
    result = sync(session, tm, service_id)
    assert result.status == "partial" and result.removed == 0 and result.unverified == 2  # service node, c2
    with tm:
        tree = stored_tree(session, service_id)
    assert names(tree) == {"stac": {"c1": {}, "c2": {}}}
    assert find(tree, "stac", "c2")["unverified"]["reason"].startswith("skipped next page")


def test_the_budget_running_out_mid_body_fails_and_keeps_the_last_good_tree(session, tm, remote, add_service):
    two_child_catalogs(remote)
    service_id = add_service(url=remote.url + "/thredds", configuration={"retries": 0})
    sync(session, tm, service_id)
    with tm:
        good = stored_tree(session, service_id)
        session.get(models.Service, service_id).configuration = {"retries": 0, "time_budget": 1.0}
    # The body starts at once, then stalls past the deadline: a read timeout at the deadline.
    remote.routes["/thredds/catalog/b/catalog.xml"].trickle = 3.0
    result = sync_fails(session, tm, service_id, "time budget ran out")
    assert result.status == "failed"
    with tm:
        assert stored_tree(session, service_id) == good


def test_the_cron_log_says_which_services_were_partial(db_url, session, tm, remote, add_service, capsys):
    two_child_catalogs(remote)
    add_service(url=remote.url + "/thredds", configuration={"retries": 0})
    assert sync_resources.main(["--db", db_url]) == 0
    remote.add("/thredds/catalog/b/catalog.xml", b"", status=503)
    capsys.readouterr()
    assert sync_resources.main(["--db", db_url]) == 0  # partial is not a failure
    out = capsys.readouterr().out
    assert "partial sync, 4 node(s) kept unverified: child catalog not read" in out
    assert "1 service(s) synced, 0 failed; partial (parts not read, kept unverified): thredds" in out
