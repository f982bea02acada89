"""Memberships over REST: join and leave groups; the special groups' rules; two requests at once."""
import threading

import sqlalchemy as sa
import transaction
import webtest

from magpie import db, models
from magpie.accounts import manage, users
from magpie.accounts.groups import find_group
from magpie.config import load_settings
from magpie.errors import ConflictError
from tests.functional.accounts.conftest import ADMIN_USER, PASSWORD, at_once, basic


def test_join_list_and_leave_a_group_is_audited(api, new_user, new_group, audit_log):
    new_user("alice")
    new_group("team")
    answer = api.post("/users/alice/groups", {"group_name": "team"}, status=201).json
    assert answer == {"user_name": "alice", "group_name": "team"}
    assert "'team'" in api.post("/users/alice/groups", {"group_name": "team"}, status=409).json["detail"]
    assert api.get("/users/alice/groups").json == {"group_names": ["team", "users"]}
    assert api.get("/groups/team/users").json == {"user_names": ["alice"]}
    assert api.delete("/users/alice/groups/team").json == answer
    detail = api.delete("/users/alice/groups/team", status=404).json["detail"]
    assert "'alice'" in detail and "'team'" in detail
    assert api.get("/users/alice/groups").json == {"group_names": ["users"]}
    entries = audit_log("membership.")
    assert [(e["action"], e["user_name"], e["group_name"], e["actor"]) for e in entries] == [
        ("membership.add", "alice", "team", ADMIN_USER), ("membership.remove", "alice", "team", ADMIN_USER)]


def test_unknown_user_or_group_is_404_naming_it(api, new_user):
    new_user("alice")
    assert "'ghosts'" in api.post("/users/alice/groups", {"group_name": "ghosts"}, status=404).json["detail"]
    assert "'nobody'" in api.post("/users/nobody/groups", {"group_name": "users"}, status=404).json["detail"]
    assert "'ghosts'" in api.delete("/users/alice/groups/ghosts", status=404).json["detail"]
    api.post("/users/alice/groups", {"group": "users"}, status=400)


def test_nobody_leaves_the_users_group(api, new_user):
    new_user("alice")
    assert "'users'" in api.delete("/users/alice/groups/users", status=409).json["detail"]
    assert api.get("/users/alice/groups").json == {"group_names": ["users"]}


def test_the_administrators_group_keeps_its_last_member(api, new_user, app):
    new_user("bob", group_name="administrators")
    bob = basic("bob", PASSWORD)
    app.get("/users", headers=bob, status=200)  # bob is an administrator
    api.delete(f"/users/{ADMIN_USER}/groups/administrators")
    app.get("/users", headers=basic(ADMIN_USER, "admin-test-password"), status=403)
    answer = app.delete("/users/bob/groups/administrators", headers=bob, status=409)
    assert "last member" in answer.json["detail"]
    new_user_body = {"user_name": "carol", "email": "c@example.org", "password": PASSWORD}
    app.post_json("/users", new_user_body, headers=bob, status=201)
    assert "last member" in app.delete("/users/bob", headers=bob, status=409).json["detail"]
    assert app.get("/groups/administrators/users", headers=bob).json == {"user_names": ["bob"]}


def test_two_creations_of_one_user_at_once_end_in_one_user(wsgi_app, admin_auth, count_rows):
    body = {"user_name": "twin", "email": "twin@example.org", "password": PASSWORD}
    clients = [webtest.TestApp(wsgi_app), webtest.TestApp(wsgi_app)]
    answers = at_once(*[lambda c=c: c.post_json("/users", body, headers=admin_auth, expect_errors=True)
                        for c in clients])
    assert sorted(answer.status_int for answer in answers) == [201, 409], [a.text for a in answers]
    assert "twin" in [answer for answer in answers if answer.status_int == 409][0].json["detail"]
    assert count_rows(models.User, models.User.user_name == "twin") == 1
    assert count_rows(models.AuditEntry, models.AuditEntry.action == "user.create",
                      models.AuditEntry.user_name == "twin") == 1


def test_two_creations_of_one_group_at_once_end_in_one_group(wsgi_app, admin_auth, count_rows):
    clients = [webtest.TestApp(wsgi_app), webtest.TestApp(wsgi_app)]
    answers = at_once(*[lambda c=c: c.post_json("/groups", {"group_name": "team"}, headers=admin_auth,
                                                expect_errors=True) for c in clients])
    assert sorted(answer.status_int for answer in answers) == [201, 409], [a.text for a in answers]
    assert count_rows(models.Group, models.Group.group_name == "team") == 1


def test_two_identical_memberships_at_once_end_in_one(wsgi_app, admin_auth, new_user, new_group, count_rows):
    user = new_user("alice")
    new_group("team")
    clients = [webtest.TestApp(wsgi_app), webtest.TestApp(wsgi_app)]
    answers = at_once(*[lambda c=c: c.post_json("/users/alice/groups", {"group_name": "team"}, headers=admin_auth,
                                                expect_errors=True) for c in clients])
    assert sorted(answer.status_int for answer in answers) == [201, 409], [a.text for a in answers]
    assert count_rows(models.UserGroup, models.UserGroup.user_id == user["user_id"]) == 2  # users and team
    assert count_rows(models.AuditEntry, models.AuditEntry.action == "membership.add") == 1


def test_two_administrators_removed_at_once_leave_one(settings, new_user, api, count_rows):
    """The second removal must see the first: without the group lock both would count the other
    member as still there (the first is not committed yet) and leave the group empty."""
    new_user("bob", group_name="administrators")
    new_user("carol", group_name="administrators")
    api.delete(f"/users/{ADMIN_USER}/groups/administrators")
    app_settings = load_settings({"magpie.admin_user": ADMIN_USER, "magpie.admin_password": "x" * 20})
    first_removed = threading.Event()
    second_done = threading.Event()
    outcomes = {}

    def remove(user_name, signal=None, wait_for=None):
        manager = transaction.TransactionManager(explicit=True)
        session = db.get_db_session_from_settings(settings, manager)
        try:
            with manager:
                user = users.find_user(session, user_name)
                manage.remove_membership(session, "tester", user, find_group(session, "administrators"),
                                         app_settings)
                session.flush()
                if signal is not None:
                    signal.set()
                if wait_for is not None:
                    # Hold the transaction open while the other one runs (or waits for our lock).
                    wait_for.wait(timeout=2)
            outcomes[user_name] = "removed"
        except Exception as exc:  # noqa: BLE001 - reported to the test
            outcomes[user_name] = exc
        finally:
            session.close()
            if signal is None:
                second_done.set()

    first = threading.Thread(target=remove, args=("bob", first_removed, second_done))
    first.start()
    assert first_removed.wait(timeout=60)
    second = threading.Thread(target=remove, args=("carol",))
    second.start()
    first.join(timeout=120)
    second.join(timeout=120)
    assert outcomes["bob"] == "removed"
    assert isinstance(outcomes["carol"], ConflictError), outcomes
    assert "last member" in str(outcomes["carol"])
    admins = sa.select(models.Group.id).where(models.Group.group_name == "administrators").scalar_subquery()
    assert count_rows(models.UserGroup, models.UserGroup.group_id == admins) == 1
