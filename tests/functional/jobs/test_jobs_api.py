"""Syncs as jobs through the API, on SQLite (the app's threads) and PostgreSQL (a real worker)."""
import sqlalchemy as sa

from magpie import db, jobs, models
from tests.functional.jobs.conftest import CHILDREN, wait_until
from tests.support.db_faults import refuse_poison  # noqa: F401 (fixture)
from tests.support.thredds_catalogs import catalog_xml

FINAL = {"succeeded", "partial", "failed", "cancelled", "interrupted"}


def names(tree: dict) -> dict:
    return {name: names(node["children"]) for name, node in tree.items()}


def remote_names(api) -> dict:
    tree = api.get("/services/thredds/resources?sync=true").json["resources"]
    return names(tree)


def run_of(api, run: dict) -> dict:
    return api.get(f"/services/{run['service_id']}/sync/runs/{run['id']}").json["run"]


def finished(api, run: dict) -> dict:
    return wait_until(lambda: run_of(api, run), lambda r: r["status"] in FINAL, f"the end of run {run['id']}")


EXPECTED = {"thredds": {f"d{i}": {"f0.nc": {}, "f1.nc": {}} for i in range(CHILDREN)}}


def test_post_sync_answers_202_with_the_run_then_it_succeeds(api, runner, slow_thredds):
    service_id = slow_thredds.service["resource_id"]
    answer = api.post("/services/thredds/sync", status=202)
    run = answer.json["run"]
    assert (run["status"], run["origin"], run["dry_run"], run["service_id"]) == ("queued", "api", False, service_id)
    assert answer.headers["Location"].endswith(f"/services/{service_id}/sync/runs/{run['id']}")
    done = finished(api, run)
    assert done["status"] == "succeeded", done
    result = done["result"]
    assert (result["added"], result["removed"], result["kept"], result["error"]) == (3 * CHILDREN + 1, 0, 0, None)
    assert done["progress"]["documents"] == CHILDREN + 1 and done["progress"]["nodes"] == 3 * CHILDREN + 1
    assert remote_names(api) == EXPECTED
    assert api.get("/services/thredds/sync").json["sync"]["last_error"] is None
    assert [r["id"] for r in api.get("/services/thredds/sync/runs").json["runs"]] == [run["id"]]
    assert [(r["id"], r["status"]) for r in api.get("/services/thredds/sync/history").json["runs"]] == \
        [(run["id"], "succeeded")]


def test_progress_is_visible_while_a_slow_server_answers(api, runner, slow_thredds):
    slow_thredds.set_delay(0.3)
    run = api.post("/services/thredds/sync", status=202).json["run"]
    seen = wait_until(lambda: run_of(api, run),
                      lambda r: r["status"] == "running" and (r["progress"] or {}).get("documents", 0) >= 3,
                      "progress of a running sync")
    progress = seen["progress"]
    assert progress["queued"] > 0 and progress["nodes"] >= CHILDREN and progress["bytes"] > 0
    assert progress["documents"] < CHILDREN + 1
    slow_thredds.set_delay(0.0)
    done = finished(api, run)
    assert done["status"] == "succeeded" and done["progress"]["documents"] == CHILDREN + 1
    assert done["progress"]["queued"] == 0


def test_a_second_sync_while_one_runs_is_409_with_its_id(api, runner, slow_thredds):
    slow_thredds.set_delay(0.3)
    first = api.post("/services/thredds/sync", status=202).json["run"]
    conflict = api.post("/services/thredds/sync", status=409).json
    assert conflict["run"]["id"] == first["id"] and str(first["id"]) in conflict["detail"]
    api.post(f"/services/thredds/sync/runs/{first['id']}/cancel")
    finished(api, first)


def test_cancel_stops_a_running_sync_and_writes_nothing(api, runner, slow_thredds):
    slow_thredds.set_delay(0.5)
    run = api.post("/services/thredds/sync", status=202).json["run"]
    wait_until(lambda: run_of(api, run), lambda r: r["status"] == "running" and
               (r["progress"] or {}).get("documents", 0) >= 2, "a running sync")
    cancelled = api.post(f"/services/thredds/sync/runs/{run['id']}/cancel").json["run"]
    assert cancelled["status"] == "cancelled" and cancelled["result"] is None
    assert remote_names(api) == {"thredds": {}}
    status = api.get("/services/thredds/sync").json["sync"]
    assert status["last_sync"] is None and status["last_attempt"] is None
    # Cancelling an ended run changes nothing; the service can sync again at once.
    assert api.post(f"/services/thredds/sync/runs/{run['id']}/cancel").json["run"]["status"] == "cancelled"
    slow_thredds.set_delay(0.0)
    again = finished(api, api.post("/services/thredds/sync", status=202).json["run"])
    assert again["status"] == "succeeded" and remote_names(api) == EXPECTED


def test_a_dry_run_is_a_job_that_writes_nothing_but_its_run(api, runner, slow_thredds):
    run = api.post("/services/thredds/sync?dry_run=true", status=202).json["run"]
    assert run["dry_run"] is True
    done = finished(api, run)
    assert done["status"] == "succeeded" and "d0/f0.nc" in {p.split("thredds/", 1)[-1]
                                                           for p in done["result"]["preview"]["added"]}
    assert remote_names(api) == {"thredds": {}}
    assert api.get("/services/thredds/sync").json["sync"]["last_sync"] is None
    assert api.get("/services/thredds/sync/history").json["runs"] == []
    assert [r["dry_run"] for r in api.get("/services/thredds/sync/runs").json["runs"]] == [True]


def test_unknown_runs_are_404(api, slow_thredds):
    api.get("/services/thredds/sync/runs/999", status=404)
    api.post("/services/thredds/sync/runs/999/cancel", status=404)


def test_a_running_run_whose_lock_is_free_is_interrupted(api, slow_thredds, settings):
    service_id = slow_thredds.service["resource_id"]
    engine = db.get_engine(settings)
    runs_table = models.SyncRun.__table__
    with engine.begin() as connection:
        run_id = connection.execute(runs_table.insert().values(
            service_id=service_id, started=models.utcnow(), running_since=models.utcnow(), status="running",
            origin="api", dry_run=False, cancel_requested=False).returning(runs_table.c.id)).scalar_one()
    run = {"id": run_id, "service_id": service_id}
    with db.sync_lock(engine, service_id):  # a live job holds it: still running
        assert run_of(api, run)["status"] == "running"
        assert api.post("/services/thredds/sync", status=409).json["run"]["id"] == run_id
    interrupted = run_of(api, run)
    assert interrupted["status"] == "interrupted" and interrupted["finished"] is not None
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(runs_table)
                                  .where(runs_table.c.status == "running")).scalar() == 0


def test_a_sync_with_a_part_unread_is_partial(api, runner, slow_thredds):
    assert finished(api, api.post("/services/thredds/sync", status=202).json["run"])["status"] == "succeeded"
    slow_thredds.remote.add("/thredds/d3/catalog.xml", b"down", status=500, content_type="text/plain")
    done = finished(api, api.post("/services/thredds/sync", status=202).json["run"])
    assert done["status"] == "partial" and any("d3/catalog.xml" in p for p in done["result"]["problems"])
    assert done["result"]["error"] is None


def test_a_new_in_process_runner_marks_the_runs_of_the_previous_one_interrupted(api, slow_thredds, settings):
    engine = db.get_engine(settings)
    runs_table = models.SyncRun.__table__
    with engine.begin() as connection:
        run_id = connection.execute(runs_table.insert().values(
            service_id=slow_thredds.service["resource_id"], started=models.utcnow(), status="queued", origin="api",
            dry_run=False, cancel_requested=False).returning(runs_table.c.id)).scalar_one()
    jobs.engine_for({**settings, "magpie.jobs.engine": "threads"}).close()
    assert run_of(api, {"id": run_id, "service_id": slow_thredds.service["resource_id"]})["status"] == "interrupted"


def test_pruning_the_history_never_takes_a_job_s_own_run(api, runner, remote):
    remote.add("/small/catalog.xml", catalog_xml(files=[("x.nc", "x.nc")]))
    body = {"service_name": "small", "service_type": "thredds", "service_url": remote.url + "/small",
            "service_sync_type": "thredds", "configuration": {"history_size": 0}}
    service_id = api.post("/services", body, status=201).json["service"]["resource_id"]
    done = finished(api, api.post(f"/services/{service_id}/sync", status=202).json["run"])
    assert done["status"] == "succeeded"
    tree = api.get(f"/services/{service_id}/resources?sync=true").json["resources"]
    assert list(tree["small"]["children"]) == ["x.nc"]


def test_a_database_error_of_an_api_sync_is_recorded_and_keeps_the_last_good_tree(api, runner, remote,
                                                                                refuse_poison):  # noqa: F811
    remote.add("/poisoned/catalog.xml", catalog_xml(files=[("a.nc", "a.nc")]))
    body = {"service_name": "poisoned", "service_type": "thredds", "service_url": remote.url + "/poisoned",
            "service_sync_type": "thredds"}
    api.post("/services", body, status=201)
    assert api.post("/services/poisoned/sync?wait=true").json["result"]["added"] == 2
    remote.add("/poisoned/catalog.xml", catalog_xml(files=[("a.nc", "a.nc"), ("poison.nc", "poison.nc")]))
    refuse_poison()
    waited = api.post("/services/poisoned/sync?wait=true", status=502).json
    assert "poison refused" in waited["result"]["error"]
    queued = finished(api, api.post("/services/poisoned/sync", status=202).json["run"])
    assert queued["status"] == "failed" and "poison refused" in queued["result"]["error"]
    assert "poison refused" in api.get("/services/poisoned/sync").json["sync"]["last_error"]
    history = api.get("/services/poisoned/sync/history").json["runs"]
    assert [run["status"] for run in history] == ["failed", "failed", "succeeded"]
    tree = api.get("/services/poisoned/resources?sync=true").json["resources"]
    assert names(tree) == {"poisoned": {"a.nc": {}}}  # remote-only nodes of the last good tree
