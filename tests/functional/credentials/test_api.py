"""PUT/GET/DELETE /services/{service}/credentials: stored sealed, never answered back."""
import base64

import pytest
import sqlalchemy as sa
import webtest

import magpie
from magpie import db
from magpie.config import DEVELOPMENT_SECRETS_KEY, SettingsError
from magpie.errors import InvalidInput
from magpie.services.crud import validate_configuration
from tests.functional.api.conftest import Api
from tests.functional.credentials.conftest import API_KEY, PASSWORD, TOKEN, assert_nowhere


@pytest.fixture
def service(create_service):
    return create_service("thredds", url="http://127.0.0.1:9/thredds")


def stored_rows(settings):
    with db.get_engine(settings).connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text("SELECT * FROM service_credentials"))]


@pytest.mark.parametrize("body, secrets", [
    ({"kind": "basic", "username": "reader", "password": PASSWORD},
     [PASSWORD, base64.b64encode(f"reader:{PASSWORD}".encode()).decode()]),
    ({"kind": "bearer", "token": TOKEN}, [TOKEN]),
    ({"kind": "headers", "headers": {"X-Api-Key": API_KEY}}, [API_KEY]),
])
def test_set_say_what_is_set_and_remove(api, service, settings, server_log, body, secrets):
    answer = api.put("/services/thredds/credentials", body).json
    assert answer["credentials"]["kind"] == body["kind"] and answer["credentials"]["set_at"]
    assert api.get("/services/thredds/credentials").json["credentials"]["kind"] == body["kind"]
    rows = stored_rows(settings)
    assert len(rows) == 1 and rows[0][1] == body["kind"]
    api.get("/services/thredds")
    api.get("/services")
    entries = api.get("/audit").json["entries"]
    assert [(e["action"], e["after"]) for e in entries][:1] == [("service.credentials.set", {"kind": body["kind"]})]
    assert api.delete("/services/thredds/credentials").json["credentials"] == {"kind": None, "set_at": None}
    assert stored_rows(settings) == []
    api.get("/audit")
    for secret in secrets:
        assert_nowhere(secret, repr(rows), server_log.text, *api.answers)


def test_replacing_keeps_one_row_and_the_new_kind(api, service, settings):
    api.put("/services/thredds/credentials", {"kind": "bearer", "token": TOKEN})
    api.put("/services/thredds/credentials", {"kind": "basic", "username": "u", "password": PASSWORD})
    assert [row[1] for row in stored_rows(settings)] == ["basic"]


BAD_BODIES = [
    ({"kind": "basic", "username": "reader"}, "body"),
    ({"kind": "basic", "username": "a:b", "password": PASSWORD}, "body"),
    ({"kind": "bearer", "token": "two words " + PASSWORD}, "body"),
    ({"kind": "bearer", "token": TOKEN, "password": PASSWORD}, "body"),
    ({"kind": "headers", "headers": {"X Key": PASSWORD}}, "credentials/headers"),
    ({"kind": "headers", "headers": {"X-Key": "line\r\nX-Other: " + PASSWORD}}, "body"),
    ({"kind": "digest", "password": PASSWORD}, "body"),
    ({"kind": [PASSWORD, None], "token": PASSWORD}, "body"),
    ({"kind": "bearer", "token": PASSWORD * 200}, "body"),
    ({"kind": "headers", "headers": {"X-Key": 12345678}}, "body"),
]


def test_bad_credentials_are_refused_without_their_value(api, service, settings):
    for body, field in BAD_BODIES:  # one app for all: each case costs a request, not a start-up
        answer = api.put("/services/thredds/credentials", body, status=400)
        assert answer.json["fields"][0]["field"] == field, body
        assert PASSWORD not in answer.text and "12345678" not in answer.text
    assert stored_rows(settings) == []


def test_without_a_secrets_key_nothing_is_stored(app_settings, settings, admin_auth, monkeypatch):
    monkeypatch.delenv("MAGPIE_SECRETS_KEY", raising=False)
    app = Api(webtest.TestApp(magpie.main({}, **dict(app_settings, **{"magpie.secrets_key": ""}))), admin_auth)
    app.post("/services", {"service_name": "thredds", "service_type": "thredds",
                           "service_url": "http://127.0.0.1:9/thredds", "service_sync_type": "thredds"}, status=201)
    answer = app.app.put_json("/services/thredds/credentials", {"kind": "bearer", "token": TOKEN},
                              headers=app.headers, status=409)
    assert "no secrets key: set magpie.secrets_key" in answer.json["detail"]
    assert stored_rows(settings) == []


@pytest.mark.parametrize("url", ["http://reader:pw-in-url@127.0.0.1:9/thredds", "http://reader@127.0.0.1:9/t"])
def test_a_url_with_user_info_is_refused_pointing_to_credentials(api, service, url):
    body = {"service_name": "other", "service_type": "thredds", "service_url": url, "service_sync_type": "thredds"}
    created = api.post("/services", body, status=400).json
    changed = api.patch("/services/thredds", {"service_url": url}, status=400).json
    for answer in (created, changed):
        assert answer["fields"][0]["field"] == "service_url"
        assert "/services/{service}/credentials" in answer["detail"] and "pw-in-url" not in str(answer)
    assert api.get("/services/thredds").json["service"]["service_url"] == "http://127.0.0.1:9/thredds"


@pytest.mark.parametrize("key, match", [
    ("", "no secrets key"),
    (DEVELOPMENT_SECRETS_KEY, "development key"),
    ("not-a-key", "not a Fernet key"),
])
def test_production_refuses_a_missing_development_or_malformed_key(app_settings, monkeypatch, key, match):
    monkeypatch.delenv("MAGPIE_SECRETS_KEY", raising=False)
    settings = dict(app_settings, **{"magpie.environment": "production", "magpie.secrets_key": key,
                                     "magpie.secret": "p" * 40, "magpie.admin_password": "a-long-admin-password"})
    with pytest.raises(SettingsError, match=match):
        magpie.main({}, **settings)



def test_credentials_in_the_configuration_are_refused_pointing_to_credentials():
    """The API's document refuses unknown keys first; the providers file and the pages reach this."""
    with pytest.raises(InvalidInput, match=r"PUT /services/\{service\}/credentials") as refused:
        validate_configuration({"password": PASSWORD}, "thredds")
    assert PASSWORD not in str(refused.value)
