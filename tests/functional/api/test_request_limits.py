"""Denial of service before authentication: closed request schemas, bounded bodies, URLs that are
not UTF-8, the 413 a served app really sends, and the security headers of every answer."""
import json
import logging

import pytest
import requests

from magpie.api.limits import MAX_JSON_DEPTH, MAX_JSON_VALUES
from tests.support.live_app import Served

NESTED_200 = '{"user_name": "admin", "password": "x", "extra": ' + "[" * 200 + "]" * 200 + "}"


@pytest.fixture
def served(wsgi_app):
    """The app served by waitress on a free port of 127.0.0.1."""
    served = Served(wsgi_app, threads=2).start()
    yield served.url
    served.stop()


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def open_schemas(spec: dict, schema: dict, where: str, seen: set) -> list:
    """Places in a request schema where an object takes any extra property or an array has no
    ``maxItems``."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return []
        seen.add(schema["$ref"])
        where = schema["$ref"].rsplit("/", 1)[-1]
    schema = _resolve(spec, schema)
    found = []
    if schema.get("type") == "object" or "properties" in schema:
        extra = schema.get("additionalProperties", True)
        if extra is True or extra == {}:
            found.append(f"{where}: an object without additionalProperties: false")
        elif isinstance(extra, dict):
            found += open_schemas(spec, extra, f"{where}/*", seen)
        for name, child in schema.get("properties", {}).items():
            found += open_schemas(spec, child, f"{where}.{name}", seen)
    if schema.get("type") == "array" or "items" in schema:
        if "maxItems" not in schema:
            found.append(f"{where}: an array without maxItems")
        elif schema["maxItems"] >= MAX_JSON_VALUES:
            found.append(f"{where}: maxItems {schema['maxItems']} that the body limit refuses")
        found += open_schemas(spec, schema.get("items", {}), f"{where}[]", seen)
    for key in ("allOf", "oneOf", "anyOf"):
        for index, child in enumerate(schema.get(key, [])):
            found += open_schemas(spec, child, f"{where}/{key}[{index}]", seen)
    return found


def test_every_request_body_of_the_served_document_is_closed_and_bounded(app):
    """Catches a request schema added later that accepts anything: extra fields cost validation
    time and mean nothing."""
    spec = app.get("/api/openapi.json").json
    found, bodies = [], 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for content_type, content in (operation.get("requestBody", {}) if isinstance(operation, dict)
                                          else {}).get("content", {}).items():
                bodies += 1
                found += [f"{method.upper()} {path} ({content_type}): {problem}"
                          for problem in open_schemas(spec, content["schema"], "body", set())]
    assert bodies > 10
    assert not found, "\n".join(found)


def test_the_walk_finds_an_open_schema():
    spec = {"components": {"schemas": {"Open": {"type": "object", "properties": {"a": {"type": "array"}}}}}}
    assert open_schemas(spec, {"$ref": "#/components/schemas/Open"}, "body", set()) == [
        "Open: an object without additionalProperties: false", "Open.a: an array without maxItems"]


def test_signin_refuses_extra_fields(app):
    body = {"user_name": "admin", "password": "x", "extra": list(range(500))}
    answer = app.post_json("/signin", body, status=400)
    assert [item["field"] for item in answer.json["fields"]] == ["extra"]


def _warnings(caplog):
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.mark.parametrize("body", [NESTED_200, json.dumps({"user_name": "admin", "password": "x",
                                                           "extra": [0] * (MAX_JSON_VALUES + 1)})])
def test_deep_or_huge_bodies_are_400_with_one_log_line(app, caplog, body):
    caplog.set_level(logging.INFO)
    answer = app.post("/signin", body, content_type="application/json", status=400)
    assert answer.json["fields"][0]["field"] == "body"
    assert str(MAX_JSON_DEPTH) in answer.json["detail"] or str(MAX_JSON_VALUES) in answer.json["detail"]
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and warnings[0].exc_info is None, [r.getMessage() for r in warnings]


def test_a_deep_body_on_an_admin_route_is_400_too(api):
    body = '{"service_name": "x", "configuration": ' + '{"a": ' * 100 + "1" + "}" * 100 + "}"
    answer = api.post("/services", content_type="application/json", params=body, status=400)
    assert "nests deeper" in answer.json["detail"]


@pytest.mark.parametrize("url", ["/%ff", "/ui/%ff", "/ui/services/%ff", "/services/%ff", "/session?x=%ff",
                                 "/ui/services?next=%ff", "/health?%ff=1"])
def test_urls_that_are_not_utf8_are_400_with_one_log_line(app, caplog, url):
    caplog.set_level(logging.INFO)
    answer = app.get(url, status=400)
    assert answer.json["code"] == 400 and "not UTF-8" in answer.json["detail"]
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and warnings[0].exc_info is None, [r.getMessage() for r in warnings]


def test_a_served_app_sends_the_documented_413(served, wsgi_app):
    limit = wsgi_app.max_bytes
    answer = requests.post(served + "/signin", data=b"x" * (limit + 1), timeout=30,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 413, answer.text
    assert answer.json()["code"] == 413 and str(limit) in answer.json()["detail"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    # The same body within the limit reaches the API, which refuses it as bad JSON.
    assert requests.post(served + "/signin", data=b"x" * 100, timeout=30,
                         headers={"Content-Type": "application/json"}).status_code == 400


@pytest.mark.parametrize("path, kind", [("/services", "api"), ("/health", "api"), ("/%ff", "api"),
                                        ("/ui/signin", "page"), ("/api/docs", "docs")])
def test_security_headers_on_every_answer(served, path, kind):
    answer = requests.get(served + path, timeout=30, allow_redirects=False)
    headers = answer.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    if kind == "api":
        assert "default-src 'none'" in policy
    else:
        assert "script-src 'self'" in policy and "'unsafe-eval'" not in policy
