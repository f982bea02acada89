"""The API app with a secrets key, a client that keeps every answer, and the app's log, so a test
can look for a secret in everything the server said."""
import logging

import pytest
from cryptography.fernet import Fernet

from tests.functional.api.conftest import Api, admin_auth, app, create_service, wsgi_app  # noqa: F401
from tests.functional.api.conftest import app_settings as api_settings  # noqa: F401

SECRETS_KEY = Fernet.generate_key().decode()
PASSWORD = "s3cret-Pa55word-of-the-test"
TOKEN = "tok-7c2f0d9a61e54b0c8e1f-bearer"
API_KEY = "apikey-0b4e77f2a9d14c6c"


@pytest.fixture
def app_settings(api_settings):  # noqa: F811
    return {**api_settings, "magpie.secrets_key": SECRETS_KEY}


class RecordingApi(Api):
    """The administrator's client; ``answers`` holds the body of every answer it got."""

    def __init__(self, app, headers):
        super().__init__(app, headers)
        self.answers = []

    def _keep(self, response):
        self.answers.append(response.text)
        return response

    def get(self, url, **kw):
        return self._keep(super().get(url, **kw))

    def post(self, url, body=None, **kw):
        return self._keep(super().post(url, body, **kw))

    def put(self, url, body, **kw):
        return self._keep(self.app.put_json(url, body, **self._kw(kw)))

    def patch(self, url, body, **kw):
        return self._keep(super().patch(url, body, **kw))

    def delete(self, url, **kw):
        return self._keep(super().delete(url, **kw))


@pytest.fixture
def api(app, admin_auth):  # noqa: F811
    return RecordingApi(app, admin_auth)


@pytest.fixture
def server_log(caplog):
    """Every log record of the process at DEBUG, as the server would write them."""
    caplog.set_level(logging.DEBUG)
    return caplog


def assert_nowhere(secret: str, *texts: str) -> None:
    for text in texts:
        assert secret not in text
