"""Security headers on every answer, the middleware's own refusals included.

A WSGI middleware rather than a Pyramid subscriber, so answers made outside Pyramid (413, a URL
that is not UTF-8) carry them too. Headers a view or the UI already set win: the pages have their
own Content-Security-Policy (:data:`magpie.ui.CONTENT_SECURITY_POLICY`).
"""
from typing import Callable

#: JSON and everything else that is not a page: nothing may load, run or frame it.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
#: Swagger UI at /api/docs: its own files only; it sets inline styles and uses data: images.
DOCS_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
DOCS_PREFIX = "/api/docs"

COMMON_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


class SecurityHeaders:
    """WSGI middleware adding :data:`COMMON_HEADERS` and a Content-Security-Policy where missing."""

    def __init__(self, app: Callable):
        self.app = app

    def __getattr__(self, name):  # registry, routes ... of the wrapped application
        return getattr(self.app, name)

    def __call__(self, environ: dict, start_response: Callable):
        path = environ.get("PATH_INFO", "")
        policy = DOCS_POLICY if path == DOCS_PREFIX or path.startswith(DOCS_PREFIX + "/") else API_POLICY

        def add_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            extra = [(name, value) for name, value in COMMON_HEADERS + (("Content-Security-Policy", policy),)
                     if name.lower() not in present]
            return start_response(status, list(headers) + extra, exc_info)

        return self.app(environ, add_headers)
