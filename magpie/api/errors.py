"""Every error of the API as JSON: ``{"code", "error", "detail"}`` plus ``fields`` for bad input.

Helpers raise plain domain exceptions (not found, conflict, invalid input); this module is the
one place that turns them, Pyramid's HTTP exceptions and anything unexpected into answers.
"""
import logging
from typing import Iterable, Optional

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPError, HTTPForbidden, status_map
from pyramid.response import Response
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config

from magpie.api.openapi import RequestValidationError
from magpie.db import SyncAlreadyRunning
from magpie.errors import ConflictError, InvalidInput, NotFoundError, RefusedInput
from magpie.accounts.security import SESSION_COOKIE, THROTTLED_KEY
from magpie.accounts.signin import SignInThrottled

LOGGER = logging.getLogger(__name__)

BASIC_CHALLENGE = 'Basic realm="magpie", charset="UTF-8"'


def error_response(code: int, detail: str, fields: Optional[Iterable[dict]] = None,
                   headers: Optional[dict] = None) -> Response:
    """A JSON error answer. Built here rather than through ``request.response``, which a view may
    already have changed before it raised."""
    title = status_map[code].title if code in status_map else "Error"
    body = {"code": code, "error": title, "detail": detail}
    if fields is not None:
        body["fields"] = list(fields)
    response = Response(json_body=body, status=code, content_type="application/json", charset="utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def unauthorized(request, detail: str = "sign in or send HTTP Basic credentials") -> Response:
    """401. The Basic challenge goes only to callers that may answer it: a page's script or a
    browser holding our session cookie would otherwise get the browser's own password dialog."""
    from_page_script = request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate"
    if from_page_script or SESSION_COOKIE in request.cookies:
        return error_response(401, detail)
    return error_response(401, detail, headers={"WWW-Authenticate": BASIC_CHALLENGE})


@forbidden_view_config()
def forbidden(request):
    """Pyramid denied the permission: 401 for anonymous callers, 403 for signed-in ones."""
    if request.identity is None:
        if THROTTLED_KEY in request.environ:  # Basic credentials refused before any check
            return throttled(request.environ[THROTTLED_KEY], request)
        return unauthorized(request)
    return error_response(403, f"user {request.identity.user_name!r} is not an administrator")


@notfound_view_config()
def not_found(request):
    return error_response(404, f"no route {request.method} {request.path}")


@exception_view_config(RequestValidationError)
def invalid_request(exc, request):
    return error_response(400, exc.detail, fields=exc.fields)


@exception_view_config(BadCSRFToken)
@exception_view_config(BadCSRFOrigin)
def csrf_refused(exc, request):
    if isinstance(exc, BadCSRFOrigin):
        detail = str(exc.detail or "cross-site request refused")
    else:
        detail = "a request signed in with the session cookie must carry its CSRF token (header X-CSRF-Token)"
    return error_response(403, detail)


@exception_view_config(HTTPError)
def http_error(exc, request):
    if exc.code == 401:
        return unauthorized(request, str(exc.detail or exc.explanation))
    if isinstance(exc, HTTPForbidden) and not exc.detail:
        return forbidden(request)
    headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else exc.explanation
    return error_response(exc.code, str(detail), headers=headers)


@exception_view_config(SignInThrottled)
def throttled(exc, request):
    """429: too many failed sign-ins from the address, or the account is locked."""
    return error_response(429, exc.detail, headers={"Retry-After": str(exc.retry_after)})


@exception_view_config(NotFoundError)
def not_found_error(exc, request):
    return error_response(404, str(exc))


@exception_view_config(ConflictError)
def conflict(exc, request):
    return error_response(409, str(exc))


@exception_view_config(SyncAlreadyRunning)
def sync_running(exc, request):
    return error_response(409, f"sync already running for service {exc.service_id}")


@exception_view_config(InvalidInput)
def invalid_input(exc, request):
    code = 403 if isinstance(exc, RefusedInput) else 400
    return error_response(code, str(exc), fields=[{"field": exc.field, "message": str(exc)}])


@exception_view_config(Exception)
def unexpected(exc, request):
    """A bug or an outage: logged with its traceback, answered without internals. A database
    serialization failure is retried by pyramid_retry before this answer reaches the client."""
    LOGGER.error("unexpected error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, "internal error; the server log has the details")


def includeme(config) -> None:
    config.scan(__name__)
