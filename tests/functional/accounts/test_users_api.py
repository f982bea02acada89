"""Users over REST: create, list, show (by name, id and ``current``), change, delete; who may."""
import logging

import pytest

from magpie import models
from tests.functional.accounts.conftest import ADMIN_PASSWORD, ADMIN_USER, PASSWORD, basic, dumps, signed_in

USER_KEYS = {"user_id", "user_name", "email", "status", "group_names"}


def test_create_list_and_show_by_name_id_and_current(api, new_user, app):
    created = new_user("alice")
    assert set(created) == USER_KEYS
    assert created["status"] == "OK" and created["group_names"] == ["users"]  # new users join the users group
    new_user("bob", group_name="administrators")
    assert api.get("/users").json == {"user_names": [ADMIN_USER, "alice", "bob"]}
    detailed = api.get("/users?detail=true").json["users"]
    assert [user["user_name"] for user in detailed] == [ADMIN_USER, "alice", "bob"]
    assert detailed[2]["group_names"] == ["administrators", "users"]
    assert api.get(f"/users/{created['user_id']}").json["user"] == created
    assert api.get("/users/alice").json["user"] == created
    alice = basic("alice", PASSWORD)
    assert app.get("/users/current", headers=alice).json["user"] == created
    assert app.get(f"/users/{created['user_id']}", headers=alice).json["user"] == created
    assert api.get("/users/current").json["user"]["user_name"] == ADMIN_USER


def test_unknown_user_is_404_naming_it(api):
    assert "'nobody'" in api.get("/users/nobody", status=404).json["detail"]
    assert "99999" in api.get("/users/99999", status=404).json["detail"]
    api.patch("/users/nobody", {"email": "x@example.org"}, status=404)
    api.delete("/users/nobody", status=404)


def test_duplicates_are_409_naming_the_existing_one(api, new_user, count_rows):
    new_user("alice", email="alice@example.org")
    answer = api.post("/users", {"user_name": "alice", "email": "other@example.org", "password": PASSWORD},
                      status=409)
    assert "'alice'" in answer.json["detail"]
    answer = api.post("/users", {"user_name": "carol", "email": "alice@example.org", "password": PASSWORD},
                      status=409)
    assert "alice@example.org" in answer.json["detail"]
    new_user("bob")
    api.patch("/users/bob", {"user_name": "alice"}, status=409)
    api.patch("/users/bob", {"email": "alice@example.org"}, status=409)
    assert count_rows(models.User) == 3


@pytest.mark.parametrize("body, field", [
    ({"user_name": "12", "email": "a@example.org", "password": PASSWORD}, "user_name"),
    ({"user_name": "a b", "email": "a@example.org", "password": PASSWORD}, "user_name"),
    ({"user_name": "a" * 129, "email": "a@example.org", "password": PASSWORD}, "user_name"),
    ({"user_name": "a\x01", "email": "a@example.org", "password": PASSWORD}, "user_name"),
    ({"user_name": "alice", "email": "not-an-email", "password": PASSWORD}, "email"),
    ({"user_name": "alice", "email": "a b@example.org", "password": PASSWORD}, "email"),
    ({"user_name": "alice", "email": "a@example.org", "password": "short-pw-x"}, "password"),
    ({"user_name": "alice", "email": "a@example.org"}, "password"),
    ({"user_name": "alice", "email": "a@example.org", "password": PASSWORD, "admin": True}, "admin"),
])
def test_bad_input_is_400_naming_the_field_and_writes_nothing(api, body, field, count_rows, audit_log):
    answer = api.post("/users", body, status=400)
    assert field in [item["field"] for item in answer.json["fields"]]
    assert "short-pw-x" not in answer.text
    assert count_rows(models.User) == 1 and audit_log("user.") == []


def test_current_is_reserved_and_unknown_group_is_404_with_nothing_written(api, count_rows, audit_log):
    answer = api.post("/users", {"user_name": "current", "email": "c@example.org", "password": PASSWORD},
                      status=409)
    assert "reserved" in answer.json["detail"]
    answer = api.post("/users", {"user_name": "bob", "email": "b@example.org", "password": PASSWORD,
                                 "group_name": "nosuchgroup"}, status=404)
    assert "'nosuchgroup'" in answer.json["detail"]
    api.get("/users/bob", status=404)
    assert count_rows(models.User) == 1 and audit_log("user.") == []


def test_admin_changes_a_user_and_the_audit_log_says_what_changed(api, new_user, audit_log, app):
    new_user("alice")
    answer = api.patch("/users/alice", {"user_name": "alicia", "email": "alicia@example.org",
                                        "password": "another-long-password", "status": "OK"}).json["user"]
    assert answer["user_name"] == "alicia" and answer["email"] == "alicia@example.org"
    api.get("/users/alice", status=404)
    app.get("/users/current", headers=basic("alicia", "another-long-password"), status=200)
    entry = audit_log("user.update")[-1]
    assert entry["actor"] == ADMIN_USER and entry["user_name"] == "alicia"
    assert entry["before"] == {"user_name": "alice", "email": "alice@example.org"}
    assert entry["after"] == {"user_name": "alicia", "email": "alicia@example.org", "password": "changed"}
    created = audit_log("user.create")[-1]
    assert created["after"]["user_name"] == "alice" and "password" not in created["after"]


def test_a_user_reads_and_changes_its_own_account_only(app, api, new_user, wsgi_app):
    new_user("alice")
    new_user("bob")
    alice = basic("alice", PASSWORD)
    assert app.get("/users/alice", headers=alice).json["user"]["user_name"] == "alice"
    assert app.get("/users/current/groups", headers=alice).json == {"group_names": ["users"]}
    answer = app.patch_json("/users/current", {"email": "new-alice@example.org"}, headers=alice).json["user"]
    assert answer["email"] == "new-alice@example.org"
    for field, value in (("status", "Locked"), ("user_name", "queen")):
        answer = app.patch_json("/users/alice", {field: value}, headers=alice, status=403)
        assert field in answer.json["detail"]
    app.get("/users/bob", headers=alice, status=403)
    app.get("/users/bob/groups", headers=alice, status=403)
    app.patch_json("/users/bob", {"email": "x@example.org"}, headers=alice, status=403)
    app.get("/users", headers=alice, status=403)
    app.post_json("/users", {"user_name": "eve", "email": "e@example.org", "password": PASSWORD},
                  headers=alice, status=403)
    app.delete("/users/alice", headers=alice, status=403)
    app.post_json("/users/alice/groups", {"group_name": "administrators"}, headers=alice, status=403)
    app.get("/users/current", status=401)
    assert api.get("/users/alice").json["user"]["status"] == "OK"
    # The cookie session too, with its CSRF token.
    client, csrf = signed_in(wsgi_app, "alice", PASSWORD)
    client.patch_json("/users/current", {"email": "alice2@example.org"}, status=403)
    client.patch_json("/users/current", {"email": "alice2@example.org"}, headers=csrf, status=200)


def test_a_password_change_ends_the_users_sessions(api, new_user, wsgi_app, app):
    new_user("alice")
    browser, _ = signed_in(wsgi_app, "alice", PASSWORD)
    other_browser, csrf = signed_in(wsgi_app, "alice", PASSWORD)
    browser.get("/users/current", status=200)
    api.patch("/users/alice", {"password": "changed-by-the-admin"})
    browser.get("/users/current", status=401)
    other_browser.get("/users/current", status=401)
    app.get("/users/current", headers=basic("alice", PASSWORD), status=401)
    # The user changes its own password: its other sessions end too.
    first, csrf = signed_in(wsgi_app, "alice", "changed-by-the-admin")
    second, _ = signed_in(wsgi_app, "alice", "changed-by-the-admin")
    first.patch_json("/users/current", {"password": "changed-by-alice-1"}, headers=csrf)
    second.get("/users/current", status=401)
    app.get("/users/current", headers=basic("alice", "changed-by-alice-1"), status=200)


def test_locking_a_user_ends_its_sessions_and_sign_ins(api, new_user, wsgi_app, app):
    new_user("alice")
    browser, _ = signed_in(wsgi_app, "alice", PASSWORD)
    assert api.patch("/users/alice", {"status": "Locked"}).json["user"]["status"] == "Locked"
    browser.get("/users/current", status=401)
    app.get("/users/current", headers=basic("alice", PASSWORD), status=401)
    app.post_json("/signin", {"user_name": "alice", "password": PASSWORD}, status=401)
    api.patch("/users/alice", {"status": "OK"})
    app.get("/users/current", headers=basic("alice", PASSWORD), status=200)


def test_passwords_never_appear_in_answers_logs_or_the_audit_log(api, new_user, app, audit_log, caplog):
    secrets = ["first-secret-password", "second-secret-password", "tooshort!"]
    texts = []
    with caplog.at_level(logging.DEBUG):
        texts.append(api.post("/users", {"user_name": "alice", "email": "a@example.org",
                                         "password": secrets[0]}, status=201).text)
        texts.append(api.patch("/users/alice", {"password": secrets[1]}).text)
        texts.append(api.patch("/users/alice", {"password": secrets[2]}, status=400).text)
        texts.append(api.patch("/users/alice", {"password": 123456789012345}, status=400).text)
        texts.append(app.get("/users/alice", headers=basic("alice", secrets[1])).text)
        texts.append(api.get("/users?detail=true").text)
        texts.append(api.delete("/users/alice").text)
    everything = "\n".join(texts) + caplog.text + dumps(audit_log())
    for secret in secrets + ["123456789012345"]:
        assert secret not in everything
    assert {"password": "changed"} in [entry["after"] for entry in audit_log("user.update")]


def test_the_settings_administrator_is_protected(api, audit_log):
    for body in ({"user_name": "root"}, {"status": "Locked"}, {"password": "a-new-admin-password"}):
        assert ADMIN_USER in api.patch(f"/users/{ADMIN_USER}", body, status=409).json["detail"]
    api.patch("/users/current", {"email": "admin@example.org"})
    assert ADMIN_USER in api.delete(f"/users/{ADMIN_USER}", status=409).json["detail"]
    api.get("/users/current", headers=basic(ADMIN_USER, ADMIN_PASSWORD), status=200)
    assert [entry["action"] for entry in audit_log("user.")] == ["user.update"]


def test_delete_user_takes_its_memberships_and_is_audited(api, new_user, new_group, audit_log, count_rows):
    new_group("team")
    user = new_user("alice", group_name="team")
    gone = api.delete("/users/alice").json["user"]
    assert gone == {**user, "group_names": ["team", "users"]}
    api.get("/users/alice", status=404)
    assert api.get("/groups/team/users").json == {"user_names": []}
    assert count_rows(models.UserGroup, models.UserGroup.user_id == user["user_id"]) == 0
    entry = audit_log("user.delete")[-1]
    assert entry["user_name"] == "alice" and entry["before"]["group_names"] == ["team", "users"]
