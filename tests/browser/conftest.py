"""Browser tests: the app served by waitress on 127.0.0.1, THREDDS-like servers on 127.0.0.1, and
Debian's Chromium driven by Playwright (its own browser download does not work here).

Without Chromium the browser tests skip, except under ``CI=true`` where that is a failure.
Screenshots go to ``test-output/browser/`` (a failing test leaves one named after it).
"""
import os
import shutil

import pytest
import sqlalchemy as sa

from magpie import db, models
from tests.support.live_app import CHROMIUM as DEFAULT_CHROMIUM
from tests.support.live_app import CHROMIUM_ARGS, OUTPUT, WIDE, LiveApp, app_settings, screenshot_path
from tests.browser.helpers import BROWSER_TIMEOUT_MS
from tests.conftest import IN_CI
from tests.support.workers import Workers, clear_queue

CHROMIUM = os.environ.get("MAGPIE_TEST_CHROMIUM", DEFAULT_CHROMIUM)


def _missing_browser(reason: str):
    message = f"browser tests need Chromium and Playwright: {reason}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium for the whole session."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing_browser(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("the playwright package is not installed (pip install -e '.[test]')")
    for stale in OUTPUT.glob("FAILED-*.png"):  # from an earlier run
        stale.unlink()
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:  # a browser that does not start is as missing as an absent one
        playwright.stop()
        _missing_browser(f"{CHROMIUM} does not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser_page(chromium, live_app, request):
    """A fresh browser context (no cookies) at 1280 px on the served app."""
    context = chromium.new_context(base_url=live_app.url, viewport=WIDE)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.script_errors = errors
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            page.screenshot(path=str(screenshot_path(f"FAILED-{request.node.name}")), full_page=True)
        except Exception:  # the page may be gone with the failure
            pass
    context.close()
    assert not errors, f"script errors on the page: {errors}"


# --- the database ------------------------------------------------------------------------------

@pytest.fixture
def database():
    """Which database the served app uses; tests parametrize it to run on both."""
    return "sqlite"


@pytest.fixture
def database_url(database, request, tmp_path):
    if database == "sqlite":
        path = tmp_path / "magpie.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        engine = db.get_engine({"sqlalchemy.url": url})
        tables = ", ".join(f'"{table.name}"' for table in models.Base.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield url
    if database == "sqlite":
        db.dispose_engine(url)


# --- the served app ----------------------------------------------------------------------------

@pytest.fixture
def live_app(database_url, tmp_path):
    """The served app; on PostgreSQL with a real ``magpie-worker`` that runs its syncs."""
    workers = None
    if database_url.startswith("postgresql"):
        clear_queue(database_url)
        workers = Workers(database_url, tmp_path)
        workers.start()
    app = LiveApp(app_settings(database_url)).start()
    yield app
    app.stop()
    if workers is not None:
        workers.stop_all()
