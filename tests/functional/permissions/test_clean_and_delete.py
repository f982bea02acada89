"""Permissions stay honest when resources go: deleting or cleaning a resource says which
permissions go with it (a dry run first), the database removes them, and the audit log keeps them.
Creating and adopting resources are audited too."""
from tests.functional.permissions.conftest import add, find


def lost(resource_id, kind, name, permission_name):
    base, access, scope = permission_name.split("-")
    return {"resource_id": resource_id, "principal_type": kind, "principal_name": name,
            "permission_name": permission_name, "name": base, "access": access, "scope": scope}


def test_deleting_a_resource_removes_and_reports_its_subtree_s_permissions(api, create_service, principals,
                                                                          stored, audit_entries):
    create_service("thredds")
    principals({"alice": []}, groups=["team"])
    a = add(api, "thredds", "a", "directory")
    x = add(api, "thredds", "x.nc", "file", a)
    keep = add(api, "thredds", "keep", "directory")
    api.post(f"/users/alice/resources/{x}/permissions", {"permission_name": "read-deny-match"})
    api.post(f"/groups/team/resources/{a}/permissions", {"permission_name": "browse"})
    api.post(f"/groups/team/resources/{keep}/permissions", {"permission_name": "browse"})
    answer = api.delete(f"/resources/{a}").json
    expected = [lost(a, "group", "team", "browse-allow-recursive"), lost(x, "user", "alice", "read-deny-match")]
    assert answer["descendants"] == [x] and answer["permissions"] == expected
    assert stored() == [("team", keep, "browse-allow-recursive")]
    entry = audit_entries("resource.delete")[-1]
    assert entry["resource_id"] == a and entry["actor"] == "admin"
    assert entry["before"]["permissions"] == expected and entry["before"]["descendants"] == [x]
    assert entry["before"]["resource"]["resource_name"] == "a"


def test_clean_dry_run_lists_the_permissions_then_clean_removes_them(api, thredds, principals, stored,
                                                                    audit_entries):
    principals({"alice": []}, groups=["team"])
    old = add(api, "thredds", "old", "directory")
    inner = add(api, "thredds", "inner.nc", "file", old)
    a = add(api, "thredds", "a", "directory")
    gone = add(api, "thredds", "gone.nc", "file", a)
    api.post(f"/users/alice/resources/{inner}/permissions", {"permission_name": "read"})
    api.post(f"/groups/team/resources/{gone}/permissions", {"permission_name": "write-deny-match"})
    api.post(f"/groups/team/resources/{a}/permissions", {"permission_name": "read"})
    before = stored()
    entries = len(audit_entries())
    body = {"resource_ids": [old, gone, a]}
    preview = api.post("/services/thredds/resources/clean?dry_run=true", body).json
    expected = [lost(inner, "user", "alice", "read-allow-recursive"),
                lost(gone, "group", "team", "write-deny-match")]
    assert preview["dry_run"] is True and preview["removed"] == [old, gone]
    assert preview["removed_descendants"] == [inner] and preview["permissions"] == expected
    assert [k["resource_id"] for k in preview["kept"]] == [a]
    assert stored() == before and len(audit_entries()) == entries
    assert find(api.get("/services/thredds/resources").json["resources"], "thredds", "old")["id"] == old

    done = api.post("/services/thredds/resources/clean", body).json
    assert done == {**preview, "dry_run": False}
    assert stored() == [("team", a, "read-allow-recursive")]
    cleaned = audit_entries("resource.clean")
    assert [(e["resource_id"], e["before"]["descendants"]) for e in cleaned] == [(old, [inner]), (gone, [])]
    assert cleaned[0]["before"]["permissions"] == expected[:1] and cleaned[1]["before"]["permissions"] == expected[1:]
    api.post("/services/thredds/resources/clean?dry_run=perhaps", body, status=400)


def test_creating_and_adopting_resources_are_audited(api, thredds, audit_entries):
    a = add(api, "thredds", "a", "directory")
    created = audit_entries("resource.create")
    assert [(e["resource_id"], e["service_id"], e["after"]["resource_name"]) for e in created] == \
        [(a, thredds["resource_id"], "a")]
    tree = api.get("/services/thredds/resources?sync=true").json["resources"]
    z_remote = find(tree, "thredds", "b", "z.nc")["remote_id"]
    adopted = api.post("/services/thredds/resources/adopt", {"remote_id": z_remote}).json
    entry = audit_entries("resource.adopt")[-1]
    assert entry["after"] == {"remote_id": z_remote, **adopted} and entry["resource_id"] == adopted["resource_id"]
    # Adopting what is already local changes nothing and records nothing.
    api.post("/services/thredds/resources/adopt", {"remote_id": z_remote})
    assert len(audit_entries("resource.adopt")) == 1
