"""The admin pages: server-rendered Jinja2 templates (autoescaped), one stylesheet and a few small
scripts, no build step. Pages call the helpers, and the tree page's script calls the REST API.

Everything lives under ``/ui``; errors there are HTML pages (never a stack trace) and a signed-out
visitor is sent to the sign-in form.
"""
import hashlib
from pathlib import Path

from pyramid.events import NewResponse
from pyramid.static import QueryStringConstantCacheBuster

STATIC_DIR = Path(__file__).with_name("static")
STATIC_SPEC = "magpie.ui:static/"

#: Pages and their scripts may load only this server's files; nothing inline, no framing.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")

ROUTES = {
    "ui.home": "/ui",
    "ui.index": "/ui/",
    "ui.signin": "/ui/signin",
    "ui.signout": "/ui/signout",
    "ui.services": "/ui/services",
    "ui.service": "/ui/services/{service}",
    "ui.service_credentials": "/ui/services/{service}/credentials",
    "ui.users": "/ui/users",
    "ui.groups": "/ui/groups",
    "ui.audit": "/ui/audit",
}


def is_ui_request(request) -> bool:
    return request.path_info == "/ui" or request.path_info.startswith("/ui/")


def _static_token() -> str:
    """A hash of the static files: a new release changes their URLs, so no stale script runs
    against a newer page."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.iterdir()):
        if path.is_file():
            digest.update(path.name.encode("utf-8"))
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _security_headers(event) -> None:
    if is_ui_request(event.request):
        headers = event.response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")


def includeme(config) -> None:
    settings = config.get_settings()
    settings.setdefault("jinja2.autoescape", "true")
    settings.setdefault("jinja2.undefined", "strict")
    config.include("pyramid_jinja2")
    config.add_jinja2_search_path("magpie.ui:templates", name=".jinja2")
    for name, pattern in ROUTES.items():
        config.add_route(name, pattern)
    config.add_static_view("ui/static", STATIC_SPEC, cache_max_age=3600)
    config.add_cache_buster(STATIC_SPEC, QueryStringConstantCacheBuster(_static_token()))
    config.add_subscriber(_security_headers, NewResponse)
    config.scan("magpie.ui.views")
    config.scan("magpie.ui.credentials")
    config.scan("magpie.ui.account_views")
