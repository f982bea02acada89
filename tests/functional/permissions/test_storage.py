"""grant, revoke and applied_permissions on the database, as the permissions file calls them, and
their behaviour when two requests change the same principal's permissions at once."""
import threading
import time

import pytest
import sqlalchemy as sa
import transaction
import webtest

from magpie import db, models
from magpie.errors import NotFoundError
from magpie.permissions import Access, Permission, Scope
from magpie.permissions.applied import GrantResult, NameNotCarried, PermissionExists, applied_permissions, grant, revoke
from magpie.resources.tree import add_resource


@pytest.fixture
def world(session, tm, add_service):
    """A THREDDS service with a file, a WPS with a process, a user and a group; returns their ids."""
    thredds_id = add_service()
    wps_id = add_service(name="wps", type_="wps", sync_type=None)
    with tm:
        thredds, wps = session.get(models.Service, thredds_id), session.get(models.Service, wps_id)
        file = add_resource(session, thredds, "x.nc", "file")
        process = add_resource(session, wps, "run", "process")
        user = models.User(user_name="alice", email="alice@example.invalid", status=1)
        group = models.Group(group_name="team")
        session.add_all([user, group])
        session.flush()
        return {"file": file.resource_id, "process": process.resource_id, "user": user.id, "group": group.id,
                "thredds": thredds_id}


def objects(session, world):
    return (session.get(models.User, world["user"]), session.get(models.Group, world["group"]),
            session.get(models.Resource, world["file"]), session.get(models.Resource, world["process"]))


def test_grant_replace_revoke(session, tm, world):
    with tm:
        user, group, file, process = objects(session, world)
        first = grant(session, "tester", user, file, "read")
        assert first == GrantResult(Permission("read"), created=True, replaced=None)
        second = grant(session, "tester", user, file, {"name": "read", "access": "deny", "scope": "match"})
        assert second == GrantResult(Permission("read", Access.DENY, Scope.MATCH), created=False,
                                     replaced=Permission("read"))
        grant(session, "tester", user, file, "browse")
        grant(session, "tester", group, process, "execute-match")
    with tm:
        user, group, file, process = objects(session, world)
        assert applied_permissions(session, user, file) == [Permission("browse"),
                                                            Permission("read", Access.DENY, Scope.MATCH)]
        assert applied_permissions(session, group, process) == [Permission("execute", scope=Scope.MATCH)]
        assert applied_permissions(session, group, file) == []
        with pytest.raises(PermissionExists) as caught:
            grant(session, "tester", user, file, "read-deny-match")
        assert caught.value.existing == Permission("read", Access.DENY, Scope.MATCH)
    with tm:
        user, group, file, process = objects(session, world)
        assert revoke(session, "tester", user, file, "read") == Permission("read", Access.DENY, Scope.MATCH)
        with pytest.raises(NotFoundError):
            revoke(session, "tester", user, file, "read")
        with pytest.raises(NameNotCarried, match="allowed: describeprocess, execute"):
            grant(session, "tester", group, process, "read")
    with tm:
        user, _, file, _ = objects(session, world)
        assert applied_permissions(session, user, file) == [Permission("browse")]
        actions = session.execute(sa.select(models.AuditEntry.action, models.AuditEntry.actor)
                                  .order_by(models.AuditEntry.id)).all()
    assert actions == [("permission.grant", "tester"), ("permission.replace", "tester"),
                       ("permission.grant", "tester"), ("permission.grant", "tester"),
                       ("permission.revoke", "tester")]


def test_a_stored_name_that_no_longer_parses_is_skipped(session, tm, world):
    with tm:
        session.add(models.UserResourcePermission(user_id=world["user"], resource_id=world["file"],
                                                  perm_name="teleport-allow-recursive"))
    with tm:
        user, _, file, _ = objects(session, world)
        assert applied_permissions(session, user, file) == []
        grant(session, None, user, file, "read")
        assert applied_permissions(session, user, file) == [Permission("read")]


def second_session(settings):
    manager = transaction.TransactionManager(explicit=True)
    return manager, db.get_db_session_from_settings(settings, manager)


@pytest.mark.parametrize("first, second, outcome", [
    ("read-allow-recursive", "read-allow-recursive", "conflict"),
    # Another access for the same name, at the same time: the second replaces the first, so the
    # principal never holds two permissions of one name.
    ("read-allow-recursive", "read-deny-match", "replaced"),
])
def test_concurrent_grants_of_one_name(settings, session, tm, world, first, second, outcome):
    other_tm, other = second_session(settings)
    results = {}
    started = threading.Event()

    def grant_in_other_transaction():
        try:
            with other_tm:
                user, _, file, _ = objects(other, world)
                started.set()
                results["second"] = grant(other, "second", user, file, second)
        except Exception as exc:  # noqa: BLE001 - asserted below
            results["second"] = exc

    tm.begin()
    user, _, file, _ = objects(session, world)
    grant(session, "first", user, file, first)  # written, not committed: the other one must wait
    thread = threading.Thread(target=grant_in_other_transaction)
    thread.start()
    started.wait(30)
    time.sleep(0.3)  # let it reach the database; the outcome does not depend on it
    tm.commit()
    thread.join(60)
    other.close()
    if outcome == "conflict":
        assert isinstance(results["second"], PermissionExists), results
        assert "read-allow-recursive" in str(results["second"])
    else:
        assert results["second"] == GrantResult(Permission.parse(second), created=False,
                                                replaced=Permission.parse(first))
    with tm:
        stored = session.execute(sa.select(models.UserResourcePermission.perm_name)).scalars().all()
    assert stored == [first if outcome == "conflict" else second]


def test_concurrent_identical_requests_one_201_one_409(wsgi_app, world, admin_auth, session, tm):
    """Through the app, in threads released together: never a 500, never two rows."""
    url = f"/users/alice/resources/{world['file']}/permissions"
    barrier = threading.Barrier(2)
    statuses = []

    def post():
        client = webtest.TestApp(wsgi_app)
        barrier.wait()
        statuses.append(client.post_json(url, {"permission_name": "write"}, headers=admin_auth,
                                         expect_errors=True).status_int)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [201, 409]
    with tm:
        assert session.execute(sa.select(models.UserResourcePermission.perm_name)).scalars().all() == \
            ["write-allow-recursive"]
