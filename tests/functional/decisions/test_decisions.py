"""Decisions in-process, on SQLite and PostgreSQL: Magpie's order and reasons, the implied
groups, paths beyond the local tree, effective permissions and the annotated merged tree."""
import pytest

from magpie import models
from magpie.errors import InvalidInput, NotFoundError
from magpie.permissions import decisions


@pytest.fixture
def thredds(world, session, tm):
    """thredds > data > {public.nc, model > run.nc}, and users in groups."""
    service_id = world.service("thredds")
    ids = {"service": service_id,
           "data": world.path(service_id, "data", leaf_type="directory"),
           "public": world.path(service_id, "data/public.nc"),
           "run": world.path(service_id, "data/model/run.nc")}
    ids["model"] = world.path(service_id, "data/model", leaf_type="directory")  # made with run.nc
    for name in ("editors", "readers"):
        world.group(name)
    world.user("alice", "editors", "readers")
    world.user("bob")
    world.user("root", "administrators")
    with tm:
        ids["service_row"] = session.get(models.Service, service_id)
    return ids


def ask(session, tm, settings, service, path, permission, user):
    with tm:
        return decisions.authorize(session, settings, service, path, permission, user)


def test_reasons_follow_magpies_order(world, thredds, session, tm, magpie_settings):
    service, alice = thredds["service_row"], world.get_user("alice")
    answer = ask(session, tm, magpie_settings, service, "data/public.nc", "read", alice)
    assert (answer["allowed"], answer["reason"], answer["applied"]) == (False, "no-permission", None)

    world.grant("group:editors", thredds["data"], "read-allow-recursive")
    world.grant("group:readers", thredds["data"], "read-allow-recursive")
    answer = ask(session, tm, magpie_settings, service, "data/public.nc", "read", alice)
    assert (answer["allowed"], answer["reason"]) == (True, "multiple")

    world.grant("group:readers", thredds["public"], "read-deny-match")
    answer = ask(session, tm, magpie_settings, service, "data/public.nc", "read", alice)
    assert (answer["allowed"], answer["reason"]) == (False, f"group:{world.groups['readers']}:readers")
    assert answer["applied"] == {"resource_id": thredds["public"], "permission": "read-deny-match"}

    world.grant("user:alice", thredds["service"], "read-allow-recursive")
    answer = ask(session, tm, magpie_settings, service, "data/public.nc", "read", alice)
    assert (answer["allowed"], answer["reason"]) == (True, f"user:{alice.id}:alice")
    assert answer["resource"] == {"resource_id": thredds["public"], "resource_name": "public.nc",
                                  "resource_type": "file", "exact": True}

    root = world.get_user("root")
    answer = ask(session, tm, magpie_settings, service, "anything/at/all", "write", root)
    assert (answer["allowed"], answer["reason"], answer["applied"]) == (True, "administrator", None)


def test_the_users_and_anonymous_groups_hold_without_membership_rows(world, thredds, session, tm,
                                                                     magpie_settings):
    service, bob = thredds["service_row"], world.get_user("bob")
    world.grant("group:users", thredds["data"], "read-allow-recursive")
    assert ask(session, tm, magpie_settings, service, "data/public.nc", "read", bob)["reason"] == \
        f"group:{world.groups['users']}:users"
    assert ask(session, tm, magpie_settings, service, "data/public.nc", "read", None)["allowed"] is False

    world.grant("group:anonymous", thredds["public"], "browse-allow-recursive")
    for user in (None, bob):
        answer = ask(session, tm, magpie_settings, service, "data/public.nc", "browse", user)
        assert (answer["allowed"], answer["reason"]) == (True, f"group:{world.groups['anonymous']}:anonymous")
    # a generic group outranks the anonymous group: signed in, bob is refused what anonymous may
    world.grant("group:users", thredds["public"], "browse-deny-match")
    assert ask(session, tm, magpie_settings, service, "data/public.nc", "browse", bob)["allowed"] is False
    assert ask(session, tm, magpie_settings, service, "data/public.nc", "browse", None)["allowed"] is True


def test_paths_beyond_the_local_tree_take_only_recursive_permissions(world, thredds, session, tm,
                                                                     magpie_settings):
    service, bob = thredds["service_row"], world.get_user("bob")
    world.grant("user:bob", thredds["model"], "read-allow-match")
    world.grant("user:bob", thredds["data"], "browse-allow-recursive")
    on_model = ask(session, tm, magpie_settings, service, "data/model", "read", bob)
    assert on_model["allowed"] is True and on_model["resource"]["exact"] is True

    beyond = ask(session, tm, magpie_settings, service, "data/model/not-synced.nc", "read", bob)
    assert beyond["allowed"] is False and beyond["reason"] == "no-permission"
    assert beyond["resource"] == {"resource_id": thredds["model"], "resource_name": "model",
                                  "resource_type": "directory", "exact": False}
    deeper = ask(session, tm, magpie_settings, service, "//data/model/x/y.nc/", "browse", bob)
    assert deeper["allowed"] is True and deeper["path"] == "data/model/x/y.nc"
    # what a server would serve is decided: data/model, not a name under data/public.nc
    dotted = ask(session, tm, magpie_settings, service, "data/public.nc/../model/./", "read", bob)
    assert dotted["allowed"] is True and dotted["resource"]["resource_id"] == thredds["model"]
    assert ask(session, tm, magpie_settings, service, "", "browse", bob)["resource"]["resource_type"] == "service"


def test_effective_gives_every_name_of_the_resource_type(world, thredds, session, tm, magpie_settings):
    world.grant("group:editors", thredds["data"], "write-allow-recursive")
    with tm:
        found = decisions.effective(session, magpie_settings, world.get_user("alice"), thredds["run"])
        only = decisions.effective(session, magpie_settings, None, thredds["service"], names=["read"])
    assert set(found) == {"browse", "read", "write"}
    assert found["write"].allowed and found["write"].resource_id == thredds["data"]
    assert not found["read"].allowed and found["read"].reason == "no-permission"
    assert list(only) == ["read"]
    with tm, pytest.raises(NotFoundError):
        decisions.effective(session, magpie_settings, None, 999_999)


def test_annotate_tree_resolves_remote_nodes_on_their_local_ancestor(world, thredds, session, tm,
                                                                     magpie_settings):
    world.grant("user:bob", thredds["model"], "read-allow-match")
    world.grant("user:bob", thredds["data"], "browse-allow-recursive")
    remote_file = {"id": None, "remote_id": 7, "resource_type": "file", "children": {}}
    model = {"id": thredds["model"], "remote_id": 6, "resource_type": "directory",
             "children": {"run.nc": {"id": thredds["run"], "remote_id": 8, "resource_type": "file", "children": {}},
                          "remote.nc": remote_file}}
    tree = {"thredds": {"id": thredds["service"], "remote_id": 1, "resource_type": "service", "children": {
        "data": {"id": thredds["data"], "remote_id": 2, "resource_type": "directory", "children": {"model": model}}}}}
    with tm:
        decisions.annotate_tree(session, magpie_settings, thredds["service_row"], tree, world.get_user("bob"))
    assert tree["thredds"]["effective"]["browse"] == {"allowed": False, "reason": "no-permission"}
    assert set(tree["thredds"]["effective"]) == {"browse", "read", "write"}
    assert model["effective"]["read"] == {"allowed": True, "reason": f"user:{world.users['bob']}:bob"}
    assert model["children"]["run.nc"]["effective"]["read"]["allowed"] is False  # match stays on model
    assert remote_file["effective"]["read"]["allowed"] is False
    assert remote_file["effective"]["browse"]["allowed"] is True


def test_bad_questions_are_refused(world, thredds, session, tm, magpie_settings):
    service = thredds["service_row"]
    with tm, pytest.raises(InvalidInput) as caught:
        decisions.authorize(session, magpie_settings, service, "data/\x00", "read", None)
    assert caught.value.field == "path"
    for permission in ("nonsense", "read-allow-match"):
        with tm, pytest.raises(InvalidInput) as caught:
            decisions.authorize(session, magpie_settings, service, "data", permission, None)
        assert caught.value.field == "permission"
    # a name THREDDS does not carry can be applied nowhere on it: denied, but to administrators
    world.grant("group:anonymous", thredds["service"], "read-allow-recursive")
    assert ask(session, tm, magpie_settings, service, "data", "getmap", None)["reason"] == "no-permission"
    assert ask(session, tm, magpie_settings, service, "data", "getmap", world.get_user("root"))["allowed"] is True
