"""The WSGI app with an administrator, on SQLite and PostgreSQL (through ``db_url``)."""
import base64

import pytest
import webtest

import magpie
from magpie import models
from magpie.accounts import users

ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-test-password"
SECRET = "test-secret-" + "x" * 40


def basic(user_name: str, password: str) -> dict:
    token = base64.b64encode(f"{user_name}:{password}".encode("utf-8")).decode("ascii")
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def app_settings(settings):
    return {**settings, "magpie.admin_user": ADMIN_USER, "magpie.admin_password": ADMIN_PASSWORD,
            "magpie.secret": SECRET, "magpie.environment": "test", "magpie.api.validate_responses": "true"}


@pytest.fixture
def wsgi_app(app_settings):
    return magpie.main({}, **app_settings)


@pytest.fixture
def app(wsgi_app):
    """Anonymous WebTest client (cookies are kept between its calls)."""
    return webtest.TestApp(wsgi_app)


@pytest.fixture
def admin_auth():
    return basic(ADMIN_USER, ADMIN_PASSWORD)


class Api:
    """WebTest calls with the administrator's Basic credentials; ``status`` defaults to 2xx."""

    def __init__(self, app: webtest.TestApp, headers: dict):
        self.app = app
        self.headers = headers

    def _kw(self, kw):
        kw["headers"] = {**self.headers, **kw.get("headers", {})}
        return kw

    def get(self, url, **kw):
        return self.app.get(url, **self._kw(kw))

    def post(self, url, body=None, **kw):
        return self.app.post_json(url, body, **self._kw(kw)) if body is not None else \
            self.app.post(url, **self._kw(kw))

    def patch(self, url, body, **kw):
        return self.app.patch_json(url, body, **self._kw(kw))

    def delete(self, url, **kw):
        return self.app.delete(url, **self._kw(kw))


@pytest.fixture
def api(app, admin_auth):
    return Api(app, admin_auth)


@pytest.fixture
def create_service(api):
    def create(name="thredds", url="http://127.0.0.1:9/thredds", service_type="thredds", sync_type="thredds",
               configuration=None) -> dict:
        body = {"service_name": name, "service_type": service_type, "service_url": url,
                "service_sync_type": sync_type}
        if configuration is not None:
            body["configuration"] = configuration
        return api.post("/services", body, status=201).json["service"]

    return create


@pytest.fixture
def create_user(session, tm):
    """A user that is not an administrator; returns Basic headers for it."""
    def create(user_name="alice", password="alice-password-1") -> dict:
        with tm:
            user = models.User(user_name=user_name, email=f"{user_name}@example.invalid", status=1)
            users.UserService.set_password(user, password)
            session.add(user)
        return basic(user_name, password)

    return create
