"""The WSGI app of the API tests, and audit entries written with the times a test needs."""
import datetime

import pytest

from magpie import audit, models
from tests.functional.api.conftest import admin_auth, api, app, app_settings, create_user, wsgi_app  # noqa: F401


@pytest.fixture
def add_entry(session, tm):
    """Write one entry at ``at`` and return its id."""
    def add(at: datetime.datetime, action: str = "test.change", actor: str = "admin", **about) -> int:
        with tm:
            entry = models.AuditEntry(at=at, actor=actor, action=action, **about)
            session.add(entry)
            session.flush()
            return entry.id

    return add


@pytest.fixture(autouse=True)
def forget_retention():
    """The retention is process-wide: leave it as a process without settings has it."""
    yield
    audit.configure_retention(0)
