"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, against real servers.

PostgreSQL comes from ``MAGPIE_TEST_POSTGRES_URL`` (default the local ``test`` database); the
suite creates a database of its own beside it and drops it at the end. Under ``CI=true`` a
PostgreSQL that cannot be reached fails the run instead of skipping.
"""
import os
import shutil
import uuid

import pytest
import sqlalchemy as sa
import transaction
from argon2 import PasswordHasher
from sqlalchemy.engine import make_url

from magpie import db, models
from magpie.models import passwords
from tests.support.remote_server import RemoteServer

# The suite's remote servers listen on 127.0.0.1, which service URLs may not reach outside tests
# (server-side request forgery, magpie.sync.remote.addresses); tests of the refusal remove it.
os.environ.setdefault("REMOTE_ALLOWED_NETWORKS", "127.0.0.0/8 ::1/128")

#: The hasher the application ships with (OWASP's minimum cost); tests that check it use ``owasp_hashing``.
OWASP_HASHER = passwords.HASHER
#: Argon2id at its smallest cost for the suite's own users: one check costs 0.04 ms instead of
#: about 40 ms, and the suite makes tens of thousands of Basic-authenticated calls (Schemathesis
#: alone: 3 minutes of its 3.5 per database). A hash carries its parameters, so servers started
#: by a test (cron, workers) verify these cheaply too; nothing but the cost changes.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
passwords.HASHER, passwords.DUMMY_HASH = FAST_HASHER, FAST_HASHER.hash("magpie: no such user")


@pytest.fixture
def owasp_hashing(monkeypatch):
    """New passwords hashed at the cost the application ships with."""
    monkeypatch.setattr(passwords, "HASHER", OWASP_HASHER)
    monkeypatch.setattr(passwords, "DUMMY_HASH", OWASP_HASHER.hash("magpie: no such user"))


POSTGRES_URL = os.environ.get("MAGPIE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def postgres_url():
    """URL of a fresh, migrated PostgreSQL database for this test session."""
    server_url = make_url(POSTGRES_URL)
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"magpie_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {str(exc).splitlines()[0]}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    url = server_url.set(database=name).render_as_string(hide_password=False)
    db.migrate({"sqlalchemy.url": url})
    yield url
    db.dispose_engines()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite"
    url = f"sqlite:///{path}"
    db.migrate({"sqlalchemy.url": url})
    db.dispose_engines()
    return path


def _truncate_all(url: str) -> None:
    engine = db.get_engine({"sqlalchemy.url": url})
    tables = ", ".join(f'"{table.name}"' for table in models.Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A clean, migrated database: a copied SQLite file, or the session's PostgreSQL emptied."""
    if request.param == "sqlite":
        path = tmp_path / "magpie.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        yield url
        db.dispose_engine(url)
    else:
        url = request.getfixturevalue("postgres_url")
        _truncate_all(url)
        yield url


@pytest.fixture
def settings(db_url):
    return {"sqlalchemy.url": db_url}


@pytest.fixture
def tm():
    return transaction.TransactionManager(explicit=True)


@pytest.fixture
def session(settings, tm):
    """A session joined to ``tm``: write inside ``with tm:`` blocks."""
    dbsession = db.get_db_session_from_settings(settings, tm)
    yield dbsession
    try:
        tm.abort()  # a test that failed inside a transaction
    except transaction.interfaces.NoTransaction:
        pass
    dbsession.close()


@pytest.fixture
def remote():
    """A real HTTP server on 127.0.0.1 on a free port; register documents with ``remote.add``."""
    server = RemoteServer().start()
    yield server
    server.stop()


@pytest.fixture
def add_service(session, tm):
    """Create a service (committed) and return its id."""

    def create(name="thredds", url="http://127.0.0.1:1/thredds", type_="thredds", sync_type="thredds",
               configuration=None) -> int:
        with tm:
            service = models.Service(resource_name=name, type=type_, url=url, sync_type=sync_type,
                                     configuration=configuration)
            session.add(service)
            session.flush()
            return service.resource_id

    return create


@pytest.fixture
def audit_entries(session, tm):
    """The audit entries whose action starts with ``prefix``, oldest first, as dicts."""
    def read(prefix: str = "") -> list:
        with tm:
            rows = session.execute(sa.select(models.AuditEntry).order_by(models.AuditEntry.id)).scalars().all()
            return [{"actor": e.actor, "action": e.action, "service_id": e.service_id, "resource_id": e.resource_id,
                     "user_name": e.user_name, "group_name": e.group_name, "before": e.before, "after": e.after}
                    for e in rows if e.action.startswith(prefix)]

    return read
