"""Remote input that cannot be stored, plugins that break, and writes that fail: a failed sync
writes nothing, one failing service never stops the others, on both databases."""
import json

import pytest

from magpie import models
from magpie.helpers import sync_resources
from magpie.helpers.sync_services import SYNC_SERVICES_TYPES, SyncServiceInterface
from magpie.sync.config import MAX_TREE_DEPTH
from tests.functional.sync.helpers import names, stored_tree, sync, sync_fails
from tests.support.thredds_catalogs import catalog_xml

JSON = "application/json"


@pytest.fixture
def plugin():
    """Register sync types for one test, removed afterwards."""
    added = []

    def register(cls):
        SYNC_SERVICES_TYPES.register(cls)
        added.append(cls.sync_type)
        return cls

    yield register
    for name in added:
        SYNC_SERVICES_TYPES.unregister(name)


def projects(remote, *ids):
    remote.add("/api/Projects", json.dumps([{"id": i, "name": f"project {i}"} for i in ids]), content_type=JSON)


def test_names_that_cannot_be_stored_are_skipped_naming_the_node(session, tm, remote, add_service):
    projects(remote, "1", "2")
    service_id = add_service(name="projects", url=remote.url + "/api", type_="project-api", sync_type="project-api")
    sync(session, tm, service_id)
    # json.loads gives a lone surrogate for "\ud800": no database encoding can hold it.
    bad = ["bad\ud800", "x" * 513, "nul\x00", "a/b", "..", "."]
    projects(remote, "3", *bad)
    result = sync(session, tm, service_id)
    assert result.ok and result.added == 1 and result.removed == 2
    skipped = [problem for problem in result.problems if problem.startswith("skipped remote node")]
    assert len(skipped) == len(bad)
    assert any("'bad\\\\ud800'" in problem and "lone surrogates" in problem for problem in skipped)
    assert any("'..'" in problem for problem in skipped)
    with tm:
        assert names(stored_tree(session, service_id)) == {"projects": {"3": {}}}
        history = sync_resources.get_sync_history(service_id, session)
    assert history[0]["status"] == "succeeded"


def test_a_write_the_database_refuses_writes_nothing_and_is_recorded(session, tm, add_service, plugin):
    @plugin
    class Ordered(SyncServiceInterface):
        sync_type = "ordered-test-type"
        ordering = 0

        def get_children(self, http):
            if Ordered.ordering:  # a value no INTEGER column of either database holds
                return {"c": {"children": {}, "resource_type": "route", "ordering": Ordered.ordering}}
            return {name: {"children": {}, "resource_type": "route"} for name in ("a", "b")}

    service_id = add_service(name="ordered", sync_type="ordered-test-type")
    sync(session, tm, service_id)
    with tm:
        before = stored_tree(session, service_id)
    Ordered.ordering = 2 ** 70
    result = sync_fails(session, tm, service_id, "database error: ")
    assert "nothing of this sync was written" in result.error
    with tm:
        assert stored_tree(session, service_id) == before  # the deletes of a and b were undone
        history = sync_resources.get_sync_history(service_id, session)
        info = session.query(models.RemoteResourcesSyncInfo).filter_by(service_id=service_id).one()
    assert history[0]["status"] == "failed" and history[0]["error"] == result.error
    assert info.last_error == result.error


def test_a_broken_plugin_between_two_healthy_services(db_url, session, tm, remote, add_service, plugin, capsys):
    @plugin
    class Broken(SyncServiceInterface):
        sync_type = "keyerror-test-type"

        def get_children(self, http):
            return {}["missing"]

    remote.add("/a/catalog.xml", catalog_xml(files=[("x", "x.nc")]))
    remote.add("/c/catalog.xml", catalog_xml(files=[("y", "y.nc")]))
    first = add_service(name="a", url=remote.url + "/a")
    broken = add_service(name="b", sync_type="keyerror-test-type")
    last = add_service(name="c", url=remote.url + "/c")
    assert sync_resources.main(["--db", db_url]) == 1
    with tm:
        assert names(stored_tree(session, first)) == {"a": {"x.nc": {}}}
        assert names(stored_tree(session, last)) == {"c": {"y.nc": {}}}
        error = sync_resources.get_sync_history(broken, session)[0]["error"]
    assert error == "unexpected KeyError: 'missing'"  # the traceback is in the log only
    out = capsys.readouterr().out
    assert "Traceback" in out and "2 service(s) synced, 1 failed: b" in out


def test_a_5000_level_path_fails_with_the_depth_limit(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("ok", "ok.nc")]))
    service_id = add_service(url=remote.url + "/thredds", configuration={"max_depth": None})
    sync(session, tm, service_id)
    with tm:
        before = stored_tree(session, service_id)
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("deep", "/".join(["d"] * 5000) + "/f.nc")]))
    result = sync_fails(session, tm, service_id, f"deeper than {MAX_TREE_DEPTH} levels")
    assert result.status == "failed"
    with tm:
        assert stored_tree(session, service_id) == before


def test_a_plugin_tree_deeper_than_the_limit_fails(session, tm, add_service, plugin):
    @plugin
    class Deep(SyncServiceInterface):
        sync_type = "deep-test-type"

        def get_children(self, http):
            tree = level = {}
            for _ in range(MAX_TREE_DEPTH + 1):
                level["n"] = {"children": {}, "resource_type": "route"}
                level = level["n"]["children"]
            return tree

    service_id = add_service(name="deep", sync_type="deep-test-type")
    sync_fails(session, tm, service_id, f"deeper than {MAX_TREE_DEPTH} levels")
    with tm:
        assert stored_tree(session, service_id) == {}
