"""The index is never older than the last committed change, and rebuilds only what changed.

Assertions are on answers and on which trees were rebuilt, never on time; the waits for the
PostgreSQL listener are bounded and fail the test when it never hears."""
import threading
import time

import pytest
import transaction

from magpie import audit, db, models
from magpie.permissions import decisions, index

#: PostgreSQL alone has notifications and commits ids out of order: these cases are its own.
PG_ONLY = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def ask(session, tm, settings, service_id, path, permission="read", user=None):
    with tm:
        service = session.get(models.Service, service_id)
        return decisions.authorize(session, settings, service, path, permission, user)


def wait_for(predicate, timeout=10.0):
    """Poll ``predicate`` until true or ``timeout`` (bounded), returning its last value."""
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.005)
    return predicate()


def engine_of(db_url):
    return db.get_engine({"sqlalchemy.url": db_url})


def test_each_committed_change_is_in_the_next_decision(world, session, tm, magpie_settings):
    service_id = world.service()
    file_id = world.path(service_id, "a/b.nc")
    bob = world.user("bob")
    for _ in range(5):
        world.grant("user:bob", file_id, "read-allow-match")
        assert ask(session, tm, magpie_settings, service_id, "a/b.nc", user=bob)["allowed"] is True
        world.revoke("user:bob", file_id, "read-allow-match")
        assert ask(session, tm, magpie_settings, service_id, "a/b.nc", user=bob)["allowed"] is False
    world.group("team")
    world.grant("group:team", file_id, "read-allow-match")
    assert ask(session, tm, magpie_settings, service_id, "a/b.nc", user=bob)["allowed"] is False
    world.member("bob", "team")
    assert ask(session, tm, magpie_settings, service_id, "a/b.nc", user=bob)["allowed"] is True


def test_a_permission_change_keeps_the_trees_and_a_resource_change_reloads_its_own(
        world, session, tm, magpie_settings, db_url):
    first, second = world.service("first"), world.service("second")
    world.path(first, "a/b.nc")
    world.path(second, "x/y.nc")
    for service_id, path in ((first, "a/b.nc"), (second, "x/y.nc")):
        assert ask(session, tm, magpie_settings, service_id, path)["resource"]["exact"] is True
    world.grant("group:anonymous", second, "read-allow-recursive")
    assert ask(session, tm, magpie_settings, second, "x/y.nc")["allowed"] is True
    acl_index = index.get_index(engine_of(db_url))
    trees, on_second = dict(acl_index.state.trees), acl_index.state.acl.applied[second]

    world.grant("group:anonymous", first, "read-allow-recursive")
    assert ask(session, tm, magpie_settings, first, "a/b.nc")["allowed"] is True
    assert acl_index.state.trees[first] is trees[first] and acl_index.state.trees[second] is trees[second]
    assert acl_index.state.acl.applied[second] is on_second  # a grant reads its own resource again only

    world.path(first, "a/new.nc")
    assert ask(session, tm, magpie_settings, first, "a/new.nc")["resource"]["exact"] is True
    assert acl_index.state.trees[first] is not trees[first]
    assert acl_index.state.trees[second] is trees[second]


def test_a_version_bump_without_an_audit_entry_reloads_every_tree(world, session, tm, magpie_settings):
    service_id = world.service()
    directory = world.path(service_id, "a", leaf_type="directory")
    assert ask(session, tm, magpie_settings, service_id, "a/quiet.nc")["resource"]["exact"] is False
    with tm:
        session.add(models.File(resource_name="quiet.nc", parent_id=directory, root_service_id=service_id))
        session.flush()
        audit.bump_acl_version(session)
    assert ask(session, tm, magpie_settings, service_id, "a/quiet.nc")["resource"]["exact"] is True


@PG_ONLY
def test_the_listener_rebuilds_the_index_before_any_decision(world, session, tm, magpie_settings, db_url):
    service_id = world.service()
    file_id = world.path(service_id, "a/b.nc")
    ask(session, tm, magpie_settings, service_id, "a/b.nc")  # builds the index, starts the listener
    acl_index = index.get_index(engine_of(db_url))
    assert wait_for(lambda: acl_index.listener.connected)
    world.grant("group:anonymous", file_id, "read-allow-match")
    with tm:
        committed = audit.acl_version(session)
    assert wait_for(lambda: acl_index.state.version == committed), "the listener never heard the change"

    acl_index.configure(index.NOTIFY)
    world.revoke("group:anonymous", file_id, "read-allow-match")
    with tm:
        committed = audit.acl_version(session)
    assert wait_for(lambda: acl_index.state.version == committed)
    assert ask(session, tm, magpie_settings, service_id, "a/b.nc")["allowed"] is False


@PG_ONLY
def test_an_entry_committed_after_a_higher_one_still_reloads_its_tree(world, session, tm, magpie_settings,
                                                                      db_url):
    """PostgreSQL draws audit ids before commit: a resource created in a transaction that
    commits after one with a higher id must still be seen (the missing id is kept as a gap)."""
    service_id = world.service()
    directory = world.path(service_id, "a", leaf_type="directory")
    assert ask(session, tm, magpie_settings, service_id, "a/late.nc")["resource"]["exact"] is False
    settings = {"sqlalchemy.url": db_url}
    holder_tm, late_tm = (transaction.TransactionManager(explicit=True) for _ in range(2))
    holder, late = (db.get_db_session_from_settings(settings, manager) for manager in (holder_tm, late_tm))
    drawn, release = threading.Event(), threading.Event()

    def create_late():
        with late_tm:
            resource = models.File(resource_name="late.nc", parent_id=directory, root_service_id=service_id)
            late.add(resource)
            late.flush()
            late.add(models.AuditEntry(at=models.utcnow(), actor="test", action="resource.create",
                                       service_id=service_id, resource_id=resource.resource_id))
            late.flush()  # its id is drawn now
            drawn.set()
            audit.bump_acl_version(late)  # waits for the holder's lock on the version row
            release.wait(10)

    holder_tm.begin()
    audit.record(holder, "test", "permission.grant")  # takes the version row
    worker = threading.Thread(target=create_late)
    worker.start()
    assert drawn.wait(10)
    audit.record(holder, "test", "permission.grant")  # a higher id, committed first
    holder_tm.commit()
    assert ask(session, tm, magpie_settings, service_id, "a/late.nc")["resource"]["exact"] is False
    with tm:  # an entry that changes no access, so that the count of new entries looks complete
        audit.record(session, "test", "user.signin", changes_access=False)
        session.flush()  # nothing else here makes zope.sqlalchemy join the transaction
    release.set()
    worker.join(10)
    assert ask(session, tm, magpie_settings, service_id, "a/late.nc")["resource"]["exact"] is True
    holder.close()
    late.close()
