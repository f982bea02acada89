"""POST /services/test and /services/{service}/test: one document read, what it is or why not,
against real servers on 127.0.0.1."""
import base64
import json
import socket

import pytest

from tests.functional.credentials.conftest import PASSWORD, TOKEN, assert_nowhere
from tests.support.remote_server import fixture_bytes
from tests.support.thredds_catalogs import catalog_xml

BASIC = "Basic " + base64.b64encode(f"reader:{PASSWORD}".encode()).decode()


def probe(api, url, sync_type, **extra):
    return api.post("/services/test", {"service_url": url, "service_sync_type": sync_type, **extra}).json["test"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_thredds_catalog_says_its_version_and_first_children(api, remote):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("tas.nc", "a/tas.nc"), ("pr.nc", "a/pr.nc")],
                                                   refs=[("cmip6/catalog.xml", "CMIP6")]))
    remote.add("/thredds/cmip6/catalog.xml", catalog_xml())
    answer = probe(api, remote.url + "/thredds", "thredds")
    assert answer["ok"] and answer["server"] == {"kind": "THREDDS catalog", "version": "1.2"}
    assert answer["children"] == ["tas.nc", "pr.nc", "CMIP6"]
    assert remote.requests == ["/thredds/catalog.xml"]  # the first document only


def test_capabilities_and_json_documents(api, remote):
    remote.add("/wms", fixture_bytes("wms/geoserver_dov_wms_1.3.0.xml"))
    wms = probe(api, remote.url + "/wms", "wms")
    assert wms["ok"] and wms["server"] == {"kind": "WMS", "version": "1.3.0"} and wms["children"]
    remote.add("/big/catalog.xml", catalog_xml(files=[(f"f{i:02}.nc", f"f{i:02}.nc") for i in range(12)]))
    big = probe(api, remote.url + "/big", "thredds")
    assert big["children"] == [f"f{i:02}.nc" for i in range(10)] and big["more_children"] is True
    remote.add("/stac/collections", json.dumps({"collections": [{"id": "era5", "stac_version": "1.0.0"}],
                                                "links": []}), content_type="application/json")
    assert probe(api, remote.url + "/stac", "stac")["server"] == {"kind": "STAC API", "version": "1.0.0"}


def test_protected_service_with_and_without_credentials(api, remote, server_log):
    remote.required_headers = {"Authorization": BASIC}
    remote.add("/geoserver/rest/workspaces", fixture_bytes("geoserver/rest_workspaces.openapi-example.json"),
               content_type="application/json")
    refused = probe(api, remote.url + "/geoserver/rest", "geoserver-api")
    assert (refused["ok"], refused["reason"]) == (False, "unauthorized") and "HTTP 401" in refused["message"]
    answer = probe(api, remote.url + "/geoserver/rest", "geoserver-api",
                   credentials={"kind": "basic", "username": "reader", "password": PASSWORD})
    assert answer["ok"] and answer["children"] == ["topp", "it.geosolutions"]
    api.post("/services", {"service_name": "gs", "service_type": "geoserver", "service_sync_type": "geoserver-api",
                           "service_url": remote.url + "/geoserver/rest"}, status=201)
    assert api.post("/services/gs/test").json["test"]["reason"] == "unauthorized"
    api.put("/services/gs/credentials", {"kind": "basic", "username": "reader", "password": PASSWORD})
    assert api.post("/services/gs/test").json["test"]["ok"] is True
    assert_nowhere(PASSWORD, server_log.text, *api.answers)
    assert_nowhere(BASIC.split()[1], server_log.text, *api.answers)


def test_why_it_failed(api, remote):
    remote.add("/page/catalog.xml", "<!doctype html><html><body>Welcome</body></html>", content_type="text/html")
    remote.add("/forbidden/catalog.xml", b"", status=403)
    for url, reason in [(f"http://127.0.0.1:{closed_port()}/thredds", "refused"),
                        (remote.url.replace("http:", "https:"), "tls"), (remote.url + "/page", "not_a_catalog"),
                        (remote.url + "/forbidden", "forbidden"), ("http://no-such-host.invalid/thredds", "dns")]:
        answer = probe(api, url, "thredds", configuration={"timeout": 10})
        assert (answer["ok"], answer["reason"]) == (False, reason), answer["message"]


def test_a_service_named_test_stays_readable(api, create_service):
    create_service("test", url="http://127.0.0.1:9/thredds")
    assert api.get("/services/test").json["service"]["service_name"] == "test"


def test_a_bearer_token_is_never_answered_back(api, remote, server_log):
    remote.add("/thredds/catalog.xml", status=302, location=f"http://elsewhere.invalid/login?token={TOKEN}")
    answer = probe(api, remote.url + "/thredds", "thredds", credentials={"kind": "bearer", "token": TOKEN})
    assert answer["ok"] is False and "outside the origins" in answer["message"]
    assert_nowhere(TOKEN, server_log.text, *api.answers)
