"""Refuse oversized request bodies before anything reads them.

pyramid_retry copies each body so it can replay it, so the check must come before Pyramid: a
WSGI middleware. Bodies with a length are judged by ``Content-Length``; bodies without one are
read up to the limit and refused past it.
"""
import io
import json
from typing import Callable, Iterable


def _too_large(start_response: Callable, limit: int) -> Iterable[bytes]:
    body = json.dumps({"code": 413, "error": "Request Entity Too Large",
                       "detail": f"the request body is larger than {limit} bytes"}).encode("utf-8")
    start_response("413 Request Entity Too Large", [("Content-Type", "application/json; charset=UTF-8"),
                                                    ("Content-Length", str(len(body))),
                                                    ("Connection", "close")])
    return [body]


class BodySizeLimit:
    """WSGI middleware answering 413 (JSON) to bodies over ``max_bytes``."""

    def __init__(self, app: Callable, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def __getattr__(self, name):  # registry, routes ... of the wrapped Pyramid router
        return getattr(self.app, name)

    def __call__(self, environ: dict, start_response: Callable):
        length = environ.get("CONTENT_LENGTH")
        if length:
            try:
                size = int(length)
            except ValueError:
                size = -1
            if size > self.max_bytes:
                return _too_large(start_response, self.max_bytes)
        elif environ.get("wsgi.input_terminated") or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            data = environ["wsgi.input"].read(self.max_bytes + 1)
            if len(data) > self.max_bytes:
                return _too_large(start_response, self.max_bytes)
            environ["wsgi.input"] = io.BytesIO(data)
            environ["CONTENT_LENGTH"] = str(len(data))
            environ.pop("wsgi.input_terminated", None)
        return self.app(environ, start_response)
