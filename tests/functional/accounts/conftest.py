"""Users, groups and memberships through the real WSGI app, on SQLite and PostgreSQL."""
import json
import threading

import pytest
import sqlalchemy as sa
import webtest

from magpie import audit
from tests.functional.api.conftest import (  # noqa: F401  the app and administrator fixtures
    ADMIN_PASSWORD, ADMIN_USER, admin_auth, api, app, app_settings, basic, wsgi_app,
)

PASSWORD = "a-long-password-1"


@pytest.fixture
def new_user(api):
    """Create a user through the API; returns its answer."""
    def create(user_name="alice", password=PASSWORD, email=None, **extra) -> dict:
        body = {"user_name": user_name, "email": email or f"{user_name}@example.org", "password": password, **extra}
        return api.post("/users", body, status=201).json["user"]

    return create


@pytest.fixture
def new_group(api):
    def create(group_name="team", description="") -> dict:
        return api.post("/groups", {"group_name": group_name, "description": description}, status=201).json["group"]

    return create


@pytest.fixture
def audit_log(audit_entries):
    """The audit entries of :func:`tests.conftest.audit_entries` but those start-up writes itself
    (actor ``system``: the special groups and the administrator)."""
    return lambda prefix="": [entry for entry in audit_entries(prefix) if entry["actor"] != audit.SYSTEM]


@pytest.fixture
def count_rows(session, tm):
    def count(model, *where) -> int:
        with tm:
            return session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar()

    return count


def signed_in(wsgi_app, user_name: str, password: str):
    """A browser-like client holding a session cookie, and the CSRF header its changes carry."""
    client = webtest.TestApp(wsgi_app)
    token = client.post_json("/signin", {"user_name": user_name, "password": password}).json["csrf_token"]
    return client, {"X-CSRF-Token": token}


def at_once(*calls):
    """Run ``calls`` in threads released together; returns their results (or exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def dumps(value) -> str:
    return json.dumps(value, sort_keys=True)
