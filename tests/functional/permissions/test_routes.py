"""Granting, listing and revoking a user's or a group's permissions on a resource, as Magpie's
routes do, with every refusal answered by its own status and nothing half-done."""
import pytest

from tests.functional.permissions.conftest import add, credentials

READ = {"permission": {"name": "read", "access": "allow", "scope": "recursive"}}


@pytest.fixture
def setup(api, create_service, principals):
    create_service("thredds")
    ids = principals({"alice": ["team"], "bob": []}, groups=["team"])
    ids["dir"] = add(api, "thredds", "data", "directory")
    ids["file"] = add(api, "thredds", "x.nc", "file", ids["dir"])
    return ids


def test_grant_list_and_revoke_for_a_user(api, setup, stored):
    file_id = setup["file"]
    answer = api.post(f"/users/alice/resources/{file_id}/permissions", READ, status=201).json
    assert answer == {
        "user_name": "alice", "user_id": setup["alice"], "resource_id": file_id,
        "permission_name": "read-allow-recursive",
        "permission": {"name": "read", "access": "allow", "scope": "recursive", "type": "applied",
                       "reason": f"user:{setup['alice']}:alice"},
        "created": True, "replaced": None}
    # The string forms: implicit "browse-match" is allow + match.
    api.post(f"/users/{setup['alice']}/resources/{file_id}/permissions", {"permission_name": "browse-match"},
             status=201)
    assert stored() == [("alice", file_id, "browse-allow-match"), ("alice", file_id, "read-allow-recursive")]
    listed = api.get(f"/users/alice/resources/{file_id}/permissions").json
    assert listed["permission_names"] == ["browse-match", "browse-allow-match", "read", "read-allow-recursive"]
    assert [(p["name"], p["scope"], p["type"]) for p in listed["permissions"]] == \
        [("browse", "match", "direct"), ("read", "recursive", "direct")]
    # Revoking by name removes the permission of that name whatever its modifiers.
    removed = api.delete(f"/users/alice/resources/{file_id}/permissions/browse").json
    assert removed["permission_name"] == "browse-allow-match"
    assert stored() == [("alice", file_id, "read-allow-recursive")]
    api.delete(f"/users/alice/resources/{file_id}/permissions/browse", status=404)


def test_a_second_grant_of_the_name_replaces_and_the_same_grant_conflicts(api, setup, stored, audit_entries):
    file_id = setup["file"]
    url = f"/users/alice/resources/{file_id}/permissions"
    api.post(url, READ, status=201)
    replaced = api.post(url, {"permission": {"name": "read", "access": "deny", "scope": "match"}}, status=200).json
    assert replaced["permission_name"] == "read-deny-match" and replaced["created"] is False
    assert replaced["replaced"]["permission_name"] == "read-allow-recursive"
    assert stored() == [("alice", file_id, "read-deny-match")]
    conflict = api.post(url, {"permission_name": "read-deny-match"}, status=409).json
    assert "already has permission 'read-deny-match'" in conflict["detail"] and "alice" in conflict["detail"]
    assert stored() == [("alice", file_id, "read-deny-match")]
    assert [(e["action"], e["before"], e["after"], e["user_name"], e["resource_id"])
            for e in audit_entries("permission.")] == [
        ("permission.grant", None, {"permission": "read-allow-recursive"}, "alice", file_id),
        ("permission.replace", {"permission": "read-allow-recursive"}, {"permission": "read-deny-match"}, "alice",
         file_id)]
    api.delete(f"{url}/read-allow-recursive")
    entry = audit_entries("permission.revoke")[-1]
    assert entry["before"] == {"permission": "read-deny-match"} and entry["actor"] == "admin"


def test_group_permissions(api, setup, stored, audit_entries):
    dir_id = setup["dir"]
    url = f"/groups/team/resources/{dir_id}/permissions"
    answer = api.post(url, {"permission": {"name": "browse"}}, status=201).json
    assert answer["group_name"] == "team" and answer["group_id"] == setup["team"]
    assert answer["permission"]["reason"] == f"group:{setup['team']}:team"
    listed = api.get(f"/groups/{setup['team']}/resources/{dir_id}/permissions").json
    assert listed["permission_names"] == ["browse", "browse-allow-recursive"]
    assert listed["permissions"][0]["type"] == "applied"
    assert stored() == [("team", dir_id, "browse-allow-recursive")]
    assert audit_entries("permission.grant")[-1]["group_name"] == "team"
    api.delete(f"{url}/browse-allow-recursive")
    assert stored() == []


@pytest.mark.parametrize("body, field", [
    ({"permission_name": "fly"}, "permission_name"),                     # no service type has it
    ({"permission": {"name": "read", "access": "maybe"}}, "permission/access"),
    ({"permission_name": "read-allow-sideways"}, "permission_name"),
    ({"permission": {"name": "read"}, "permission_name": "read"}, "body"),
    ({}, "body"),
    ({"permission": {"name": "read", "colour": "red"}}, "permission/colour"),
])
def test_refused_permissions_are_400_and_change_nothing(api, setup, stored, body, field):
    answer = api.post(f"/users/alice/resources/{setup['file']}/permissions", body, status=400).json
    assert any(item["field"].startswith(field) or field == "body" for item in answer["fields"]), answer
    assert stored() == []


@pytest.mark.parametrize("body", [{"permission": {"name": "getmap"}}, {"permission_name": "execute-deny"}])
def test_a_name_the_resource_type_cannot_carry_is_409_and_changes_nothing(api, setup, stored, body):
    """The body is valid; the stored resource (a THREDDS file) rules the name out."""
    answer = api.post(f"/users/alice/resources/{setup['file']}/permissions", body, status=409).json
    assert "allowed: browse, read, write" in answer["detail"]
    assert stored() == []


def test_unknown_user_group_resource_and_service_are_404_naming_them(api, setup):
    file_id = setup["file"]
    assert api.post(f"/users/carol/resources/{file_id}/permissions", READ, status=404).json["detail"] == \
        "no user 'carol'"
    assert api.post(f"/groups/nobody/resources/{file_id}/permissions", READ, status=404).json["detail"] == \
        "no group 'nobody'"
    assert api.get("/users/alice/resources/2147483647/permissions", status=404).json["detail"] == \
        "no resource 2147483647"
    assert "no service 'nope'" in api.post("/users/alice/services/nope/remote/1/permissions", READ,
                                            status=404).json["detail"]
    api.delete(f"/groups/team/resources/{file_id}/permissions/read", status=404)
    api.get(f"/users/alice/resources/{file_id}/permissions/read", status=405)


def test_a_user_reads_its_own_permissions_only_and_changes_none(app, api, setup):
    file_id = setup["file"]
    api.post(f"/users/alice/resources/{file_id}/permissions", READ, status=201)
    alice = credentials("alice")
    for ref in ("alice", str(setup["alice"]), "current"):
        listed = app.get(f"/users/{ref}/resources/{file_id}/permissions", headers=alice).json
        assert listed["permission_names"] == ["read", "read-allow-recursive"]
    app.get(f"/users/bob/resources/{file_id}/permissions", headers=alice, status=403)
    app.get(f"/groups/team/resources/{file_id}/permissions", headers=alice, status=403)
    app.post_json(f"/users/alice/resources/{file_id}/permissions", READ, headers=alice, status=403)
    app.delete(f"/users/alice/resources/{file_id}/permissions/read", headers=alice, status=403)
    app.get(f"/users/alice/resources/{file_id}/permissions", status=401)


def test_inherited_and_resolved_permissions_of_a_user(api, setup, principals):
    file_id = setup["file"]
    principals({}, groups=["anonymous", "other"])
    api.post(f"/users/alice/resources/{file_id}/permissions", {"permission_name": "read-deny-match"})
    api.post(f"/groups/team/resources/{file_id}/permissions", {"permission_name": "read"})
    api.post(f"/groups/team/resources/{file_id}/permissions", {"permission_name": "write-deny"})
    url = f"/users/alice/resources/{file_id}/permissions"
    assert api.get(url).json["permission_names"] == ["read-deny-match"]
    inherited = api.get(url + "?inherited=true").json["permissions"]
    alice, team = f"user:{setup['alice']}:alice", f"group:{setup['team']}:team"
    assert [(p["name"], p["access"], p["type"], p["reason"]) for p in inherited] == [
        ("read", "allow", "inherited", team), ("read", "deny", "inherited", alice),
        ("write", "deny", "inherited", team)]
    # resolve: one per name, the user's own before its group's.
    resolved = api.get(url + "?resolve=true").json["permissions"]
    assert [(p["name"], p["access"], p["scope"], p["reason"]) for p in resolved] == [
        ("read", "deny", "match", alice), ("write", "deny", "recursive", team)]
    # bob belongs to no group: inherited is his own (none).
    assert api.get(f"/users/bob/resources/{file_id}/permissions?inherited=1").json["permissions"] == []
    api.get(url + "?resolve=maybe", status=400)


def test_resolve_between_groups_of_equal_priority_says_multiple(api, setup, principals):
    ids = principals({"dave": ["team", "other"]}, groups=["other"])
    file_id = setup["file"]
    for group in ("team", "other"):
        api.post(f"/groups/{group}/resources/{file_id}/permissions", {"permission_name": "read"})
    resolved = api.get(f"/users/{ids['dave']}/resources/{file_id}/permissions?resolve=true").json["permissions"]
    assert [(p["name"], p["access"], p["reason"]) for p in resolved] == [("read", "allow", "multiple")]
    api.post(f"/groups/other/resources/{file_id}/permissions", {"permission_name": "read-deny"}, status=200)
    resolved = api.get(f"/users/dave/resources/{file_id}/permissions?resolve=true").json["permissions"]
    assert [(p["access"], p["reason"]) for p in resolved] == [("deny", f"group:{ids['other']}:other")]


def test_service_permission_names_per_resource_type(api, create_service):
    create_service("geo", service_type="geoserver", sync_type=None)
    answer = api.get("/services/geo/permissions").json
    assert answer["service"]["service_name"] == "geo"
    assert set(answer["resource_types"]) == {"service", "workspace", "layer", "process"}
    assert answer["resource_types"]["process"]["names"] == ["describeprocess", "execute"]
    assert "getmap-deny-match" in answer["resource_types"]["layer"]["permission_names"]
    assert {p["type"] for p in answer["permissions"]} == {"allowed"}
    assert "execute" in {p["name"] for p in answer["permissions"]}
    api.get("/services/nope/permissions", status=404)


def test_a_service_itself_carries_its_type_s_names(api, create_service, principals):
    service = create_service("procs", service_type="wps", sync_type=None)
    principals({"alice": []})
    url = f"/users/alice/resources/{service['resource_id']}/permissions"
    api.post(url, {"permission_name": "getcapabilities"}, status=201)
    assert "getcapabilities" in api.post(url, {"permission_name": "read"}, status=409).json["detail"]


def test_resolve_puts_a_generic_group_above_the_anonymous_group(api, setup, principals):
    ids = principals({"erin": ["team", "anonymous"]}, groups=["anonymous"])
    file_id = setup["file"]
    api.post(f"/groups/anonymous/resources/{file_id}/permissions", {"permission_name": "read-deny"})
    api.post(f"/groups/team/resources/{file_id}/permissions", {"permission_name": "read-match"})
    resolved = api.get(f"/users/erin/resources/{file_id}/permissions?resolve=true").json["permissions"]
    assert [(p["access"], p["scope"], p["reason"]) for p in resolved] == \
        [("allow", "match", f"group:{ids['team']}:team")]
