"""Refuse what no view can use before anything costly reads it: URLs that are not UTF-8, bodies
over the size limit, JSON nested too deep or holding too many values.

pyramid_retry copies each body so it can replay it, and Pyramid decodes the path before any
exception view runs (so a bad byte there would escape every error view), so the URL and size
checks come before Pyramid: a WSGI middleware. Bodies with a length are judged by
``Content-Length``; bodies without one are read up to the limit and refused past it. The JSON
shape is checked by :func:`check_json_shape` before the OpenAPI validation, whose cost grows with
the depth and the number of values of a body.
"""
import io
import json
import logging
from typing import Callable, Iterable, Optional
from urllib.parse import unquote_to_bytes

LOGGER = logging.getLogger(__name__)

#: Deepest JSON body and most values (objects, arrays, scalars) in one; no request of the API
#: comes near either.
MAX_JSON_DEPTH = 32
MAX_JSON_VALUES = 100_000


class JsonShapeError(ValueError):
    """A JSON body too deep or too large to be worth validating."""


def _answer(start_response: Callable, status: str, detail: str) -> Iterable[bytes]:
    code = int(status.split(" ", 1)[0])
    body = json.dumps({"code": code, "error": status.split(" ", 1)[1], "detail": detail}).encode("utf-8")
    # No ``Connection`` header: it is hop-by-hop, and waitress refuses an application that sets one
    # (the client would get a plain 500 instead of this answer).
    start_response(status, [("Content-Type", "application/json; charset=UTF-8"), ("Content-Length", str(len(body)))])
    return [body]


def undecodable_url_part(environ: dict) -> Optional[str]:
    """``path`` or ``query string`` when that part of the URL is not UTF-8 once percent-decoded."""
    path = environ.get("PATH_INFO", "") + environ.get("SCRIPT_NAME", "")
    try:  # PEP 3333: the server decoded the raw bytes as latin-1
        unquote_to_bytes(path.encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return "path"
    query = environ.get("QUERY_STRING", "")
    try:
        unquote_to_bytes(query.replace("+", " ").encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return "query string"
    return None


def check_json_shape(body: bytes, max_depth: int = MAX_JSON_DEPTH, max_values: int = MAX_JSON_VALUES) -> None:
    """Raise :class:`JsonShapeError` when ``body`` (JSON) nests deeper than ``max_depth`` or holds
    more than ``max_values`` values. Text that is not JSON passes: the validation names it."""
    try:
        document = json.loads(body)
    except RecursionError:
        raise JsonShapeError(f"the body nests deeper than {max_depth} levels") from None
    except ValueError:
        return
    stack = [(document, 1)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > max_values:
            raise JsonShapeError(f"the body holds more than {max_values} values")
        if isinstance(value, (dict, list)):
            if depth > max_depth:
                raise JsonShapeError(f"the body nests deeper than {max_depth} levels")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)


def json_shape_problem(request) -> Optional[str]:
    """Why the JSON body of a Pyramid request is not worth validating (logged), or None."""
    if not request.body or "json" not in (request.content_type or ""):
        return None
    try:
        check_json_shape(request.body)
    except JsonShapeError as exc:
        LOGGER.warning("refused %s %s: %s", request.method, request.path, exc)
        return str(exc)
    return None


class RequestLimits:
    """WSGI middleware: 400 (JSON) for URLs that are not UTF-8, 413 (JSON) for bodies over
    ``max_bytes``; one log line each."""

    def __init__(self, app: Callable, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def __getattr__(self, name):  # registry, routes ... of the wrapped Pyramid router
        return getattr(self.app, name)

    def _too_large(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        LOGGER.warning("refused %s: body over %d bytes", environ.get("REQUEST_METHOD"), self.max_bytes)
        return _answer(start_response, "413 Request Entity Too Large",
                       f"the request body is larger than {self.max_bytes} bytes")

    def __call__(self, environ: dict, start_response: Callable):
        bad_part = undecodable_url_part(environ)
        if bad_part is not None:
            LOGGER.warning("refused %s: the %s is not UTF-8", environ.get("REQUEST_METHOD"), bad_part)
            return _answer(start_response, "400 Bad Request", f"the {bad_part} of the URL is not UTF-8")
        length = environ.get("CONTENT_LENGTH")
        if length:
            try:
                size = int(length)
            except ValueError:
                size = -1
            if size > self.max_bytes:
                return self._too_large(environ, start_response)
        elif environ.get("wsgi.input_terminated") or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            data = environ["wsgi.input"].read(self.max_bytes + 1)
            if len(data) > self.max_bytes:
                return self._too_large(environ, start_response)
            environ["wsgi.input"] = io.BytesIO(data)
            environ["CONTENT_LENGTH"] = str(len(data))
            environ.pop("wsgi.input_terminated", None)
        return self.app(environ, start_response)
