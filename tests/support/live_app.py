"""The pieces the browser tests and ``bench/ui_tree_benchmark.py`` share: the app served by
waitress on 127.0.0.1 with an administrator, Debian's Chromium and signing in through the form."""
import re
import threading
from pathlib import Path
from typing import Optional

import requests
import waitress

import magpie

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]

ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-browser-password"
SECRET = "browser-test-secret-" + "y" * 40

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 400, "height": 860}

#: Screenshots and figures (``test-output/`` is ignored by git).
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"


def screenshot_path(name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"


class Served:
    """A WSGI app served by waitress on a free port of 127.0.0.1, in a thread that polls until
    :meth:`stop` (closing the server under a thread blocked in ``select`` races it)."""

    def __init__(self, app, threads: int = 4):
        self.server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads,
                                             clear_untrusted_proxy_headers=True)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"waitress-{self.server.effective_port}",
                                        daemon=True)

    def start(self) -> "Served":
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stopping.is_set():
            self.server.asyncore.loop(timeout=0.05, map=self.server._map, use_poll=True, count=1)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        for channel in list(self.server._map.values()):
            if channel is not self.server:
                channel.close()
        self.server.close()
        self.server.task_dispatcher.shutdown(timeout=5)


class LiveApp:
    """The WSGI app served by waitress on a free port of 127.0.0.1, in a thread stopped by its
    handle; ``api`` is a client of its REST API with the administrator's Basic credentials."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.app = magpie.main({}, **settings)
        self.served = Served(self.app)
        self.url = self.served.url
        self.api = requests.Session()
        self.api.auth = (settings["magpie.admin_user"], settings["magpie.admin_password"])

    def start(self) -> "LiveApp":
        self.served.start()
        return self

    def stop(self) -> None:
        self.served.stop()
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
        return self.call("POST", f"/services/{service_id}/sync?wait=true", expect)

    def tree(self, service_id: int, merged: bool = True) -> dict:
        query = "?sync=true" if merged else ""
        return self.call("GET", f"/services/{service_id}/resources{query}")["resources"]


def app_settings(database_url: str, **extra) -> dict:
    return {"sqlalchemy.url": database_url, "magpie.admin_user": ADMIN_USER, "magpie.admin_password": ADMIN_PASSWORD,
            "magpie.secret": SECRET, "magpie.environment": "test", "magpie.api.validate_responses": "true",
            **extra}


def sign_in(page, user_name: str = ADMIN_USER, password: str = ADMIN_PASSWORD, path: str = "/ui/services"):
    """Open ``path`` signed out, sign in on the form it redirects to, and land back on it."""
    page.goto(path)
    page.wait_for_url("**/ui/signin**")
    page.get_by_label("User name").fill(user_name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
