"""The users, groups and audit pages before any script runs: what they list, and why a button is
disabled (the special groups, the last administrator, the administrator of the settings)."""
import pytest
import webtest

import magpie
from tests.support.live_app import ADMIN_USER, app_settings
from tests.web.test_pages import basic_auth, signin


@pytest.fixture
def app(settings):
    return webtest.TestApp(magpie.main({}, **app_settings(settings["sqlalchemy.url"])))


def test_users_and_groups_say_why_a_button_is_disabled(app):
    app.post_json("/users", {"user_name": "alice", "email": "alice@example.org", "password": "alice-password-1"},
                  headers=basic_auth(), status=201)
    app.post_json("/groups", {"group_name": "researchers"}, headers=basic_auth(), status=201)
    app.post_json("/users/alice/groups", {"group_name": "researchers"}, headers=basic_auth(), status=201)
    signin(app)

    users = app.get("/ui/users").html
    assert users.find(id="user-count").text.strip() == "2 users"
    admin = users.find("tr", attrs={"data-user-name": ADMIN_USER})
    delete = admin.find("button", attrs={"aria-label": f"Delete user {ADMIN_USER}"})
    assert delete.has_attr("disabled")
    assert "administrator of the settings" in admin.find(id=delete["aria-describedby"]).text
    leave_admins = admin.find("button", attrs={"aria-label": f"Remove {ADMIN_USER} from administrators"})
    assert "last administrator" in admin.find(id=leave_admins["aria-describedby"]).text
    alice = users.find("tr", attrs={"data-user-name": "alice"})
    assert not alice.find("button", attrs={"aria-label": "Delete user alice"}).has_attr("disabled")
    assert not alice.find("button", attrs={"aria-label": "Remove alice from researchers"}).has_attr("disabled")
    leave_users = alice.find("button", attrs={"aria-label": "Remove alice from users"})
    assert "every user belongs to users" in alice.find(id=leave_users["aria-describedby"]).text
    assert [o["value"] for o in alice.find("select", attrs={"data-join-group": True}).find_all("option")] == \
        ["administrators"]

    groups = app.get("/ui/groups").html
    researchers = groups.find("tr", attrs={"data-group-name": "researchers"})
    assert researchers.find(class_="member-count").text == "1 member"
    assert not researchers.find("button", attrs={"aria-label": "Delete group researchers"}).has_attr("disabled")
    for special in ("administrators", "anonymous", "users"):
        row = groups.find("tr", attrs={"data-group-name": special})
        delete = row.find("button", attrs={"aria-label": f"Delete group {special}"})
        assert delete.has_attr("disabled"), special
        assert "cannot be deleted" in row.find(id=delete["aria-describedby"]).text
    anonymous = groups.find("tr", attrs={"data-group-name": "anonymous"})
    assert "everyone belongs to the anonymous group" in anonymous.text

    audit = app.get("/ui/audit").html
    assert audit.find(id="audit-page")["data-audit-url"] == "/audit"


def test_account_pages_are_for_administrators(app):
    for path in ("/ui/users", "/ui/groups", "/ui/audit"):
        assert "/ui/signin" in app.get(path, status=303).location
    app.post_json("/users", {"user_name": "bob", "email": "bob@example.org", "password": "bob-password-12"},
                  headers=basic_auth(), status=201)
    signin(app, "bob", "bob-password-12")
    assert "not an administrator" in app.get("/ui/users", status=403).text
