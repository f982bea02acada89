"""Services CRUD: by id or by name, validation, duplicates, limits and JSON errors."""
import json

import pytest

from magpie.config import DEFAULT_MAX_BODY_BYTES

SERVICE_KEYS = {"resource_id", "service_name", "service_type", "service_url", "service_sync_type", "configuration"}


def field_names(answer) -> list:
    return [item["field"] for item in answer.json["fields"]]


def test_create_list_get_by_id_and_by_name(api, create_service):
    created = create_service("thredds", configuration={"max_depth": 4})
    assert set(created) == SERVICE_KEYS
    assert created["service_sync_type"] == "thredds" and created["configuration"] == {"max_depth": 4}
    create_service("geo", url="http://127.0.0.1:9/geoserver/rest", service_type="geoserver",
                   sync_type="geoserver-api")
    create_service("plain", url="https://example.invalid/wps/", service_type="wps", sync_type=None)
    listed = api.get("/services").json["services"]
    assert [s["service_name"] for s in listed] == ["geo", "plain", "thredds"]
    assert listed[1]["service_url"] == "https://example.invalid/wps"
    by_id = api.get(f"/services/{created['resource_id']}").json["service"]
    assert by_id == api.get("/services/thredds").json["service"] == created


def test_unknown_service_is_404(api, create_service):
    create_service()
    for ref in ("nope", "999", "2147483648", "99999999999999999999", "%00", "caf%C3%A9", "%E2%91%A0"):
        answer = api.get(f"/services/{ref}", status=404)
        assert answer.json["code"] == 404 and "no service" in answer.json["detail"]
    api.delete("/services/nope", status=404)
    api.patch("/services/nope", {"service_type": "wps"}, status=404)


def test_duplicate_name_is_409(create_service, api):
    create_service("thredds")
    answer = api.post("/services", {"service_name": "thredds", "service_type": "thredds",
                                     "service_url": "http://127.0.0.1:9/other"}, status=409)
    assert answer.json == {"code": 409, "error": "Conflict", "detail": "a service named 'thredds' already exists"}


@pytest.mark.parametrize("body, fields", [
    ({"service_name": "123", "service_type": "thredds", "service_url": "http://h/t"}, ["service_name"]),
    ({"service_name": "a/b", "service_type": "thredds", "service_url": "http://h/t"}, ["service_name"]),
    ({"service_name": "", "service_type": "thredds", "service_url": "http://h/t"}, ["service_name"]),
    ({"service_name": "t", "service_type": "thredds", "service_url": "ftp://h/t"}, ["service_url"]),
    ({"service_name": "t", "service_type": "thredds", "service_url": "http://h/t", "service_sync_type": "nope"},
     ["service_sync_type"]),
    ({"service_name": "t", "service_type": "thredds"}, ["service_url"]),
    ({"service_name": "t", "service_type": "thredds", "service_url": "http://h/t", "extra": 1}, ["extra"]),
    ({"service_name": "t", "service_type": "thredds", "service_url": "http://h/t",
      "configuration": {"max_depth": "deep"}}, ["configuration/max_depth"]),
    ({"service_name": "t", "service_type": "thredds", "service_url": "http://h/t",
      "configuration": {"pool_size": 100000}}, ["configuration/pool_size"]),
    ({"service_name": "t", "service_type": "thredds", "service_url": "http://h/t", "configuration": []},
     ["configuration"]),
    ({"service_name": "t\u0000", "service_type": "thredds", "service_url": "http://h/t"}, ["service_name"]),
    ({"service_name": 5, "service_type": "thredds", "service_url": "http://h/t"}, ["service_name"]),
])
def test_bad_service_bodies_are_400_naming_the_field(api, body, fields):
    answer = api.post("/services", body, status=400)
    assert answer.json["code"] == 400 and answer.json["error"] == "Bad Request"
    assert set(field_names(answer)) == set(fields), answer.json
    assert api.get("/services").json == {"services": []}


def test_lone_surrogates_and_broken_json_are_400(api):
    body = '{"service_name": "t\\ud800", "service_type": "thredds", "service_url": "http://h/t"}'
    answer = api.post("/services", params=body, headers={"Content-Type": "application/json"}, status=400)
    assert field_names(answer) == ["service_name"]
    api.post("/services", params="{not json", headers={"Content-Type": "application/json"}, status=400)
    api.post("/services", params="", headers={"Content-Type": "application/json"}, status=400)
    api.post("/services", params="a=b", headers={"Content-Type": "application/x-www-form-urlencoded"}, status=400)


def test_oversized_body_is_413(api):
    body = json.dumps({"service_name": "t", "service_type": "thredds", "service_url": "http://h/t",
                       "configuration": {"pad": "x" * DEFAULT_MAX_BODY_BYTES}})
    answer = api.post("/services", params=body, headers={"Content-Type": "application/json"}, status=413)
    assert answer.json["code"] == 413 and str(DEFAULT_MAX_BODY_BYTES) in answer.json["detail"]
    assert api.get("/services").json == {"services": []}


def test_patch_changes_only_given_fields(api, create_service):
    service = create_service("thredds")
    answer = api.patch(f"/services/{service['resource_id']}", {"service_name": "tds",
                                                                 "configuration": {"max_depth": 2}})
    assert answer.json["service"] == {**service, "service_name": "tds", "configuration": {"max_depth": 2}}
    answer = api.patch("/services/tds", {"service_sync_type": None, "service_url": "http://127.0.0.1:9/t2/"})
    assert answer.json["service"]["service_sync_type"] is None
    assert answer.json["service"]["service_url"] == "http://127.0.0.1:9/t2"
    api.get("/services/thredds", status=404)


def test_patch_validation_and_conflicts(api, create_service):
    create_service("thredds")
    create_service("other")
    assert api.patch("/services/thredds", {"service_name": "other"}, status=409).json["code"] == 409
    assert field_names(api.patch("/services/thredds", {}, status=400)) == ["body"]
    assert field_names(api.patch("/services/thredds", {"service_name": "42"}, status=400)) == ["service_name"]
    assert field_names(api.patch("/services/thredds", {"service_sync_type": "nope"}, status=400)) == \
        ["service_sync_type"]
    assert api.get("/services/thredds").json["service"]["service_sync_type"] == "thredds"


def test_delete_removes_the_service_and_its_tree(api, create_service):
    service = create_service("thredds")
    directory = api.post("/services/thredds/resources", {"resource_name": "a", "resource_type": "directory"},
                         status=201).json["resource"]
    answer = api.delete(f"/services/{service['resource_id']}")
    assert answer.json["service"] == service
    api.get("/services/thredds", status=404)
    api.get(f"/resources/{directory['resource_id']}", status=404)
    api.delete(f"/services/{service['resource_id']}", status=404)


def test_wrong_method_is_405_and_unknown_route_404(api):
    answer = api.app.put("/services", headers=api.headers, status=405)
    assert answer.headers["Allow"] == "GET, POST, HEAD" and answer.json["code"] == 405
    answer = api.get("/no/such/route", status=404)
    assert answer.json["code"] == 404
    assert api.app.head("/services", headers=api.headers, status=200).body == b""
