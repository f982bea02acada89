"""Remote node ids are never reused, on both databases."""
import pytest

from magpie import models
from magpie.errors import ConflictError
from magpie.resources.reconcile import adopt_remote_resource
from magpie.resources.tree import get_service_tree
from tests.functional.sync.helpers import find, stored_tree, sync
from tests.support.thredds_catalogs import catalog_xml


def test_the_id_of_a_removed_node_is_never_given_to_a_new_one(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("a", "a.nc"), ("b", "b.nc")]))
    service_id = add_service(url=remote.url + "/thredds")
    sync(session, tm, service_id)
    with tm:
        removed_id = find(stored_tree(session, service_id), "thredds", "b.nc")["remote_id"]
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("a", "a.nc")]))
    sync(session, tm, service_id)  # b.nc, the newest id, is removed
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("a", "a.nc"), ("c", "c.nc")]))
    sync(session, tm, service_id)
    with tm:
        new_id = find(stored_tree(session, service_id), "thredds", "c.nc")["remote_id"]
    assert new_id > removed_id


def test_adopt_refuses_a_node_that_is_no_longer_where_the_caller_saw_it(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("f", "a/f.nc")]))
    service_id = add_service(url=remote.url + "/thredds")
    sync(session, tm, service_id)
    with tm:
        remote_id = find(stored_tree(session, service_id), "thredds", "a", "f.nc")["remote_id"]
        service = session.get(models.Service, service_id)
        with pytest.raises(ConflictError, match="now at 'a/f.nc', not 'b/f.nc'"):
            adopt_remote_resource(session, service, remote_id, expected_path=["b", "f.nc"])
        assert get_service_tree(service, session)[service.resource_name]["children"] == {}
        answer = adopt_remote_resource(session, service, remote_id, expected_path=["a", "f.nc"])
    assert len(answer["created"]) == 2


def test_magpie_shapes_of_the_stored_tree_and_the_crawl(session, tm, remote, add_service):
    from magpie.helpers.sync_resources import _get_remote_resources

    remote.add("/thredds/catalog.xml", catalog_xml(files=[("f", "a/f.nc")]))
    service_id = add_service(url=remote.url + "/thredds")
    sync(session, tm, service_id)
    with tm:
        tree = stored_tree(session, service_id)
        crawled = _get_remote_resources(session.get(models.Service, service_id))
    main, node = tree["thredds"], find(tree, "thredds", "a", "f.nc")
    assert main["remote_id"] == main["id"] and node["remote_id"] == node["id"] is not None
    assert list(crawled) == ["thredds"] and list(crawled["thredds"]["children"]["a"]["children"]) == ["f.nc"]
