"""Sign-in, the session cookie, HTTP Basic, CSRF and the administrator made at start-up."""
import logging

import pytest
import webtest

import magpie
from magpie.config import SettingsError
from tests.functional.api.conftest import ADMIN_PASSWORD, ADMIN_USER, basic

SERVICE = {"service_name": "thredds", "service_type": "thredds", "service_url": "http://127.0.0.1:9/thredds",
           "service_sync_type": "thredds"}


def signin(app, user_name=ADMIN_USER, password=ADMIN_PASSWORD, **kw):
    return app.post_json("/signin", {"user_name": user_name, "password": password}, **kw)


def test_anonymous_calls_get_401_as_json(app):
    for method, url in [("get", "/services"), ("post", "/services"), ("get", "/services/1/resources"),
                        ("post", "/services/1/sync"), ("get", "/resources/1"), ("delete", "/services/x")]:
        answer = getattr(app, method)(url, status=401)
        assert answer.json["code"] == 401 and answer.json["detail"]
        assert answer.headers["WWW-Authenticate"].startswith("Basic")


def test_no_basic_challenge_for_page_scripts_or_cookie_sessions(app):
    """A challenge would make the browser open its own password dialog over the admin page."""
    answer = app.get("/services", headers={"Sec-Fetch-Mode": "cors"}, status=401)
    assert "WWW-Authenticate" not in answer.headers and answer.json["code"] == 401
    app.set_cookie("magpie_session", "expired-or-forged")
    answer = app.get("/services", status=401)
    assert "WWW-Authenticate" not in answer.headers


def test_wrong_basic_password_is_401_and_right_one_passes(app):
    app.get("/services", headers=basic(ADMIN_USER, "wrong"), status=401)
    app.get("/services", headers=basic("nobody", ADMIN_PASSWORD), status=401)
    app.get("/services", headers={"Authorization": "Basic !!!not-base64"}, status=401)
    app.get("/services", headers={"Authorization": "Bearer abc"}, status=401)
    assert app.get("/services", headers=basic(ADMIN_USER, ADMIN_PASSWORD)).json == {"services": []}


def test_signed_in_non_admin_gets_403(app, create_user):
    headers = create_user("alice", "alice-password-1")
    answer = app.get("/services", headers=headers, status=403)
    assert answer.json["code"] == 403 and "alice" in answer.json["detail"]
    signin(app, "alice", "alice-password-1")
    assert app.get("/session").json["is_admin"] is False
    app.get("/services", status=403)


def test_signin_sets_a_hardened_cookie_and_the_session_works(app):
    answer = signin(app)
    assert answer.json["authenticated"] is True and answer.json["is_admin"] is True
    assert answer.json["user_name"] == ADMIN_USER and answer.json["csrf_token"]
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("magpie_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.get("/services").json == {"services": []}
    assert app.get("/session").json["csrf_token"] == answer.json["csrf_token"]


def test_form_signin(app):
    answer = app.post("/signin", {"user_name": ADMIN_USER, "password": ADMIN_PASSWORD})
    assert answer.json["is_admin"] is True
    app.get("/services", status=200)


def test_failed_signin_is_401_and_bad_body_400(app, caplog):
    with caplog.at_level(logging.WARNING, logger="magpie"):
        answer = signin(app, password="wrong", status=401)
    assert "wrong user name or password" in answer.json["detail"]
    assert "failed sign-in for user 'admin'" in caplog.text
    answer = app.post_json("/signin", {"user_name": ADMIN_USER}, status=400)
    assert [field["field"] for field in answer.json["fields"]] == ["password"]
    app.get("/services", status=401)


def test_cookie_post_needs_the_csrf_token(app):
    token = signin(app).json["csrf_token"]
    answer = app.post_json("/services", SERVICE, status=403)
    assert "CSRF token" in answer.json["detail"]
    app.post_json("/services", SERVICE, headers={"X-CSRF-Token": "forged"}, status=403)
    app.post_json("/services", SERVICE, headers={"X-CSRF-Token": token}, status=201)
    app.delete("/services/thredds", status=403)
    app.delete("/services/thredds", headers={"X-CSRF-Token": token}, status=200)


def test_cross_site_post_with_the_cookie_is_refused(app):
    """A page of another site makes the browser POST with the session cookie (and even a stolen
    token): refused, and nothing is written."""
    token = signin(app).json["csrf_token"]
    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
        answer = app.post_json("/services", SERVICE, headers={"X-CSRF-Token": token, **headers}, status=403)
        assert "cross-site" in answer.json["detail"]
    assert app.get("/services").json == {"services": []}
    # The same page origin is fine.
    app.post_json("/services", SERVICE, headers={"X-CSRF-Token": token, "Origin": "http://localhost:80",
                                                 "Sec-Fetch-Site": "same-origin"}, status=201)


def test_basic_clients_need_no_token_but_cross_site_basic_is_refused(app, admin_auth):
    app.post_json("/services", SERVICE, headers=admin_auth, status=201)
    app.post_json("/services", {**SERVICE, "service_name": "other"},
                  headers={**admin_auth, "Origin": "http://evil.example"}, status=403)


def test_cross_site_signin_is_refused(app):
    signin(app, headers={"Origin": "http://evil.example"}, status=403)
    app.get("/services", status=401)


def test_signout_ends_the_session(app):
    signin(app)
    assert app.get("/signout").json["authenticated"] is False
    app.get("/services", status=401)
    assert app.get("/session").json == {"authenticated": False, "user_name": None, "is_admin": False,
                                        "csrf_token": None}


def test_a_new_admin_password_ends_old_sessions_and_old_credentials(app_settings):
    first = webtest.TestApp(magpie.main({}, **app_settings))
    signin(first)
    cookie = first.cookies["magpie_session"]
    changed = dict(app_settings, **{"magpie.admin_password": "another-long-password"})
    second = webtest.TestApp(magpie.main({}, **changed))
    second.set_cookie("magpie_session", cookie)
    second.get("/services", status=401)
    second.get("/services", headers=basic(ADMIN_USER, ADMIN_PASSWORD), status=401)
    second.get("/services", headers=basic(ADMIN_USER, "another-long-password"), status=200)


def test_a_cookie_signed_with_another_secret_is_ignored(app_settings):
    first = webtest.TestApp(magpie.main({}, **app_settings))
    signin(first)
    other = webtest.TestApp(magpie.main({}, **dict(app_settings, **{"magpie.secret": "y" * 40})))
    other.set_cookie("magpie_session", first.cookies["magpie_session"])
    other.get("/services", status=401)


@pytest.mark.parametrize("overrides, match", [
    ({"magpie.admin_password": ""}, "no administrator"),
    ({"magpie.admin_user": ""}, "no administrator"),
    ({"magpie.admin_password": "short"}, "shorter than 12"),
    ({"magpie.admin_password": "magpie-dev-password"}, "development password"),
    ({"magpie.secret": ""}, "no session secret"),
    ({"magpie.secret": "magpie-development-secret-change-me"}, "development secret"),
    ({"magpie.environment": "prod"}, "magpie.environment"),
])
def test_production_refuses_weak_settings(app_settings, overrides, match):
    settings = dict(app_settings, **{"magpie.environment": "production"})
    settings.update(overrides)
    with pytest.raises(SettingsError, match=match):
        magpie.main({}, **settings)


def test_development_password_starts_with_a_warning(app_settings, caplog):
    settings = dict(app_settings, **{"magpie.environment": "development",
                                     "magpie.admin_password": "magpie-dev-password"})
    with caplog.at_level(logging.WARNING, logger="magpie"):
        app = webtest.TestApp(magpie.main({}, **settings))
    assert "development password" in caplog.text
    app.get("/services", headers=basic(ADMIN_USER, "magpie-dev-password"), status=200)


def test_environment_variables_set_the_admin(app_settings, monkeypatch):
    monkeypatch.setenv("MAGPIE_ADMIN_USER", "root")
    monkeypatch.setenv("MAGPIE_ADMIN_PASSWORD", "root-password-from-env")
    app = webtest.TestApp(magpie.main({}, **app_settings))
    app.get("/services", headers=basic("root", "root-password-from-env"), status=200)
