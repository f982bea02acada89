"""The sync lock of a service across processes: a live holder keeps it, a killed one loses it at
once, and one transaction may sync a service twice, on both databases."""
import subprocess
import sys
import time

import pytest

from magpie import db
from magpie.helpers.sync_resources import fetch_single_service
from tests.functional.sync.helpers import names, stored_tree
from tests.support.thredds_catalogs import catalog_xml

HOLDER = """
import sys, time, transaction
from magpie import db
manager = transaction.TransactionManager(explicit=True)
session = db.get_db_session_from_settings({"sqlalchemy.url": sys.argv[1]}, manager)
manager.begin()
db.hold_sync_lock(session, int(sys.argv[2]))
print("held", flush=True)
time.sleep(600)
"""


def test_a_killed_holder_loses_the_lock_and_a_live_one_keeps_it(db_url, session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("a", "a.nc")]))
    service_id = add_service(url=remote.url + "/thredds")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, db_url, str(service_id)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with tm:
            with pytest.raises(db.SyncAlreadyRunning):
                fetch_single_service(service_id, session)
    finally:
        holder.kill()  # kill -9: no release, the lock row (SQLite) stays behind
        holder.wait()
        holder.stdout.close()
    for _ in range(300):  # PostgreSQL frees the advisory lock once it sees the connection drop
        try:
            with tm:
                result = fetch_single_service(service_id, session)
            break
        except db.SyncAlreadyRunning:
            assert db_url.startswith("postgresql")  # SQLite takes the row over at once
            time.sleep(0.1)
    assert result.ok
    with tm:
        assert names(stored_tree(session, service_id)) == {"thredds": {"a.nc": {}}}


def test_a_service_synced_twice_in_one_transaction(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("a", "a.nc")]))
    service_id = add_service(url=remote.url + "/thredds")
    with tm:
        first = fetch_single_service(service_id, session)
        remote.add("/thredds/catalog.xml", catalog_xml(files=[("a", "a.nc"), ("b", "b.nc")]))
        second = fetch_single_service(service_id, session)
    assert (first.added, second.added, second.kept) == (2, 1, 2)
    with tm:
        assert names(stored_tree(session, service_id)) == {"thredds": {"a.nc": {}, "b.nc": {}}}
