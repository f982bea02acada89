"""One sync per service across processes, parallel jobs, and the sync history, on both databases."""
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from magpie import models
from magpie.helpers import sync_resources
from magpie.helpers.sync_resources import SyncError, fetch_single_service, get_sync_history
from tests.functional.sync.helpers import names, stored_tree
from tests.support.db_faults import refuse_poison  # noqa: F401 (fixture)
from tests.support.thredds_catalogs import catalog_xml

BIN = Path(sys.executable).parent


def test_two_processes_syncing_one_service_one_runs_one_is_refused(db_url, session, tm, remote, add_service):
    body = catalog_xml(files=[(f"f{i}", f"d/f{i}.nc") for i in range(50)])
    release = threading.Event()  # the remote answers the first sync only once the second is done
    remote.add("/thredds/catalog.xml", lambda: release.wait(30) and body)
    service_id = add_service(url=remote.url + "/thredds")
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAGPIE_")}
    command = [str(BIN / "magpie-sync-resources"), "--db", db_url, "--service", "thredds"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + 20
    while not remote.requests and time.monotonic() < deadline:  # the first one holds the lock now
        time.sleep(0.05)
    try:
        second = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    finally:
        release.set()
    first_out, _ = first.communicate(timeout=60)
    assert first.returncode == 0, first_out
    assert second.returncode == 0, second.stdout + second.stderr
    assert "sync already running" in second.stdout and "skipped" in second.stdout
    assert "service 'thredds' synced" in first_out
    assert remote.requests == ["/thredds/catalog.xml"]
    with tm:
        assert names(stored_tree(session, service_id)) == {"thredds": {"d": {f"f{i}.nc": {} for i in range(50)}}}
        count = session.execute(sa.select(sa.func.count()).select_from(models.RemoteResource.__table__)).scalar()
        assert count == 52  # main node, d, 50 files: nothing duplicated, nothing lost


def test_jobs_sync_services_in_parallel_each_in_its_own_transaction(db_url, session, tm, remote, add_service):
    # s0, s1 and s2 answer only once all three are being read at once: run one at a time (--jobs
    # ignored), the first waits out the barrier and answers a broken catalog.
    together = threading.Barrier(3, timeout=15)

    def answer_together(body: bytes):
        def answer() -> bytes:
            try:
                together.wait()
            except threading.BrokenBarrierError:
                return b"<catalog"
            return body
        return answer

    for index in range(4):
        body = catalog_xml(files=[("x", f"x{index}.nc")])
        remote.add(f"/s{index}/catalog.xml", answer_together(body) if index < 3 else body)
    remote.add("/broken/catalog.xml", b"<catalog", content_type="application/xml")
    ids = [add_service(name=f"s{index}", url=f"{remote.url}/s{index}") for index in range(4)]
    add_service(name="broken", url=f"{remote.url}/broken")
    results = sync_resources.fetch({"sqlalchemy.url": db_url}, jobs=3)
    assert {result.service_name: result.ok for result in results} == {
        "s0": True, "s1": True, "s2": True, "s3": True, "broken": False}
    with tm:
        for index, service_id in enumerate(ids):
            assert names(stored_tree(session, service_id)) == {f"s{index}": {f"x{index}.nc": {}}}
    with pytest.raises(SystemExit) as exit_:
        sync_resources.main(["--db", db_url, "--jobs", "0"])
    assert exit_.value.code == 2


def test_history_records_each_run_newest_first_and_is_pruned(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("a", "a.nc")]))
    service_id = add_service(url=remote.url + "/thredds", configuration={"history_size": 2})
    with tm:
        fetch_single_service(service_id, session, origin="api")
    remote.add("/thredds/catalog.xml", b"", status=500)
    with tm:
        try:
            fetch_single_service(service_id, session)
        except SyncError:
            pass
    with tm:
        history = get_sync_history(service_id, session)
    assert [(run["status"], run["origin"]) for run in history] == [("failed", "in-process"), ("succeeded", "api")]
    assert "HTTP 500" in history[0]["error"] and history[0]["added"] is None
    assert (history[1]["added"], history[1]["removed"], history[1]["kept"]) == (2, 0, 0)
    assert history[1]["started"].endswith("+00:00") and history[1]["duration"] >= 0
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("a", "a.nc")]))
    with tm:
        fetch_single_service(service_id, session)
    with tm:
        history = get_sync_history(service_id, session)
        assert [run["status"] for run in history] == ["succeeded", "failed"]
        assert len(get_sync_history(service_id, session, limit=1)) == 1




@pytest.mark.parametrize("jobs", [1, 2])
def test_a_database_error_rolls_back_that_service_alone_and_is_recorded(db_url, session, tm, remote, add_service,
                                                                        refuse_poison, jobs):
    remote.add("/a/catalog.xml", catalog_xml(files=[("a", "a.nc")]))
    remote.add("/b/catalog.xml", catalog_xml(files=[("b", "b.nc")]))
    first, second = add_service(name="a", url=remote.url + "/a"), add_service(name="b", url=remote.url + "/b")
    assert all(result.ok for result in sync_resources.fetch({"sqlalchemy.url": db_url}))
    remote.add("/a/catalog.xml", catalog_xml(files=[("a", "a.nc"), ("p", "poison.nc"), ("z", "z.nc")]))
    remote.add("/b/catalog.xml", catalog_xml(files=[("b", "b.nc"), ("b2", "b2.nc")]))
    refuse_poison()
    results = {result.service_name: result for result in sync_resources.fetch({"sqlalchemy.url": db_url}, jobs=jobs)}
    assert results["b"].ok and results["b"].added == 1
    assert not results["a"].ok
    assert results["a"].error.startswith("database error: ") and "poison refused" in results["a"].error
    with tm:
        assert names(stored_tree(session, first)) == {"a": {"a.nc": {}}}  # the last good tree, whole
        assert names(stored_tree(session, second)) == {"b": {"b.nc": {}, "b2.nc": {}}}
        history = get_sync_history(first, session)
        assert [run["status"] for run in history] == ["failed", "succeeded"]
        assert "poison refused" in history[0]["error"]
        info = session.execute(sa.select(models.RemoteResourcesSyncInfo)
                               .where(models.RemoteResourcesSyncInfo.service_id == first)).scalar_one()
        assert "poison refused" in info.last_error and info.last_sync is not None
