"""What a user may effectively do: on one resource (``effective=true`` of the user route) and on
every node of the merged tree, remote-only nodes included."""
from tests.functional.permissions.conftest import add, credentials, find


def effective_of(api, user, resource_id) -> dict:
    answer = api.get(f"/users/{user}/resources/{resource_id}/permissions?effective=true").json
    return {p["name"]: (p["access"], p["scope"], p["type"], p["reason"]) for p in answer["permissions"]}


def test_effective_permissions_walk_up_to_the_service(app, api, thredds, principals):
    ids = principals({"alice": ["team"], "root": ["administrators"]}, groups=["team", "administrators"])
    sid = thredds["resource_id"]
    a = add(api, "thredds", "a", "directory")
    x = add(api, "thredds", "x.nc", "file", a)
    api.post(f"/groups/team/resources/{sid}/permissions", {"permission_name": "browse"})
    api.post(f"/users/alice/resources/{a}/permissions", {"permission_name": "read-deny-match"})
    api.post(f"/users/alice/resources/{a}/permissions", {"permission_name": "write"})
    team, alice = f"group:{ids['team']}:team", f"user:{ids['alice']}:alice"
    on_x = effective_of(api, "alice", x)
    assert on_x == {"browse": ("allow", "match", "effective", team),
                    "read": ("deny", "match", "effective", "no-permission"),  # match on a stops there
                    "write": ("allow", "match", "effective", alice)}
    assert effective_of(api, "alice", a)["read"] == ("deny", "match", "effective", alice)
    assert set(effective_of(api, "root", x).values()) == {("allow", "match", "effective", "administrator")}
    # alice may read her own.
    own = app.get(f"/users/current/resources/{x}/permissions?effective=true", headers=credentials("alice")).json
    assert {p["name"]: p["access"] for p in own["permissions"]} == {"browse": "allow", "read": "deny",
                                                                    "write": "allow"}


def test_the_merged_tree_with_effective_access(api, thredds, principals):
    ids = principals({"alice": []}, groups=["team"])
    a = add(api, "thredds", "a", "directory")
    api.post(f"/users/alice/resources/{a}/permissions", {"permission_name": "read"})
    api.post(f"/users/alice/resources/{thredds['resource_id']}/permissions", {"permission_name": "browse-match"})
    tree = api.get("/services/thredds/resources?sync=true&user=alice&effective=true").json["resources"]
    alice = f"user:{ids['alice']}:alice"
    root = find(tree, "thredds")["effective"]
    assert root["browse"] == {"allowed": True, "reason": alice} and root["read"]["allowed"] is False
    remote_only = find(tree, "thredds", "a", "y.nc")
    assert remote_only["id"] is None
    # A remote-only file inherits the recursive read of its local parent, not the service's match.
    assert remote_only["effective"] == {"browse": {"allowed": False, "reason": "no-permission"},
                                        "read": {"allowed": True, "reason": alice},
                                        "write": {"allowed": False, "reason": "no-permission"}}
    assert find(tree, "thredds", "b", "z.nc")["effective"]["read"] == {"allowed": False, "reason": "no-permission"}
    # Without effective, no node carries it.
    plain = api.get("/services/thredds/resources?sync=true&user=alice").json["resources"]
    assert "effective" not in find(plain, "thredds", "a")


def test_the_tree_without_a_user_shows_public_access(api, thredds, principals):
    ids = principals({}, groups=["anonymous"])
    a = add(api, "thredds", "a", "directory")
    api.post(f"/groups/anonymous/resources/{a}/permissions", {"permission_name": "browse"})
    tree = api.get("/services/thredds/resources?sync=true&effective=true").json["resources"]
    public = f"group:{ids['anonymous']}:anonymous"
    assert find(tree, "thredds", "a", "x.nc")["effective"]["browse"] == {"allowed": True, "reason": public}
    assert find(tree, "thredds", "b")["effective"]["browse"] == {"allowed": False, "reason": "no-permission"}
    # No principal named: the nodes keep the names they can carry.
    assert find(tree, "thredds", "a")["permission_names"] == ["browse", "read", "write"]
