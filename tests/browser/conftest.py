"""Browser tests: the app served by waitress on 127.0.0.1, THREDDS-like servers on 127.0.0.1, and
Debian's Chromium driven by Playwright (its own browser download does not work here).

Without Chromium the browser tests skip, except under ``CI=true`` where that is a failure.
Screenshots go to ``test-output/browser/`` (a failing test leaves one named after it).
"""
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Optional

import pytest
import requests
import sqlalchemy as sa
import waitress

import magpie
from magpie import db, models
from tests.conftest import IN_CI

CHROMIUM = os.environ.get("MAGPIE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"

ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-browser-password"
SECRET = "browser-test-secret-" + "y" * 40

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 400, "height": 860}


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


def screenshot_path(name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"


@pytest.fixture
def browser_page(chromium, live_app, request):
    """A fresh browser context (no cookies) at 1280 px on the served app."""
    context = chromium.new_context(base_url=live_app.url, viewport=WIDE)
    context.set_default_timeout(15000)
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

class LiveApp:
    """The WSGI app served by waitress on a free port of 127.0.0.1, in a thread stopped by its
    handle; ``api`` is a client of its REST API with the administrator's Basic credentials."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.app = magpie.main({}, **settings)
        self.server = waitress.create_server(self.app, host="127.0.0.1", port=0, threads=4,
                                             clear_untrusted_proxy_headers=True)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self._stopping = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.api = requests.Session()
        self.api.auth = (settings["magpie.admin_user"], settings["magpie.admin_password"])

    def start(self) -> "LiveApp":
        self._thread = threading.Thread(target=self._serve, name=f"magpie-{self.server.effective_port}",
                                        daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stopping.is_set():
            self.server.asyncore.loop(timeout=0.05, map=self.server._map, use_poll=True, count=1)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for channel in list(self.server._map.values()):
            if channel is not self.server:
                channel.close()
        self.server.close()
        self.server.task_dispatcher.shutdown(timeout=5)
        self.api.close()

    def call(self, method: str, path: str, expect: int = 200, **kw) -> dict:
        answer = self.api.request(method, self.url + path, timeout=120, **kw)
        assert answer.status_code == expect, f"{method} {path}: {answer.status_code} {answer.text[:500]}"
        return answer.json()

    def create_service(self, name: str, url: str, sync_type: Optional[str] = "thredds",
                       service_type: str = "thredds", configuration: Optional[dict] = None) -> int:
        body = {"service_name": name, "service_type": service_type, "service_url": url,
                "service_sync_type": sync_type}
        if configuration is not None:
            body["configuration"] = configuration
        return self.call("POST", "/services", 201, json=body)["service"]["resource_id"]

    def create_resource(self, service_id: int, name: str, resource_type: str = "directory",
                        parent_id: Optional[int] = None) -> int:
        body = {"resource_name": name, "resource_type": resource_type, "parent_id": parent_id}
        return self.call("POST", f"/services/{service_id}/resources", 201, json=body)["resource"]["resource_id"]

    def sync(self, service_id: int, expect: int = 200) -> dict:
        return self.call("POST", f"/services/{service_id}/sync", expect)

    def tree(self, service_id: int, merged: bool = True) -> dict:
        query = "?sync=true" if merged else ""
        return self.call("GET", f"/services/{service_id}/resources{query}")["resources"]


def app_settings(database_url: str, **extra) -> dict:
    return {"sqlalchemy.url": database_url, "magpie.admin_user": ADMIN_USER, "magpie.admin_password": ADMIN_PASSWORD,
            "magpie.secret": SECRET, "magpie.environment": "test", "magpie.api.validate_responses": "true",
            **extra}


@pytest.fixture
def live_app(database_url):
    app = LiveApp(app_settings(database_url)).start()
    yield app
    app.stop()


def sign_in(page, user_name: str = ADMIN_USER, password: str = ADMIN_PASSWORD, path: str = "/ui/services"):
    """Open ``path`` signed out, sign in on the form it redirects to, and land back on it."""
    page.goto(path)
    page.wait_for_url("**/ui/signin**")
    page.get_by_label("User name").fill(user_name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
