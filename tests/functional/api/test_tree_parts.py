"""The tree API in parts (``depth``, ``parent``, ``q``, ``status``, ``counts``): each answer is
what the pure slicer cuts from the whole merged tree, which the database-backed reader never
builds."""
import pytest

from magpie import models
from magpie.resources import slicing
from magpie.resources.tree import add_resource
from magpie.sync.store import apply_update
from tests.functional.sync.helpers import sync
from tests.support.thredds_catalogs import catalog_xml


def remote_dir(**children):
    return {"resource_type": "directory", "children": children}


def remote_file(display=None):
    return {"resource_type": "file", "resource_display_name": display, "children": {}}


REMOTE = {"thredds": {"resource_type": "service", "children": {
    "birdhouse": remote_dir(
        cmip6=remote_dir(**{"tas.nc": remote_file("Air temperature"), "pr.nc": remote_file()}),
        obs=remote_dir(**{f"day{i}.nc": remote_file() for i in range(5)})),
    "ouranos": remote_dir(deep=remote_dir(**{"x.nc": remote_file()})),
}}}


@pytest.fixture
def world(session, tm, add_service):
    """thredds synced to depth 3: matched, gone (with a child), remote-only and deeper nodes."""
    service_id = add_service(configuration={"max_depth": 3})
    with tm:
        service = session.get(models.Service, service_id)
        apply_update(REMOTE, service_id, session)

        def add(name, parent=None, resource_type="directory"):
            return add_resource(session, service, name, resource_type, parent_id=parent).resource_id

        ids = {"birdhouse": add("birdhouse")}
        ids["cmip6"] = add("cmip6", ids["birdhouse"])
        ids["tas.nc"] = add("tas.nc", ids["cmip6"], "file")
        ids["old"] = add("old", ids["birdhouse"])
        ids["old/a.nc"] = add("a.nc", ids["old"], "file")
        ids["obs"] = add("obs", ids["birdhouse"])
        ids["deeper"] = add("deeper", add("d4", add("d3", add("d2", add("d1")))), "file")
    return service_id, ids


def get(api, query, status=200, at_risk=False):
    """The answer; without ``at_risk``, nodes without ``gone_permissions`` (which the full tree
    does not carry) to compare them with slices of the full tree."""
    answer = api.get("/services/thredds/resources", params=query, status=status).json
    stack = list(answer.get("resources", {}).values())
    while stack and not at_risk:
        node = stack.pop()
        node.pop("gone_permissions", None)
        stack.extend(node["children"].values())
    return answer


def remote_ids(node, found=None):
    found = {} if found is None else found
    for name, child in node["children"].items():
        found.setdefault(name, child["remote_id"])
        remote_ids(child, found)
    return found


def test_depth_and_parent_cut_the_merged_tree(api, world):
    _, ids = world
    full = get(api, {"sync": "true"})["resources"]
    first = get(api, {"sync": "true", "depth": "1"})
    assert first["resources"] == slicing.subtree(full, ["thredds"], 1)
    assert first["parent"] == {"path": ["thredds"], "id": full["thredds"]["id"],
                               "remote_id": full["thredds"]["remote_id"]}
    assert list(first["resources"]["thredds"]["children"]) == ["birdhouse", "d1", "ouranos"]
    birdhouse = first["resources"]["thredds"]["children"]["birdhouse"]
    assert birdhouse["has_children"] is True and birdhouse["children_loaded"] is False
    assert first["sync"]["max_depth"] == 3

    for depth in (0, 2, None):
        query = {"sync": "true", "parent": str(ids["birdhouse"])}
        if depth is not None:
            query["depth"] = str(depth)
        assert get(api, query)["resources"] == slicing.subtree(full, ["thredds", "birdhouse"], depth)

    # A remote-only node by its remote id, under its ancestors (one child each).
    deep_id = remote_ids(full["thredds"])["deep"]
    answer = get(api, {"sync": "true", "parent": f"remote:{deep_id}", "depth": "1"})
    assert answer["resources"] == slicing.subtree(full, ["thredds", "ouranos", "deep"], 1)
    assert answer["parent"] == {"path": ["thredds", "ouranos", "deep"], "id": None, "remote_id": deep_id}
    assert list(answer["resources"]["thredds"]["children"]) == ["ouranos"]
    assert answer["resources"]["thredds"]["children_loaded"] is False
    # A local node by its remote id is the same node, and a gone one by its local id.
    cmip6_remote = remote_ids(full["thredds"])["cmip6"]
    assert get(api, {"sync": "true", "parent": f"remote:{cmip6_remote}"})["resources"] == \
        slicing.subtree(full, ["thredds", "birdhouse", "cmip6"])
    assert get(api, {"sync": "true", "parent": str(ids["old"])})["resources"] == \
        slicing.subtree(full, ["thredds", "birdhouse", "old"])
    assert get(api, {"sync": "true", "parent": str(ids["deeper"])})["resources"] == \
        slicing.subtree(full, ["thredds", "d1", "d2", "d3", "d4", "deeper"])

    assert "no remote node 999999" in get(api, {"sync": "true", "parent": "remote:999999"}, 404)["detail"]
    assert "no resource 999999" in get(api, {"sync": "true", "parent": "999999"}, 404)["detail"]
    get(api, {"sync": "true", "parent": "../1"}, 400)
    get(api, {"sync": "true", "depth": "-1"}, 400)


def test_counts_without_the_remote_tree(api, world):
    full = get(api, {"sync": "true", "counts": "true"})
    expected = slicing.tree_counts(full["resources"])
    assert full["counts"] == expected
    # birdhouse, cmip6, tas.nc, obs; 13 remote minus those 4; old, a.nc, d1-d3; d4 and below.
    assert expected == {"nodes": 20, "matched": 4, "remote_only": 9, "gone": 5, "not_checked": 2, "unverified": 0}
    assert get(api, {"sync": "true", "depth": "0", "counts": "true"})["counts"] == expected
    assert "counts" not in get(api, {"sync": "true", "depth": "0"})
    assert get(api, {"counts": "true"})["counts"] == {"nodes": 11}


def test_filter_answers_matches_with_ancestors(api, world):
    full = get(api, {"sync": "true"})["resources"]
    for q in ("NC", "day", "air temp", "a.nc", "de", "zzz", "%", "_"):
        answer = get(api, {"sync": "true", "q": q})
        expected, total = slicing.filtered(full, q)
        assert answer["resources"] == expected, q
        assert answer["filter"] == {"q": q, "status": None, "matches": total, "shown": total}, q
    nc = get(api, {"sync": "true", "q": "nc"})
    assert nc["filter"]["matches"] == 9  # tas, pr, 5 days, x (remote), a.nc (gone)
    obs = nc["resources"]["thredds"]["children"]["birdhouse"]["children"]["obs"]
    assert list(obs["children"]) == [f"day{i}.nc" for i in range(5)] and "match" not in obs
    assert all(child["match"] for child in obs["children"].values())
    assert get(api, {"sync": "true", "q": "nc", "depth": "1", "parent": "remote:1"}) == nc  # the whole tree


def test_parts_of_the_local_tree(api, world):
    _, ids = world
    full = get(api, {})["resources"]
    assert get(api, {"depth": "1"})["resources"] == slicing.subtree(full, ["thredds"], 1)
    assert get(api, {"parent": str(ids["old"])})["resources"] == slicing.subtree(full, ["thredds", "birdhouse", "old"])
    assert get(api, {"q": "tas"})["resources"] == slicing.filtered(full, "tas")[0]
    assert "sync=true" in get(api, {"parent": "remote:1"}, 404)["detail"]


def test_a_part_for_a_user_resolves_through_ancestors_left_out(api, world):
    """Effective access on a node fetched alone comes from the permissions of ancestors that
    the answer holds only as a chain."""
    _, ids = world
    api.post("/users", {"user_name": "alice", "email": "alice@example.org", "password": "alice-password-1"})
    api.post(f"/users/alice/resources/{ids['birdhouse']}/permissions", {"permission_name": "read-allow-recursive"})
    api.post(f"/users/alice/resources/{ids['obs']}/permissions", {"permission_name": "read-deny-recursive"})
    query = {"sync": "true", "user": "alice", "effective": "true"}
    full = get(api, query)["resources"]
    obs_remote = remote_ids(full["thredds"])["obs"]
    answer = get(api, {**query, "parent": f"remote:{obs_remote}", "depth": "1"})["resources"]
    assert answer == slicing.subtree(full, ["thredds", "birdhouse", "obs"], 1)
    day = answer["thredds"]["children"]["birdhouse"]["children"]["obs"]["children"]["day0.nc"]
    assert day["effective"]["read"]["allowed"] is False
    cmip6 = get(api, {**query, "q": "pr.nc"})["resources"]["thredds"]["children"]["birdhouse"]["children"]["cmip6"]
    assert cmip6["children"]["pr.nc"]["effective"]["read"]["allowed"] is True
    assert cmip6["permissions"] == [] and cmip6["children"]["pr.nc"]["id"] is None


def test_gone_nodes_say_how_many_permissions_a_clean_removes(api, world):
    _, ids = world
    api.post("/groups", {"group_name": "researchers"})
    for name in ("read-allow-recursive", "write-deny-match"):
        api.post(f"/groups/researchers/resources/{ids['old/a.nc']}/permissions", {"permission_name": name})
    old = get(api, {"sync": "true", "parent": str(ids["old"])}, at_risk=True)["resources"]["thredds"]["children"]["birdhouse"]
    assert old["children"]["old"]["gone_permissions"] == 0
    assert old["children"]["old"]["children"]["a.nc"]["gone_permissions"] == 2
    assert "gone_permissions" not in old


def test_a_filter_shows_at_most_its_limit_and_counts_all(session, tm, world):
    from magpie.resources import tree_filter
    from magpie.resources.partial_tree import PartialTree
    service_id, _ = world
    with tm:
        view = PartialTree(session, session.get(models.Service, service_id), "thredds")
        answer, total = tree_filter.filtered(view, "nc", limit=3)
    matches = []
    stack = list(answer.values())
    while stack:
        node = stack.pop()
        matches += [node] if node.get("match") else []
        stack.extend(node["children"].values())
    assert total == 9 and len(matches) == 3


def test_a_part_of_a_tree_that_cannot_be_merged_is_a_conflict(api, add_service):
    add_service(name="odd", sync_type="no-such-sync-type")
    answer = api.get("/services/odd/resources", params={"sync": "true", "depth": "1"}, status=409).json
    assert "cannot be merged" in answer["detail"] and "no-such-sync-type" in answer["detail"]


@pytest.fixture
def partial_world(session, tm, remote, add_service):
    """thredds synced to depth 3, then again while catalog b answers 503: b and what the first
    sync saw below it are unverified, with local nodes below b that the sync never saw."""
    remote.add("/thredds/catalog.xml", catalog_xml(refs=[("catalog/a/catalog.xml", "A"),
                                                         ("catalog/b/catalog.xml", "B")]))
    remote.add("/thredds/catalog/a/catalog.xml", catalog_xml("a", files=[("x", "a/x.nc"), ("w", "a/w.nc")]))
    remote.add("/thredds/catalog/b/catalog.xml", catalog_xml("b", files=[("y", "b/y.nc"), ("z", "b/sub/z.nc")]))
    service_id = add_service(url=remote.url + "/thredds", configuration={"retries": 0, "max_depth": 3})
    assert sync(session, tm, service_id).status == "succeeded"
    with tm:
        service = session.get(models.Service, service_id)

        def add(path, resource_type="directory"):
            parent = None
            for name in path.split("/")[:-1]:
                parent = session.query(models.Resource).filter_by(root_service_id=service_id, resource_name=name,
                                                                  parent_id=parent or service_id).one().resource_id
            return add_resource(session, service, path.split("/")[-1], resource_type, parent_id=parent)

        for path in ("a", "a/x.nc", "a/gone.nc", "a/q1", "a/q1/q2", "a/q1/q2/q3",
                     "b", "b/y.nc", "b/local.nc", "b/new", "b/new/d2", "b/new/d2/d3.nc"):
            add(path, "file" if path.endswith(".nc") else "directory")
    remote.add("/thredds/catalog/b/catalog.xml", b"", status=503)
    assert sync(session, tm, service_id).status == "partial"
    return service_id


def test_counts_excuse_local_nodes_below_an_unverified_part(api, partial_world):
    full = get(api, {"sync": "true"})["resources"]
    new = full["thredds"]["children"]["b"]["children"]["new"]
    assert new["matches_remote"] is True and new["unverified"]["reason"].startswith("child catalog not read")
    expected = slicing.tree_counts(full)
    # a, x.nc; w.nc; gone.nc, q1, q2; q3 (depth 4); b, y.nc, local.nc, new, d2, d3.nc, sub, z.nc
    assert expected == {"nodes": 15, "matched": 2, "remote_only": 1, "gone": 3, "not_checked": 1, "unverified": 8}
    assert get(api, {"sync": "true", "depth": "0", "counts": "true"})["counts"] == expected


@pytest.mark.parametrize("fixture", ["world", "partial_world"])
def test_status_filter_answers_the_nodes_of_a_status(api, request, fixture):
    request.getfixturevalue(fixture)
    full = get(api, {"sync": "true"})["resources"]
    statuses = {status: 0 for status in slicing.STATUSES}
    for status in slicing.STATUSES:
        for q in (None, "nc", "D", "zzz"):
            query = {"sync": "true", "status": status, **({"q": q} if q else {})}
            answer = get(api, query)
            expected, total = slicing.filtered(full, q, status=status)
            assert answer["resources"] == expected, query
            assert answer["filter"] == {"q": q, "status": status, "matches": total, "shown": total}, query
            statuses[status] += total if q is None else 0
    assert statuses == {key: value for key, value in slicing.tree_counts(full).items() if key != "nodes"}
    assert all(statuses.values()) or fixture == "world"  # the partial world has every status
    assert get(api, {"status": "gone"}) == get(api, {"sync": "true", "status": "gone"})  # statuses are the merge's
    get(api, {"sync": "true", "status": "lost"}, 400)


def test_a_status_filter_shows_at_most_its_limit_and_counts_all(session, tm, world, monkeypatch):
    from magpie.resources import remote_rows, tree_filter
    from magpie.resources.partial_tree import PartialTree
    service_id, _ = world
    with tm:
        view = PartialTree(session, session.get(models.Service, service_id), "thredds")
        # 4 twins to leave out, or none; skipped as they come, or by a pairing in the statement.
        for q, expected_total, skipped in ((None, 9, 2000), (None, 9, 0), ("day", 5, 0)):
            monkeypatch.setattr(remote_rows, "SKIPPED_AS_THEY_COME", skipped)
            answer, total = tree_filter.filtered(view, q, "remote_only", limit=3)
            matches, stack = [], list(answer.values())
            while stack:
                node = stack.pop()
                matches += [node] if node.get("match") else []
                stack.extend(node["children"].values())
            assert total == expected_total and len(matches) == 3
            assert all(slicing.status_of(node) == "remote_only" for node in matches)


def test_a_filter_folds_the_case_of_every_letter_as_python_does(api, session, tm, add_service):
    """SQLite's LIKE folds ASCII letters only: "MONTRÉAL" finds "Montréal" all the same, on the
    remote-only rows the database filters as on the full tree's slice."""
    service_id = add_service()
    with tm:
        apply_update({"thredds": {"resource_type": "service", "children": {
            "Montréal": remote_dir(**{"ÉTÉ.nc": remote_file("Été chaud"), "hiver.nc": remote_file("Winter")}),
            "quebec": remote_dir(**{"x.nc": remote_file("MONTRÉAL station")}),
        }}}, service_id, session)
    full = get(api, {"sync": "true"})["resources"]
    for q in ("MONTRÉAL", "montréal", "été", "ÉTÉ.NC", "hiver", "é"):
        answer = get(api, {"sync": "true", "q": q})
        expected, total = slicing.filtered(full, q)
        assert answer["resources"] == expected, q
        assert answer["filter"]["matches"] == total, q
    assert get(api, {"sync": "true", "q": "MONTRÉAL"})["filter"]["matches"] == 2  # the directory, x.nc
    assert get(api, {"sync": "true", "q": "été"})["filter"]["matches"] == 1
