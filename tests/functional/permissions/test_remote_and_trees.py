"""Granting on nodes of the merged tree that exist only remotely, and the trees seen for one user
or group, against a real THREDDS server."""
import sqlalchemy as sa

from magpie import models
from tests.functional.permissions.conftest import add, find

READ = {"permission": {"name": "read"}}


def merged(api, query: str = "") -> dict:
    return api.get(f"/services/thredds/resources?sync=true{query}").json["resources"]


def test_granting_on_a_remote_only_node_creates_its_path_once(api, thredds, principals, stored, audit_entries):
    ids = principals({"alice": []}, groups=["team"])
    a_id = add(api, "thredds", "a", "directory")
    y_remote = find(merged(api), "thredds", "a", "y.nc")["remote_id"]
    answer = api.post(f"/users/alice/services/thredds/remote/{y_remote}/permissions", READ, status=201).json
    y_id = answer["resource_id"]
    assert answer["created_resources"] == [y_id] and answer["existing_resources"] == [a_id]
    assert answer["remote_id"] == y_remote and answer["permission_name"] == "read-allow-recursive"
    node = find(merged(api), "thredds", "a", "y.nc")
    assert node["id"] == y_id and node["matches_remote"] is True
    # A group on the same node: the path exists now, nothing is created.
    again = api.post(f"/groups/team/services/{thredds['resource_id']}/remote/{y_remote}/permissions",
                     {"permission_name": "browse-match"}, status=201).json
    assert again["resource_id"] == y_id and again["created_resources"] == []
    assert stored() == [("alice", y_id, "read-allow-recursive"), ("team", y_id, "browse-allow-match")]
    api.post(f"/users/alice/services/thredds/remote/{y_remote}/permissions", READ, status=409)
    adopt = audit_entries("resource.adopt")
    assert len(adopt) == 1 and adopt[0]["after"]["created"] == [y_id] and adopt[0]["actor"] == "admin"
    assert [e["resource_id"] for e in audit_entries("permission.grant")] == [y_id, y_id]
    assert ids["team"]


def test_a_refused_remote_grant_creates_nothing(api, thredds, principals, session, tm):
    principals({"alice": []})
    z_remote = find(merged(api), "thredds", "b", "z.nc")["remote_id"]
    answer = api.post(f"/users/alice/services/thredds/remote/{z_remote}/permissions",
                      {"permission_name": "getmap"}, status=409).json
    assert "allowed: browse, read, write" in answer["detail"]
    api.post(f"/users/nobody/services/thredds/remote/{z_remote}/permissions", READ, status=404)
    api.post("/users/alice/services/thredds/remote/2147483647/permissions", READ, status=404)
    with tm:
        count = session.execute(sa.select(sa.func.count()).select_from(models.Resource)
                                .where(models.Resource.root_service_id == thredds["resource_id"])).scalar()
    assert count == 0
    assert find(merged(api), "thredds", "b", "z.nc")["id"] is None


def test_the_main_remote_node_stands_for_the_service(api, thredds, principals, stored):
    principals({"alice": []})
    main_remote = merged(api)["thredds"]["remote_id"]
    answer = api.post(f"/users/alice/services/thredds/remote/{main_remote}/permissions",
                      {"permission_name": "browse"}, status=201).json
    assert answer["resource_id"] == thredds["resource_id"] and answer["created_resources"] == []
    assert stored() == [("alice", thredds["resource_id"], "browse-allow-recursive")]


def test_a_remote_node_of_another_service_is_not_found(api, thredds, create_service, remote, principals):
    principals({"alice": []})
    x_remote = find(merged(api), "thredds", "a", "x.nc")["remote_id"]
    create_service("other", url=remote.url + "/thredds")
    answer = api.post(f"/users/alice/services/other/remote/{x_remote}/permissions", READ, status=404).json
    assert "has no remote resource" in answer["detail"]


def test_the_merged_tree_for_a_user_and_for_a_group(api, thredds, principals):
    ids = principals({"alice": ["team"]}, groups=["team"])
    a_id = add(api, "thredds", "a", "directory")
    x_remote = find(merged(api), "thredds", "a", "x.nc")["remote_id"]
    api.post(f"/users/alice/resources/{a_id}/permissions", {"permission_name": "read-deny-match"})
    x_id = api.post(f"/groups/team/services/thredds/remote/{x_remote}/permissions", READ).json["resource_id"]
    tree = merged(api, "&user=alice")
    a = find(tree, "thredds", "a")
    assert a["permission_names"] == ["read-deny-match"] and a["allowed_permission_names"] == ["browse", "read", "write"]
    assert a["permissions"] == [{"name": "read", "access": "deny", "scope": "match", "type": "direct",
                                 "reason": f"user:{ids['alice']}:alice"}]
    assert find(tree, "thredds", "a", "x.nc")["permissions"] == []  # the group's, not alice's own
    remote_only = find(tree, "thredds", "a", "y.nc")
    assert remote_only["id"] is None and remote_only["permissions"] == []
    assert remote_only["allowed_permission_names"] == ["browse", "read", "write"]
    # inherited: the user's groups' permissions too, each with its reason.
    inherited = find(merged(api, "&user=alice&inherited=true"), "thredds", "a", "x.nc")["permissions"]
    assert [(p["name"], p["type"], p["reason"]) for p in inherited] == \
        [("read", "inherited", f"group:{ids['team']}:team")]
    group_tree = merged(api, f"&group={ids['team']}")
    assert find(group_tree, "thredds", "a", "x.nc")["permission_names"] == ["read", "read-allow-recursive"]
    assert find(group_tree, "thredds", "a")["permissions"] == []
    # The local tree for a principal too.
    local = api.get("/services/thredds/resources?user=alice").json["resources"]
    assert find(local, "thredds", "a")["permission_names"] == ["read-deny-match"]
    assert find(local, "thredds", "a", "x.nc")["id"] == x_id


def test_tree_principal_parameters(api, thredds, principals):
    principals({"alice": []}, groups=["team"])
    api.get("/services/thredds/resources?sync=true&user=nobody", status=404)
    api.get("/services/thredds/resources?sync=true&group=nobody", status=404)
    answer = api.get("/services/thredds/resources?user=alice&group=team", status=400).json
    assert "not both" in answer["detail"]
    assert "not a group's" in api.get("/services/thredds/resources?effective=true&group=team",
                                      status=400).json["detail"]
    api.get("/services/thredds/resources?user=alice&effective=maybe", status=400)
