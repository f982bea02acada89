"""The sync sends a service's credentials: protected THREDDS and GeoServer REST (basic) and a STAC
API behind a bearer token, real servers on 127.0.0.1 that answer 401 without them. The secret
shows in no answer, no log record and no stored row."""
import base64
import json

import pytest
import sqlalchemy as sa

from magpie import db
from magpie.sync.config import SyncConfig
from magpie.sync.remote.auth import Credentials
from magpie.sync.remote.http import HttpClient, HttpLimits, origin_of
from tests.functional.credentials.conftest import API_KEY, PASSWORD, TOKEN, assert_nowhere
from tests.support.remote_server import RemoteServer, fixture_bytes
from tests.support.thredds_catalogs import catalog_xml

JSON = "application/json"
BASIC = "Basic " + base64.b64encode(f"reader:{PASSWORD}".encode()).decode()


@pytest.fixture
def other():
    """A second server: another origin."""
    server = RemoteServer().start()
    yield server
    server.stop()


def everything_said(api, settings, server_log) -> list:
    with db.get_engine(settings).connect() as connection:
        rows = [repr(tuple(row)) for table in ("service_credentials", "sync_runs", "remote_resources_sync_info",
                                                "audit_log", "services")
                for row in connection.execute(sa.text(f"SELECT * FROM {table}"))]
    return [server_log.text, *api.answers, *rows]


def sync(api, name, status=200):
    return api.post(f"/services/{name}/sync?wait=true", status=status).json


def test_protected_thredds_with_basic_auth(api, create_service, remote, settings, server_log):
    remote.required_headers = {"Authorization": BASIC}
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("tas.nc", "cmip6/tas.nc")]))
    create_service("thredds", url=remote.url + "/thredds")
    refused = sync(api, "thredds", status=502)
    assert "HTTP 401" in refused["result"]["error"]
    api.put("/services/thredds/credentials", {"kind": "basic", "username": "reader", "password": PASSWORD})
    result = sync(api, "thredds")["result"]
    assert result["error"] is None and result["added"] == 3  # the service, cmip6, tas.nc
    assert remote.received_headers[-1]["Authorization"] == BASIC
    api.get("/services/thredds/sync/history")
    api.get("/services/thredds/resources?sync=true")
    for secret in (PASSWORD, BASIC.split()[1]):
        assert_nowhere(secret, *everything_said(api, settings, server_log))


def test_protected_geoserver_rest_with_basic_auth(api, create_service, remote, settings, server_log):
    remote.required_headers = {"Authorization": BASIC}
    remote.add("/geoserver/rest/workspaces", fixture_bytes("geoserver/rest_workspaces.openapi-example.json"),
               content_type=JSON)
    for workspace in ("topp", "it.geosolutions"):
        remote.add(f"/geoserver/rest/workspaces/{workspace}/layers",
                   json.dumps({"layers": {"layer": [{"name": f"{workspace}:roads"}]}}), content_type=JSON)
    create_service("geoserver", url=remote.url + "/geoserver/rest", service_type="geoserver",
                   sync_type="geoserver-api")
    assert "HTTP 401" in sync(api, "geoserver", status=502)["result"]["error"]
    api.put("/services/geoserver/credentials", {"kind": "basic", "username": "reader", "password": PASSWORD})
    assert sync(api, "geoserver")["result"]["added"] == 5
    assert {h.get("Authorization") for h in remote.received_headers[1:]} == {BASIC}
    for secret in (PASSWORD, BASIC.split()[1]):
        assert_nowhere(secret, *everything_said(api, settings, server_log))


def test_stac_behind_a_bearer_token(api, create_service, remote, settings, server_log):
    remote.required_headers = {"Authorization": f"Bearer {TOKEN}"}
    remote.add("/stac/collections", json.dumps({"collections": [{"id": "era5", "title": "ERA5"}], "links": []}),
               content_type=JSON)
    create_service("stac", url=remote.url + "/stac", service_type="stac", sync_type="stac")
    assert "HTTP 401" in sync(api, "stac", status=502)["result"]["error"]
    api.put("/services/stac/credentials", {"kind": "bearer", "token": TOKEN})
    assert sync(api, "stac")["result"]["added"] == 2
    api.delete("/services/stac/credentials")
    assert "HTTP 401" in sync(api, "stac", status=502)["result"]["error"]
    assert_nowhere(TOKEN, *everything_said(api, settings, server_log))


def test_a_redirect_to_another_origin_does_not_carry_them(remote, other):
    """The client follows a redirect to an allowed origin that may not have the credentials."""
    remote.add("/data/catalog.xml", status=302, location=other.url + "/mirror/catalog.xml")
    other.add("/mirror/catalog.xml", catalog_xml())
    limits = HttpLimits.of(SyncConfig.parse(None))
    credentials = Credentials.parse({"kind": "headers", "headers": {"X-Api-Key": API_KEY}})
    with HttpClient(limits, allowed_origins={origin_of(remote.url), origin_of(other.url)}, credentials=credentials,
                    credential_origins={origin_of(remote.url)}) as http:
        final_url, _body, _type = http.get_bytes(remote.url + "/data/catalog.xml")
    assert final_url == other.url + "/mirror/catalog.xml"
    assert remote.received_headers[0]["X-Api-Key"] == API_KEY
    assert "X-Api-Key" not in other.received_headers[0]


def test_the_sync_sends_them_only_where_the_service_may_go(api, create_service, remote, other, settings,
                                                          server_log):
    """A redirect off the service's origins is not followed, and the error that names its URL
    (here carrying the token, as a careless server might) is cleaned of it."""
    remote.add("/thredds/catalog.xml", status=302, location=f"{other.url}/login?token={TOKEN}")
    create_service("thredds", url=remote.url + "/thredds")
    api.put("/services/thredds/credentials", {"kind": "bearer", "token": TOKEN})
    error = sync(api, "thredds", status=502)["result"]["error"]
    assert "outside the origins" in error and "[redacted]" in error
    assert other.requests == [] and remote.received_headers[0]["Authorization"] == f"Bearer {TOKEN}"
    api.get("/services/thredds/sync")
    assert_nowhere(TOKEN, *everything_said(api, settings, server_log))
