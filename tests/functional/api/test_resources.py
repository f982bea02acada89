"""Local resources: create where the service's type allows it, show, delete, and the local tree."""
import pytest


def create(api, service, name, resource_type, parent_id=None, status=201):
    body = {"resource_name": name, "resource_type": resource_type}
    if parent_id is not None:
        body["parent_id"] = parent_id
    answer = api.post(f"/services/{service}/resources", body, status=status)
    return answer.json["resource"] if status == 201 else answer.json


def test_create_show_and_tree(api, create_service):
    service = create_service("thredds")
    sid = service["resource_id"]
    birdhouse = create(api, "thredds", "birdhouse", "directory")
    assert birdhouse == {"resource_id": birdhouse["resource_id"], "resource_name": "birdhouse",
                         "resource_display_name": "birdhouse", "resource_type": "directory", "parent_id": sid,
                         "service_id": sid, "permission_names": ["browse", "read", "write"]}
    nc = create(api, sid, "x.nc", "file", parent_id=birdhouse["resource_id"])
    assert api.get(f"/resources/{nc['resource_id']}").json["resource"] == nc
    assert api.get(f"/resources/{sid}").json["resource"]["resource_type"] == "service"
    answer = api.get("/services/thredds/resources").json
    assert answer["service"] == service and "sync" not in answer
    assert answer["resources"] == {"thredds": {
        "id": sid, "resource_type": "service", "resource_display_name": "thredds",
        "permission_names": ["browse", "read", "write"],
        "children": {"birdhouse": {
            "id": birdhouse["resource_id"], "resource_type": "directory", "resource_display_name": "birdhouse",
            "permission_names": ["browse", "read", "write"],
            "children": {"x.nc": {"id": nc["resource_id"], "resource_type": "file",
                                  "resource_display_name": "x.nc", "permission_names": ["browse", "read", "write"],
                                  "children": {}}}}}}}


def test_permission_names_come_from_the_service_type(api, create_service):
    """A layer of a WMS and a layer of a WFS carry different names; so do their services."""
    create_service("wms", service_type="wms", sync_type=None)
    create_service("wfs", service_type="wfs", sync_type=None)
    wms_layer = create(api, "wms", "roads", "layer")
    wfs_layer = create(api, "wfs", "roads", "layer")
    assert wms_layer["permission_names"] == ["getcapabilities", "getmap", "getfeatureinfo", "getlegendgraphic",
                                             "getmetadata"]
    assert "getfeature" in wfs_layer["permission_names"] and "getmap" not in wfs_layer["permission_names"]
    tree = api.get("/services/wfs/resources").json["resources"]["wfs"]
    assert tree["children"]["roads"]["permission_names"] == wfs_layer["permission_names"]
    create_service("procs", service_type="wps", sync_type=None)
    process = create(api, "procs", "run", "process")
    assert process["permission_names"] == ["describeprocess", "execute"]
    assert api.get("/services/procs/resources").json["resources"]["procs"]["permission_names"] == \
        ["getcapabilities", "describeprocess", "execute"]


@pytest.mark.parametrize("service_type, resource_type, allowed", [
    ("thredds", "directory", True), ("thredds", "file", True), ("thredds", "workspace", False),
    ("geoserver", "workspace", True), ("geoserver", "layer", False), ("wps", "process", True),
    ("wps", "directory", False), ("project-api", "route", True), ("stac", "collection", True),
    ("custom-type", "layer", True),
])
def test_the_service_type_decides_its_children(api, create_service, service_type, resource_type, allowed):
    create_service("svc", service_type=service_type, sync_type=None)
    answer = create(api, "svc", "child", resource_type, status=201 if allowed else 409)
    if not allowed:
        assert answer["code"] == 409 and f"cannot hold a {resource_type}" in answer["detail"]


def test_child_rules_below_resources(api, create_service):
    create_service("thredds")
    create_service("geo", service_type="geoserver", sync_type=None)
    directory = create(api, "thredds", "d", "directory")
    file = create(api, "thredds", "f.nc", "file", parent_id=directory["resource_id"])
    assert "a file ('f.nc') cannot hold a file" in create(api, "thredds", "g.nc", "file", parent_id=file["resource_id"],
                                                          status=409)["detail"]
    workspace = create(api, "geo", "ws", "workspace")
    create(api, "geo", "roads", "layer", parent_id=workspace["resource_id"])
    # A parent of another service, or none at all, is not found in this service.
    assert create(api, "thredds", "x", "directory", parent_id=workspace["resource_id"], status=404)["code"] == 404
    create(api, "thredds", "x", "directory", parent_id=2147483647, status=404)


def test_duplicate_sibling_is_409_but_same_name_elsewhere_is_fine(api, create_service):
    create_service("thredds")
    a = create(api, "thredds", "a", "directory")
    b = create(api, "thredds", "b", "directory")
    assert "already holds a resource named 'a'" in create(api, "thredds", "a", "directory", status=409)["detail"]
    create(api, "thredds", "a", "directory", parent_id=a["resource_id"])
    create(api, "thredds", "a", "directory", parent_id=b["resource_id"])


@pytest.mark.parametrize("body, field", [
    ({"resource_name": "a/b", "resource_type": "directory"}, "resource_name"),
    ({"resource_name": "", "resource_type": "directory"}, "resource_name"),
    ({"resource_name": "a", "resource_type": "service"}, "resource_type"),
    ({"resource_name": "a", "resource_type": "directory", "parent_id": 0}, "parent_id"),
    ({"resource_name": "a", "resource_type": "directory", "parent_id": "one"}, "parent_id"),
    ({"resource_type": "directory"}, "resource_name"),
])
def test_bad_resource_bodies_are_400(api, create_service, body, field):
    create_service("thredds")
    answer = api.post("/services/thredds/resources", body, status=400)
    assert field in [item["field"] for item in answer.json["fields"]], answer.json


def test_resource_ids_in_the_path(api, create_service):
    create_service("thredds")
    for bad in ("0", "-1", "abc", "2147483648", "1.5"):
        answer = api.get(f"/resources/{bad}", status=400)
        assert [item["field"] for item in answer.json["fields"]] == ["resource_id"]
    assert api.get("/resources/999", status=404).json["detail"] == "no resource 999"
    api.post("/services/nope/resources", {"resource_name": "a", "resource_type": "directory"}, status=404)


def test_delete_resource_removes_its_subtree_but_not_a_service(api, create_service):
    service = create_service("thredds")
    a = create(api, "thredds", "a", "directory")
    b = create(api, "thredds", "b", "directory", parent_id=a["resource_id"])
    keep = create(api, "thredds", "keep", "directory")
    answer = api.delete(f"/resources/{a['resource_id']}").json
    assert answer == {"resource": a, "descendants": [b["resource_id"]], "permissions": []}
    api.get(f"/resources/{b['resource_id']}", status=404)
    api.get(f"/resources/{keep['resource_id']}")
    answer = api.delete(f"/resources/{service['resource_id']}", status=409)
    assert "DELETE /services" in answer.json["detail"]
    api.delete(f"/resources/{a['resource_id']}", status=404)


def test_sync_parameter_accepts_only_booleans(api, create_service):
    create_service("thredds")
    for value in ("true", "false", "1", "0"):
        api.get(f"/services/thredds/resources?sync={value}")
    for value in ("yes", "TRUE ", "2", ""):
        answer = api.get(f"/services/thredds/resources?sync={value}", status=400)
        assert [item["field"] for item in answer.json["fields"]] == ["sync"]
        assert "sync" in answer.json["detail"]


def test_merged_tree_needs_a_sync_type(api, create_service):
    create_service("plain", service_type="wps", sync_type=None)
    assert api.get("/services/plain/resources").json["resources"]["plain"]["children"] == {}
    answer = api.get("/services/plain/resources?sync=true", status=409)
    assert answer.json["detail"] == "service 'plain' has no sync type"
