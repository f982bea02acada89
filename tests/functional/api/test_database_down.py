"""With the database gone, callers still get our answers: JSON from the API, our page in the UI.

The outage is real: the SQLite file is replaced by a directory, or the PostgreSQL database is
dropped, after the app has started and the caller has signed in.
"""
import os
import shutil
import uuid

import pytest
import sqlalchemy as sa
import webtest
from sqlalchemy.engine import make_url

import magpie
from magpie import db
from tests.conftest import POSTGRES_URL
from tests.functional.api.conftest import ADMIN_PASSWORD, ADMIN_USER, basic


@pytest.fixture(params=["sqlite", "postgresql"])
def doomed_database(request, sqlite_template, tmp_path):
    """(URL of a migrated database, a function that takes it away)."""
    if request.param == "sqlite":
        path = tmp_path / "magpie.sqlite"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"

        def take_away():
            db.dispose_engine(url)
            for leftover in (path, tmp_path / "magpie.sqlite-wal", tmp_path / "magpie.sqlite-shm"):
                if leftover.exists():
                    os.remove(leftover)
            os.mkdir(path)  # SQLite can open neither it nor a new file in its place

        yield url, take_away
        db.dispose_engine(url)
        return
    request.getfixturevalue("postgres_url")  # skips or fails as the suite does without PostgreSQL
    server = sa.create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"magpie_down_{uuid.uuid4().hex[:10]}"
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    db.migrate({"sqlalchemy.url": url})

    def drop():
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    yield url, drop
    db.dispose_engine(url)
    drop()
    server.dispose()


def test_signed_in_callers_get_our_answers_while_the_database_is_down(doomed_database, caplog):
    url, take_away = doomed_database
    app = webtest.TestApp(magpie.main({}, **{
        "sqlalchemy.url": url, "magpie.admin_user": ADMIN_USER, "magpie.admin_password": ADMIN_PASSWORD,
        "magpie.secret": "s" * 40, "magpie.environment": "test", "retry.attempts": 1}))
    app.post_json("/signin", {"user_name": ADMIN_USER, "password": ADMIN_PASSWORD})
    app.get("/services")
    take_away()
    answer = app.get("/services", status=500)
    assert answer.content_type == "application/json" and answer.json["code"] == 500
    assert "OperationalError" not in answer.text
    page = app.get("/ui/services", status=500)
    assert page.content_type == "text/html" and "Something went wrong" in page.text
    assert "Traceback" not in page.text and "OperationalError" not in page.text
    basic_answer = webtest.TestApp(app.app).get("/services", headers=basic(ADMIN_USER, ADMIN_PASSWORD), status=500)
    assert basic_answer.json["code"] == 500
    assert "cannot tell who is calling /services: the database is unavailable" in caplog.text
    assert app.get("/health", status=503).json == {"database": "not ready"}
