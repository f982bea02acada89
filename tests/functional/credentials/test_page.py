"""The credentials form of a service page (WebTest): set, say the kind and when, remove; the
values never come back in the page."""
import base64

import pytest
import sqlalchemy as sa
import webtest

import magpie
from magpie import db
from tests.functional.credentials.conftest import PASSWORD, SECRETS_KEY, TOKEN
from tests.support.live_app import app_settings
from tests.support.thredds_catalogs import catalog_xml
from tests.web.test_pages import basic_auth, form_token, signin


@pytest.fixture
def page_app(settings):
    app = webtest.TestApp(magpie.main({}, **app_settings(settings["sqlalchemy.url"],
                                                         **{"magpie.secrets_key": SECRETS_KEY})))
    app.post_json("/services", {"service_name": "thredds", "service_type": "thredds",
                                "service_url": "http://127.0.0.1:9/thredds", "service_sync_type": "thredds"},
                  headers=basic_auth(), status=201)
    signin(app)
    return app


def test_set_replace_and_remove_from_the_page(page_app, settings):
    page = page_app.get("/ui/services/thredds")
    assert "None: the sync sends no credentials." in page.text
    form = {"csrf_token": form_token(page), "kind": "basic", "username": "reader", "password": PASSWORD,
            "token": "ignored-for-basic", "action": "set"}
    landed = page_app.post("/ui/services/thredds/credentials", form, status=303).follow()
    assert "HTTP basic, set" in landed.text and PASSWORD not in landed.text and "reader" not in landed.text
    replaced = page_app.post("/ui/services/thredds/credentials",
                             {"csrf_token": form_token(landed), "kind": "bearer", "token": TOKEN, "action": "set"},
                             status=303).follow()
    assert "A bearer token, set" in replaced.text and TOKEN not in replaced.text
    with db.get_engine(settings).connect() as connection:
        assert list(connection.execute(sa.text("SELECT kind FROM service_credentials")).scalars()) == ["bearer"]
    removed = page_app.post("/ui/services/thredds/credentials", {"csrf_token": form_token(replaced),
                                                                 "action": "remove"}, status=303).follow()
    assert "None: the sync sends no credentials." in removed.text


def test_bad_or_forged_forms_change_nothing(page_app, settings):
    page = page_app.get("/ui/services/thredds")
    refused = page_app.post("/ui/services/thredds/credentials",
                            {"csrf_token": form_token(page), "kind": "basic", "username": "reader", "password": ""},
                            status=400)
    assert "password must be a non-empty string" in refused.text
    page_app.post("/ui/services/thredds/credentials", {"kind": "bearer", "token": TOKEN, "action": "set"},
                  status=403)
    with db.get_engine(settings).connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM service_credentials")).scalar() == 0


def test_the_connection_is_tested_before_the_credentials_are_saved(settings, remote):
    remote.required_headers = {"Authorization": "Basic " + base64.b64encode(f"reader:{PASSWORD}".encode()).decode()}
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("tas.nc", "a/tas.nc")]))
    app = webtest.TestApp(magpie.main({}, **app_settings(settings["sqlalchemy.url"],
                                                         **{"magpie.secrets_key": SECRETS_KEY})))
    app.post_json("/services", {"service_name": "thredds", "service_type": "thredds",
                                "service_url": remote.url + "/thredds", "service_sync_type": "thredds"},
                  headers=basic_auth(), status=201)
    signin(app)
    page = app.get("/ui/services/thredds")
    failed = app.post("/ui/services/thredds/credentials", {"csrf_token": form_token(page), "kind": "basic",
                                                           "action": "test"})
    assert "The connection test failed (unauthorized)" in failed.text
    tested = app.post("/ui/services/thredds/credentials", {"csrf_token": form_token(page), "kind": "basic",
                                                           "username": "reader", "password": PASSWORD,
                                                           "action": "test"})
    assert "Connected: THREDDS catalog 1.2" in tested.text and "tas.nc" in tested.text
    assert PASSWORD not in tested.text and "None: the sync sends no credentials." in tested.text
    with db.get_engine(settings).connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM service_credentials")).scalar() == 0
