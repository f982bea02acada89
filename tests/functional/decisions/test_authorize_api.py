"""``GET /services/{service}/authorize`` served by waitress and called as a proxy would: with
``requests``, anonymously, as itself, or as an administrator asking about a user."""
import pytest
import requests
from openapi_schema_validator import OAS30Validator

from magpie.api.authorize import PARAMETERS
from magpie.api.openapi import load_spec
from tests.support.live_app import ADMIN_PASSWORD, ADMIN_USER, LiveApp, app_settings

SPEC = load_spec()
ANSWER = OAS30Validator(SPEC["components"]["schemas"]["AuthorizeAnswer"])


@pytest.fixture
def served(db_url):
    app = LiveApp(app_settings(db_url)).start()  # answers are checked against the OpenAPI document
    yield app
    app.stop()


@pytest.fixture
def proxy():
    with requests.Session() as client:
        yield client


@pytest.fixture
def tree(world, served):
    service_id = world.service("thredds")
    ids = {"service": service_id, "data": world.path(service_id, "data", leaf_type="directory"),
           "file": world.path(service_id, "data/x.nc")}
    world.user("bob", password="bob-password-123")
    world.user("alice", password="alice-password-123")
    return ids


def decide(client, app, permission="read", path="data/x.nc", expect=200, **params):
    answer = client.get(f"{app.url}/services/thredds/authorize", timeout=30,
                        params={"path": path, "permission": permission, **params})
    assert answer.status_code == expect, answer.text
    if expect == 200:  # the view checks its own parameters: check its answers against the document here
        ANSWER.validate(answer.json())
    return answer.json()


def test_a_proxy_decides_public_and_own_access_without_administrator_rights(world, tree, served, proxy):
    assert decide(proxy, served)["reason"] == "no-permission"
    world.grant("group:anonymous", tree["data"], "read-allow-recursive")  # public data
    public = decide(proxy, served)
    assert public["allowed"] is True and public["reason"] == f"group:{world.groups['anonymous']}:anonymous"
    assert public["applied"] == {"resource_id": tree["data"], "permission": "read-allow-recursive"}

    proxy.auth = ("bob", "bob-password-123")
    assert decide(proxy, served)["allowed"] is True  # every signed-in user counts as anonymous too
    world.grant("group:users", tree["file"], "read-deny-match")
    own = decide(proxy, served)
    assert (own["allowed"], own["reason"]) == (False, f"group:{world.groups['users']}:users")
    beyond = decide(proxy, served, path="data/x.nc/not/synced")
    assert beyond["allowed"] is True and beyond["resource"]["exact"] is False  # match stays on x.nc


def test_asking_about_another_user_takes_an_administrator(world, tree, served, proxy):
    world.grant("user:alice", tree["file"], "read-allow-match")
    assert decide(proxy, served, user="alice", expect=401)["code"] == 401
    proxy.auth = ("bob", "bob-password-123")
    assert decide(proxy, served, user="alice", expect=403)["code"] == 403
    assert decide(proxy, served, user="bob")["allowed"] is False
    assert decide(proxy, served, user="current")["allowed"] is False
    proxy.auth = ("bob", "a-wrong-password")
    assert decide(proxy, served, expect=401)["code"] == 401  # never silently anonymous

    proxy.auth = None
    signin = proxy.post(f"{served.url}/signin", json={"user_name": ADMIN_USER, "password": ADMIN_PASSWORD},
                        timeout=30)
    assert signin.status_code == 200, signin.text  # a proxy signs in once and keeps the cookie
    answer = decide(proxy, served, user="alice")
    assert (answer["allowed"], answer["reason"]) == (True, f"user:{world.users['alice']}:alice")
    assert decide(proxy, served)["reason"] == "administrator"
    assert decide(proxy, served, user="nobody", expect=404)["code"] == 404


def test_bad_questions_get_client_errors(tree, served, proxy):
    assert decide(proxy, served, path="data/\x7f", expect=400)["fields"][0]["field"] == "path"
    assert decide(proxy, served, path="data/x.nc/../../etc")["resource"]["resource_type"] == "service"
    assert decide(proxy, served, permission="READ", expect=400)["fields"][0]["field"] == "permission"
    assert decide(proxy, served, permission="getmap")["reason"] == "no-permission"  # not a THREDDS name
    assert decide(proxy, served, user="\x01", expect=400)["fields"][0]["field"] == "user"
    missing = proxy.get(f"{served.url}/services/thredds/authorize", params={"path": "data"}, timeout=30)
    assert missing.status_code == 400
    unknown = proxy.get(f"{served.url}/services/nothing/authorize", params={"permission": "read"}, timeout=30)
    assert unknown.status_code == 404
    assert proxy.post(f"{served.url}/services/thredds/authorize", timeout=30).status_code == 405


def test_the_parameters_checked_by_the_view_are_those_of_the_document():
    documented = {parameter["name"]: parameter for parameter in
                  SPEC["paths"]["/services/{service}/authorize"]["get"]["parameters"]}
    assert set(documented) == set(PARAMETERS)
    for name, (required, schema) in PARAMETERS.items():
        assert (documented[name]["required"], documented[name]["schema"]) == (required, schema), name
