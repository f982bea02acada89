"""merge_local_and_remote_resources over stored trees, on both databases."""
import copy

import sqlalchemy as sa

from magpie import models
from magpie.resources.tree import add_resource, get_service_tree
from magpie.helpers.sync_resources import fetch_single_service, merge_local_and_remote_resources
from magpie.helpers.sync_services import is_valid_resource_schema
from tests.functional.sync.helpers import find
from tests.support.thredds_catalogs import catalog_xml


def test_merged_tree_after_sync(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("Kept file", "a/kept.nc"), ("New", "a/new.nc"),
                                                          ("Deep", "a/b/c/d/deep.nc")]))
    service_id = add_service(url=remote.url + "/thredds")
    with tm:
        service = session.get(models.Service, service_id)
        a = add_resource(session, service, "a", "directory")
        add_resource(session, service, "kept.nc", "file", parent_id=a.resource_id)
        add_resource(session, service, "gone.nc", "file", parent_id=a.resource_id)
        b = add_resource(session, service, "b", "directory", parent_id=a.resource_id)
        c = add_resource(session, service, "c", "directory", parent_id=b.resource_id)
        add_resource(session, service, "other", "directory", parent_id=c.resource_id)
        fetch_single_service(service_id, session)

    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.split()[0].upper())

    with tm:
        service = session.get(models.Service, service_id)
        local = get_service_tree(service, session)
        before = copy.deepcopy(local)
        sa.event.listen(session.get_bind(), "before_cursor_execute", record)
        try:
            merged = merge_local_and_remote_resources(local, "thredds", service_id, session)
        finally:
            sa.event.remove(session.get_bind(), "before_cursor_execute", record)
    assert local == before
    assert set(statements) == {"SELECT"}  # reading never writes
    assert is_valid_resource_schema(merged)
    root = merged["thredds"]
    assert root["id"] == service_id and root["matches_remote"] and root["remote_id"] is not None
    a_node = find(merged, "thredds", "a")
    assert list(a_node["children"]) == ["b", "gone.nc", "kept.nc", "new.nc"]
    kept = find(merged, "thredds", "a", "kept.nc")
    assert kept["matches_remote"] and kept["id"] is not None and kept["permission_names"] == ["browse", "read", "write"]
    gone = find(merged, "thredds", "a", "gone.nc")
    assert (gone["matches_remote"], gone["remote_id"]) == (False, None)
    new = find(merged, "thredds", "a", "new.nc")
    assert new["id"] is None and new["matches_remote"] and new["resource_display_name"] == "New"
    # The default depth is 3: a/b/c is compared, a/b/c/other lies beyond and is not judged.
    assert find(merged, "thredds", "a", "b", "c")["matches_remote"]
    other = find(merged, "thredds", "a", "b", "c", "other")
    assert other["matches_remote"] and other["beyond_max_depth"]


def test_renamed_service_still_matches_its_remote_main_node(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("x", "x.nc")]))
    service_id = add_service(name="before", url=remote.url + "/thredds")
    with tm:
        fetch_single_service(service_id, session)
    with tm:
        service = session.get(models.Service, service_id)
        service.resource_name = "after"
        session.flush()
        add_resource(session, service, "x.nc", "file")
        merged = merge_local_and_remote_resources(get_service_tree(service, session), "thredds", service_id, session)
    assert merged["after"]["matches_remote"]
    assert find(merged, "after", "x.nc")["matches_remote"]


def test_never_synced_service_has_no_remote_matches(session, tm, add_service):
    service_id = add_service()
    with tm:
        service = session.get(models.Service, service_id)
        add_resource(session, service, "x", "directory")
        merged = merge_local_and_remote_resources(get_service_tree(service, session), "thredds", service_id, session)
    assert merged["thredds"]["remote_id"] is None
    assert find(merged, "thredds", "x")["matches_remote"] is False
