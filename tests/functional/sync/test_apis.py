"""GeoServer REST and project API sync against real HTTP servers on 127.0.0.1, on both databases."""
import json

import pytest

from magpie.helpers.sync_resources import SyncError, fetch_single_service
from tests.functional.sync.helpers import find, names, stored_tree, sync
from tests.support.remote_server import fixture_bytes

JSON = "application/json"


def layers(*names_):
    return json.dumps({"layers": {"layer": [{"name": n, "href": f"http://x/{n}.json"} for n in names_]}})


@pytest.fixture
def geoserver(remote):
    remote.add("/geoserver/rest/workspaces", fixture_bytes("geoserver/rest_workspaces.openapi-example.json"),
               content_type=JSON)
    return remote


def test_geoserver_workspaces_and_layers(session, tm, geoserver, add_service):
    geoserver.add("/geoserver/rest/workspaces/topp/layers", layers("topp:states", "tasmania_roads"), content_type=JSON)
    # GeoServer writes an empty collection as "" and a single member as an object.
    geoserver.add("/geoserver/rest/workspaces/it.geosolutions/layers", json.dumps({"layers": ""}), content_type=JSON)
    service_id = add_service(name="geoserver", url=geoserver.url + "/geoserver/rest", type_="geoserver",
                             sync_type="geoserver-api")
    result = sync(session, tm, service_id)
    assert result.ok and result.added == 5
    with tm:
        tree = stored_tree(session, service_id)
    assert names(tree) == {"geoserver": {"topp": {"states": {}, "tasmania_roads": {}}, "it.geosolutions": {}}}
    assert find(tree, "geoserver", "topp")["resource_type"] == "workspace"
    assert find(tree, "geoserver", "topp", "states")["resource_type"] == "layer"


def test_geoserver_single_object_and_empty_workspaces(session, tm, remote, add_service):
    remote.add("/rest/workspaces", json.dumps({"workspaces": {"workspace": {"name": "only", "href": "x"}}}),
               content_type=JSON)
    remote.add("/rest/workspaces/only/layers", json.dumps({"layers": {"layer": {"name": "only:one"}}}),
               content_type=JSON)
    service_id = add_service(name="gs", url=remote.url + "/rest", type_="geoserver", sync_type="geoserver-api")
    sync(session, tm, service_id)
    with tm:
        assert names(stored_tree(session, service_id)) == {"gs": {"only": {"one": {}}}}
    remote.add("/rest/workspaces", json.dumps({"workspaces": ""}), content_type=JSON)
    result = sync(session, tm, service_id)
    assert (result.added, result.removed, result.kept) == (0, 2, 1)


def test_geoserver_invalid_json_names_the_url(session, tm, geoserver, add_service):
    geoserver.add("/geoserver/rest/workspaces/topp/layers",
                  fixture_bytes("geoserver/rest_layers.openapi-example.INVALID-trailing-comma.json"), content_type=JSON)
    service_id = add_service(name="geoserver", url=geoserver.url + "/geoserver/rest", type_="geoserver",
                             sync_type="geoserver-api")
    with tm:
        with pytest.raises(SyncError, match=r"/geoserver/rest/workspaces/topp/layers: expected JSON"):
            fetch_single_service(service_id, session)
    with tm:
        assert stored_tree(session, service_id) == {}


@pytest.mark.parametrize("document, match", [
    ({"other": 1}, "expected a JSON object with 'workspaces'"),
    ({"workspaces": {"workspace": [{"href": "no name"}]}},
     r"workspaces.workspace\[0\].name must be a non-empty string, got null"),
    # Not an empty tree: that would make every stored workspace look deleted.
    ({"workspaces": None}, r"workspaces must be an array, an object or \"\", got null"),
    ({"workspaces": {"workspace": 5}}, r"workspaces.workspace must be an array, an object or \"\", got number"),
])
def test_geoserver_unexpected_documents(session, tm, remote, add_service, document, match):
    remote.add("/rest/workspaces", json.dumps(document), content_type=JSON)
    service_id = add_service(name="gs", url=remote.url + "/rest", type_="geoserver", sync_type="geoserver-api")
    with tm:
        with pytest.raises(SyncError, match=match):
            fetch_single_service(service_id, session)


def test_project_api_routes_by_id_with_project_names(session, tm, remote, add_service):
    remote.add("/api/Projects", json.dumps([{"id": 7, "name": "Ouranos"}, {"id": "abc", "name": "Other"}]),
               content_type=JSON)
    service_id = add_service(name="projects", url=remote.url + "/api", type_="project-api", sync_type="project-api")
    sync(session, tm, service_id)
    with tm:
        tree = stored_tree(session, service_id)
    assert names(tree) == {"projects": {"7": {}, "abc": {}}}
    assert find(tree, "projects", "7") == {**find(tree, "projects", "7"), "resource_type": "route",
                                            "resource_display_name": "Ouranos"}


@pytest.mark.parametrize("body, match", [
    (json.dumps({"projects": []}), "expected a JSON array of projects, got object"),
    (json.dumps([{"id": {"x": 1}}]), r"\[0\].id must be a non-empty string or an integer, got object"),
    (json.dumps([{"id": True}]), r"\[0\].id must be a non-empty string or an integer, got boolean"),
    (json.dumps([{"id": 1, "name": ["x"]}]), r"\[0\].name must be a string, got array"),
    (json.dumps([5]), r"\[0\] must be an object, got number"),
    (json.dumps([{"name": "no id"}]), r"\[0\].id must be a non-empty string or an integer, got null"),
    ("<html>", "expected JSON"),
])
def test_project_api_bad_documents(session, tm, remote, add_service, body, match):
    remote.add("/api/Projects", body, content_type=JSON)
    service_id = add_service(name="projects", url=remote.url + "/api", type_="project-api", sync_type="project-api")
    with tm:
        with pytest.raises(SyncError, match=match):
            fetch_single_service(service_id, session)
