"""Groups over REST: create, list, show, rename, delete; the special groups stay."""
import pytest
import webtest

import magpie
from magpie import models
from tests.functional.accounts.conftest import PASSWORD, basic

GROUP_KEYS = {"group_id", "group_name", "description", "member_count", "user_names"}
SPECIAL = ["administrators", "anonymous", "users"]


def test_create_list_and_show_by_name_and_id(api, new_group, new_user):
    created = new_group("team", "The team")
    assert set(created) == GROUP_KEYS
    assert created["description"] == "The team" and created["member_count"] == 0 and created["user_names"] == []
    new_user("alice", group_name="team")
    assert api.get("/groups").json == {"group_names": sorted(SPECIAL + ["team"])}
    detailed = {group["group_name"]: group for group in api.get("/groups?detail=1").json["groups"]}
    assert detailed["team"]["member_count"] == 1 and "user_names" not in detailed["team"]
    assert detailed["administrators"]["member_count"] == 1
    by_id = api.get(f"/groups/{created['group_id']}").json["group"]
    assert by_id == {**created, "member_count": 1, "user_names": ["alice"]}
    assert api.get("/groups/team").json["group"] == by_id
    assert api.get("/groups/team/users").json == {"user_names": ["alice"]}


def test_unknown_group_is_404_naming_it(api):
    assert "'ghosts'" in api.get("/groups/ghosts", status=404).json["detail"]
    assert "'ghosts'" in api.get("/groups/ghosts/users", status=404).json["detail"]
    api.patch("/groups/ghosts", {"description": "x"}, status=404)
    api.delete("/groups/99999", status=404)


def test_duplicates_are_409_and_bad_input_400_naming_the_field(api, new_group, count_rows):
    new_group("team")
    assert "'team'" in api.post("/groups", {"group_name": "team"}, status=409).json["detail"]
    new_group("other")
    assert "'team'" in api.patch("/groups/other", {"group_name": "team"}, status=409).json["detail"]
    for body, field in (({"group_name": "42"}, "group_name"), ({"group_name": "a/b"}, "group_name"),
                        ({"group_name": "x", "description": "bell\x07"}, "description"),
                        ({"group_name": "x", "members": []}, "members"), ({}, "group_name")):
        answer = api.post("/groups", body, status=400)
        assert field in [item["field"] for item in answer.json["fields"]]
    api.patch("/groups/team", {}, status=400)
    assert count_rows(models.Group) == 5


def test_rename_and_describe_a_group_is_audited(api, new_group, audit_log):
    new_group("team", "old words")
    answer = api.patch("/groups/team", {"group_name": "crew", "description": "new words"}).json["group"]
    assert answer["group_name"] == "crew" and answer["description"] == "new words"
    api.get("/groups/team", status=404)
    entry = audit_log("group.update")[-1]
    assert entry["group_name"] == "crew" and entry["actor"] == "admin"
    assert entry["before"] == {"group_name": "team", "description": "old words"}
    assert entry["after"] == {"group_name": "crew", "description": "new words"}
    assert [entry["action"] for entry in audit_log("group.")] == ["group.create", "group.update"]


@pytest.mark.parametrize("special", SPECIAL)
def test_special_groups_can_be_neither_deleted_nor_renamed(api, special, audit_log):
    assert special in api.delete(f"/groups/{special}", status=409).json["detail"]
    api.patch(f"/groups/{special}", {"group_name": "renamed"}, status=409)
    assert api.patch(f"/groups/{special}", {"description": "ours"}).json["group"]["description"] == "ours"
    assert api.get(f"/groups/{special}").json["group"]["group_name"] == special
    assert [entry["action"] for entry in audit_log("group.")] == ["group.update"]


def test_special_group_names_come_from_the_settings(app_settings):
    settings = {**app_settings, "magpie.admin_group": "admins", "magpie.users_group": "members"}
    app = webtest.TestApp(magpie.main({}, **settings))
    admin = basic(settings["magpie.admin_user"], settings["magpie.admin_password"])
    assert app.get("/groups", headers=admin).json["group_names"] == ["admins", "anonymous", "members"]
    app.delete("/groups/admins", headers=admin, status=409)
    app.delete("/groups/members", headers=admin, status=409)
    created = app.post_json("/users", {"user_name": "alice", "email": "a@example.org", "password": PASSWORD},
                            headers=admin, status=201).json["user"]
    assert created["group_names"] == ["members"]


def test_delete_group_takes_its_memberships_and_is_audited(api, new_group, new_user, audit_log):
    new_group("team")
    new_user("alice", group_name="team")
    gone = api.delete("/groups/team").json["group"]
    assert gone["group_name"] == "team" and gone["user_names"] == ["alice"] and gone["member_count"] == 1
    assert api.get("/users/alice/groups").json == {"group_names": ["users"]}
    api.get("/groups/team", status=404)
    entry = audit_log("group.delete")[-1]
    assert entry["group_name"] == "team" and entry["before"]["user_names"] == ["alice"]


def test_groups_are_for_administrators_only(app, new_user, new_group):
    new_user("alice")
    new_group("team")
    alice = basic("alice", PASSWORD)
    for method, url in (("get", "/groups"), ("get", "/groups/team"), ("get", "/groups/team/users"),
                        ("delete", "/groups/team")):
        getattr(app, method)(url, headers=alice, status=403)
        getattr(app, method)(url, status=401)
    app.post_json("/groups", {"group_name": "mine"}, headers=alice, status=403)
    app.patch_json("/groups/team", {"description": "x"}, headers=alice, status=403)
