"""Sync over the API against a real THREDDS server on 127.0.0.1, then clean and adopt."""
import datetime

import pytest

from magpie import db
from tests.support.thredds_catalogs import catalog_xml

FILES = [("x.nc", "a/x.nc"), ("y.nc", "a/y.nc"), ("z.nc", "b/z.nc")]


def names(tree: dict) -> dict:
    return {name: names(node["children"]) for name, node in tree.items()}


def find(tree: dict, *path: str) -> dict:
    node = {"children": tree}
    for name in path:
        node = node["children"][name]
    return node


@pytest.fixture
def thredds(remote, create_service):
    """A synced-able THREDDS service whose catalog the test can change through ``files``."""
    files = list(FILES)
    remote.add("/thredds/catalog.xml", lambda: catalog_xml(files=list(files)))
    service = create_service("thredds", url=remote.url + "/thredds")
    service["files"] = files
    return service


def add(api, name, resource_type, parent_id=None):
    body = {"resource_name": name, "resource_type": resource_type}
    if parent_id:
        body["parent_id"] = parent_id
    return api.post("/services/thredds/resources", body, status=201).json["resource"]["resource_id"]


def parse_utc(text: str) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(text)
    assert value.utcoffset() == datetime.timedelta(0)
    return value


def test_sync_then_status_and_merged_tree(api, thredds):
    before = datetime.datetime.now(datetime.timezone.utc)
    answer = api.post("/services/thredds/sync?wait=true").json
    result = answer["result"]
    assert (result["added"], result["removed"], result["kept"], result["error"]) == (6, 0, 0, None)
    assert result["duration"] >= 0 and result["dry_run"] is False
    status = api.get(f"/services/{thredds['resource_id']}/sync").json["sync"]
    assert status == answer["sync"]
    assert before <= parse_utc(status["last_sync"]) <= datetime.datetime.now(datetime.timezone.utc)
    assert status["last_error"] is None and status["out_of_sync"] is False and status["max_depth"] == 3

    a = add(api, "a", "directory")
    add(api, "x.nc", "file", a)
    add(api, "gone.nc", "file", a)
    tree = api.get("/services/thredds/resources?sync=true").json
    assert tree["sync"] == status
    merged = tree["resources"]
    assert names(merged) == {"thredds": {"a": {"gone.nc": {}, "x.nc": {}, "y.nc": {}}, "b": {"z.nc": {}}}}
    assert find(merged, "thredds", "a", "x.nc")["matches_remote"] is True
    gone = find(merged, "thredds", "a", "gone.nc")
    assert gone["matches_remote"] is False and gone["remote_id"] is None
    remote_only = find(merged, "thredds", "a", "y.nc")
    # A remote-only node carries the names of its type: it can be granted on (its path is created then).
    assert remote_only["id"] is None and remote_only["remote_id"] and \
        remote_only["permission_names"] == ["browse", "read", "write"]
    # Without sync the tree is the local one only.
    assert names(api.get("/services/thredds/resources?sync=0").json["resources"]) == \
        {"thredds": {"a": {"gone.nc": {}, "x.nc": {}}}}


def test_dry_run_answers_the_diff_and_writes_nothing(api, thredds):
    answer = api.post("/services/thredds/sync?dry_run=true&wait=true").json
    assert answer["result"]["dry_run"] is True and answer["result"]["added"] == 6
    assert sorted(answer["result"]["preview"]["added"])[:2] == ["a", "a/x.nc"]
    assert answer["sync"]["last_sync"] is None
    assert api.get("/services/thredds/resources?sync=true").json["sync"]["last_attempt"] is None
    api.post("/services/thredds/sync?dry_run=maybe", status=400)


def test_failed_sync_is_502_recorded_and_keeps_the_last_good_tree(api, thredds, remote):
    api.post("/services/thredds/sync?wait=true")
    good = api.get("/services/thredds/resources?sync=true").json["resources"]
    remote.add("/thredds/catalog.xml", b"oops", status=500, content_type="text/plain")
    answer = api.post("/services/thredds/sync?wait=true", status=502).json
    assert "HTTP 500" in answer["result"]["error"] and remote.url in answer["result"]["error"]
    # The error was committed although the answer is an error.
    status = api.get("/services/thredds/sync").json["sync"]
    assert "HTTP 500" in status["last_error"]
    assert parse_utc(status["last_attempt"]) > parse_utc(status["last_sync"])
    assert api.get("/services/thredds/resources?sync=true").json["resources"] == good


def test_sync_refused_without_sync_type_or_while_running(api, thredds, create_service, session, tm):
    create_service("plain", service_type="wps", sync_type=None)
    assert api.post("/services/plain/sync", status=409).json["detail"] == "service 'plain' has no sync type"
    api.post("/services/nope/sync", status=404)
    with tm:
        db.hold_sync_lock(session, thredds["resource_id"])
        answer = api.post("/services/thredds/sync?wait=true", status=409)
    assert answer.json["detail"].startswith(f"sync already running for service {thredds['resource_id']}")
    assert answer.json["run"]["status"] == "failed"
    api.post("/services/thredds/sync?wait=true", status=200)


def test_clean_removes_only_resources_gone_now_and_listed(api, thredds):
    api.post("/services/thredds/sync?wait=true")
    a = add(api, "a", "directory")
    x = add(api, "x.nc", "file", a)
    gone = add(api, "gone.nc", "file", a)
    old = add(api, "old", "directory")
    old_child = add(api, "inner.nc", "file", old)
    unlisted_gone = add(api, "also-gone.nc", "file", a)
    sid = thredds["resource_id"]
    answer = api.post("/services/thredds/resources/clean",
                      {"resource_ids": [gone, old, x, sid, 2147483647, gone]}).json
    assert answer["removed"] == [gone, old]
    assert answer["removed_descendants"] == [old_child]
    assert [(k["resource_id"], k["reason"]) for k in answer["kept"]] == \
        [(x, "exists_remotely"), (sid, "is_service"), (2147483647, "not_in_service")]
    tree = api.get("/services/thredds/resources").json["resources"]
    assert names(tree) == {"thredds": {"a": {"also-gone.nc": {}, "x.nc": {}}}}
    assert find(tree, "thredds", "a", "also-gone.nc")["id"] == unlisted_gone


def test_clean_recomputes_after_a_new_sync(api, thredds):
    """The caller saw z.nc gone; it came back since: kept."""
    thredds["files"][:] = FILES[:2]
    api.post("/services/thredds/sync?wait=true")
    b = add(api, "b", "directory")
    z = add(api, "z.nc", "file", b)
    thredds["files"][:] = FILES
    api.post("/services/thredds/sync?wait=true")
    answer = api.post("/services/thredds/resources/clean", {"resource_ids": [z, b]}).json
    assert answer["removed"] == [] and {k["reason"] for k in answer["kept"]} == {"exists_remotely"}


def test_clean_before_any_sync_and_beyond_max_depth(api, thredds):
    a = add(api, "a", "directory")
    answer = api.post("/services/thredds/resources/clean", {"resource_ids": [a]}).json
    assert answer == {"removed": [], "removed_descendants": [],
                      "kept": [{"resource_id": a, "reason": "never_synced",
                                "detail": "the service was never synced, so nothing is known to be gone"}],
                      "permissions": [], "dry_run": False}
    api.patch("/services/thredds", {"configuration": {"max_depth": 1}})
    api.post("/services/thredds/sync?wait=true")
    deep = add(api, "not-crawled.nc", "file", a)
    answer = api.post("/services/thredds/resources/clean", {"resource_ids": [deep]}).json
    assert [k["reason"] for k in answer["kept"]] == ["beyond_max_depth"]


def test_clean_input_errors(api, thredds, create_service):
    api.post("/services/thredds/resources/clean", {"resource_ids": ["a"]}, status=400)
    api.post("/services/thredds/resources/clean", {}, status=400)
    api.post("/services/nope/resources/clean", {"resource_ids": []}, status=404)
    create_service("plain", service_type="wps", sync_type=None)
    api.post("/services/plain/resources/clean", {"resource_ids": [1]}, status=409)


def test_adopt_creates_the_path_and_reuses_ancestors(api, thredds):
    api.post("/services/thredds/sync?wait=true")
    merged = api.get("/services/thredds/resources?sync=true").json["resources"]
    x_remote = find(merged, "thredds", "a", "x.nc")["remote_id"]
    y_remote = find(merged, "thredds", "a", "y.nc")["remote_id"]
    first = api.post("/services/thredds/resources/adopt", {"remote_id": x_remote}).json
    assert len(first["created"]) == 2 and first["existing"] == [] and first["resource_id"] == first["created"][-1]
    second = api.post("/services/thredds/resources/adopt", {"remote_id": y_remote}).json
    assert second["existing"] == first["created"][:1] and len(second["created"]) == 1
    again = api.post("/services/thredds/resources/adopt", {"remote_id": y_remote}).json
    assert again == {"resource_id": second["resource_id"], "created": [], "existing":
                     first["created"][:1] + second["created"]}
    merged = api.get("/services/thredds/resources?sync=true").json["resources"]
    for name in ("x.nc", "y.nc"):
        node = find(merged, "thredds", "a", name)
        assert node["id"] is not None and node["matches_remote"] is True
    assert find(merged, "thredds", "a", "x.nc")["resource_type"] == "file"
    main_remote = merged["thredds"]["remote_id"]
    assert api.post("/services/thredds/resources/adopt", {"remote_id": main_remote}).json == \
        {"resource_id": thredds["resource_id"], "created": [], "existing": []}


def test_adopt_errors(api, thredds, create_service, remote):
    api.post("/services/thredds/sync?wait=true")
    merged = api.get("/services/thredds/resources?sync=true").json["resources"]
    x_remote = find(merged, "thredds", "a", "x.nc")["remote_id"]
    api.post("/services/thredds/resources/adopt", {"remote_id": 2147483647}, status=404)
    api.post("/services/thredds/resources/adopt", {"remote_id": "x"}, status=400)
    create_service("other", url=remote.url + "/thredds")
    answer = api.post("/services/other/resources/adopt", {"remote_id": x_remote}, status=404)
    assert "has no remote resource" in answer.json["detail"]
    # A local file where the remote has a directory cannot hold the adopted child.
    add(api, "a", "file")
    answer = api.post("/services/thredds/resources/adopt", {"remote_id": x_remote}, status=409)
    assert "cannot hold a file" in answer.json["detail"]


def test_sync_history_newest_first(api, thredds, remote):
    assert api.get("/services/thredds/sync/history").json["runs"] == []
    api.post("/services/thredds/sync?wait=true")
    api.post("/services/thredds/sync?dry_run=true&wait=true")  # dry runs are not history
    remote.add("/thredds/catalog.xml", b"oops", status=500, content_type="text/plain")
    api.post("/services/thredds/sync?wait=true", status=502)
    answer = api.get(f"/services/{thredds['resource_id']}/sync/history").json
    assert answer["service"]["service_name"] == "thredds"
    runs = answer["runs"]
    assert [(run["status"], run["origin"]) for run in runs] == [("failed", "api"), ("succeeded", "api")]
    assert "HTTP 500" in runs[0]["error"] and runs[1]["added"] == 6
    assert parse_utc(runs[0]["started"]) >= parse_utc(runs[1]["finished"])
    assert len(api.get("/services/thredds/sync/history?limit=1").json["runs"]) == 1
    api.get("/services/thredds/sync/history?limit=0", status=400)
    api.get("/services/thredds/sync/history?limit=many", status=400)
    api.get("/services/nope/sync/history", status=404)
