"""PostgreSQL only: real ``magpie-worker`` processes killed, started late, and sharing work."""
import pytest
import sqlalchemy as sa

from magpie import db
from tests.functional.jobs.conftest import wait_until
from tests.functional.jobs.test_jobs_api import EXPECTED, finished, remote_names, run_of
from tests.support.thredds_catalogs import catalog_xml


@pytest.fixture
def db_url(postgres_url):
    """These tests are about worker processes, which only PostgreSQL has."""
    from tests.conftest import _truncate_all

    _truncate_all(postgres_url)
    return postgres_url


def test_kill_9_of_the_worker_loses_nothing_and_a_new_worker_goes_on(api, workers, slow_thredds):
    first = workers.start()
    assert finished(api, api.post("/services/thredds/sync", status=202).json["run"])["status"] == "succeeded"
    slow_thredds.remote.add("/thredds/d0/catalog.xml", catalog_xml(files=[("new.nc", "d0/new.nc")]))
    slow_thredds.set_delay(0.5)
    run = api.post("/services/thredds/sync", status=202).json["run"]
    wait_until(lambda: run_of(api, run), lambda r: r["status"] == "running" and
               (r["progress"] or {}).get("documents", 0) >= 2, "a running sync")
    workers.kill(first)
    interrupted = wait_until(lambda: run_of(api, run), lambda r: r["status"] != "running", "the run's end")
    assert interrupted["status"] == "interrupted" and interrupted["result"] is None
    assert remote_names(api) == EXPECTED  # the last good tree
    # Queued while no worker runs; the next worker takes it.
    slow_thredds.set_delay(0.0)
    queued = api.post("/services/thredds/sync", status=202).json["run"]
    assert run_of(api, queued)["status"] == "queued"
    workers.start()
    assert finished(api, queued)["status"] == "succeeded"
    assert remote_names(api)["thredds"]["d0"] == {"new.nc": {}}


def test_a_queued_run_cancelled_is_never_run(api, workers, slow_thredds, db_url):
    run = api.post("/services/thredds/sync", status=202).json["run"]
    assert api.post(f"/services/thredds/sync/runs/{run['id']}/cancel").json["run"]["status"] == "cancelled"
    with db.get_engine({"sqlalchemy.url": db_url}).connect() as connection:
        jobs = connection.execute(sa.text("SELECT count(*) FROM procrastinate_jobs")).scalar()
    assert jobs == 0  # taken off procrastinate's queue
    workers.start()
    later = finished(api, api.post("/services/thredds/sync", status=202).json["run"])
    assert later["status"] == "succeeded" and run_of(api, run)["status"] == "cancelled"
    assert slow_thredds.remote.requests.count("/thredds/catalog.xml") == 1


def test_two_workers_sync_ten_services_each_once(api, workers, remote):
    services = []
    for index in range(10):
        remote.add(f"/s{index}/catalog.xml", catalog_xml(files=[(f"x{index}.nc", f"x{index}.nc")]), delay=0.1)
        body = {"service_name": f"s{index}", "service_type": "thredds", "service_url": f"{remote.url}/s{index}",
                "service_sync_type": "thredds"}
        services.append(api.post("/services", body, status=201).json["service"])
    runs = [api.post(f"/services/{s['resource_id']}/sync", status=202).json["run"] for s in services]
    workers.start()
    workers.start()
    for run in runs:
        assert finished(api, run)["status"] == "succeeded"
    for index, service in enumerate(services):
        history = api.get(f"/services/{service['resource_id']}/sync/runs").json["runs"]
        assert [r["status"] for r in history] == ["succeeded"]
        tree = api.get(f"/services/{service['resource_id']}/resources?sync=true").json["resources"]
        assert list(tree[f"s{index}"]["children"]) == [f"x{index}.nc"]
        assert remote.requests.count(f"/s{index}/catalog.xml") == 1
