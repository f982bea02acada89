"""The OpenAPI document: loaded once, served, rendered as a docs page, and enforced on requests.

Views declared with ``openapi=True`` only run once their request matches the document (path and
query parameters, body, content type); otherwise :class:`RequestValidationError` answers 400
naming the failing fields. With ``magpie.api.validate_responses`` (off unless set; the tests set it) every
answer of such a view is checked against the document too, so the functional tests catch drift.
"""
import copy
import functools
import logging
from pathlib import Path
from typing import Iterable, List, Optional, Tuple

import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.exceptions import SecurityValidationError
from pyramid.httpexceptions import HTTPBadRequest, HTTPUnauthorized
from pyramid.response import Response
from pyramid.view import view_config
from werkzeug.datastructures import Headers, ImmutableMultiDict

from magpie.api.limits import json_shape_problem
from magpie.config import settings_of
from magpie.sync.config import configuration_schema
from magpie.sync.types import SYNC_SERVICES_TYPES

LOGGER = logging.getLogger(__name__)

SPEC_PATH = Path(__file__).with_name("openapi.yaml")
REGISTRY_KEY = "magpie.openapi"
DOCS_STATIC = "/api/docs/static"


def load_spec() -> dict:
    """The document as served: the file, with the sync types of this server's registry and the
    schema of a service's configuration generated from :mod:`magpie.sync.config`."""
    with SPEC_PATH.open(encoding="utf-8") as stream:
        spec = yaml.safe_load(stream)
    schemas = spec["components"]["schemas"]
    schemas["SyncType"]["enum"] = sorted(SYNC_SERVICES_TYPES) + [None]
    extra_fields = [field for name in sorted(SYNC_SERVICES_TYPES) for field in SYNC_SERVICES_TYPES[name].config_fields]
    schemas["Configuration"] = configuration_schema(extra_fields)
    return spec


class RequestValidationError(HTTPBadRequest):
    """The request does not match the OpenAPI document; ``fields`` says where."""

    def __init__(self, errors: Iterable[Exception] = (), fields: Optional[List[dict]] = None):
        self.errors = list(errors)
        self.fields = fields if fields is not None else list(extract_fields(self.errors))
        summary = "; ".join(f"{item['field']}: {item['message']}" for item in self.fields[:5])
        super().__init__(detail=f"invalid request: {summary}" if summary else "invalid request")


def _schema_error_field(error, parent: str) -> str:
    path = [str(part) for part in getattr(error, "path", ())]
    if getattr(error, "validator", None) == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        path += missing[:1]
    elif getattr(error, "validator", None) == "additionalProperties" and isinstance(error.instance, dict):
        known = set((error.schema or {}).get("properties", {}))
        extra = sorted(str(name) for name in error.instance if name not in known)
        path += extra[:1]
    return "/".join([parent] + path) if parent else "/".join(path) or "body"


def _schema_error_message(error) -> str:
    """jsonschema's message, but a pattern is explained by the schema's description when it has one."""
    description = (error.schema or {}).get("description") if isinstance(error.schema, dict) else None
    if isinstance(error.schema, dict) and error.schema.get("format") == "password":
        # jsonschema's messages quote the value: never a password's.
        return f"does not match the document ({error.validator}: {error.validator_value!r}); the value is not shown"
    if getattr(error, "validator", None) == "pattern" and description:
        return f"{error.instance!r} is not allowed: {description}"
    return error.message


def _describe(error: Exception) -> str:
    """``str(error)``, which openapi-core's own errors cannot always give (a body that is not
    UTF-8 breaks their message)."""
    try:
        return str(error)
    except UnicodeError:
        return "the body is not valid UTF-8"
    except Exception:  # noqa: BLE001 - a message must not turn a 400 into a 500
        return error.__class__.__name__


def extract_fields(errors: Iterable[Exception], parent: str = "") -> Iterable[dict]:
    """``{"field", "message"}`` for each failure openapi-core reported, leaves first."""
    for error in errors:
        cause = error.__cause__
        name = getattr(error, "name", None)
        schema_errors = getattr(cause, "schema_errors", None)
        if schema_errors:
            for schema_error in schema_errors:
                yield {"field": _schema_error_field(schema_error, name or parent),
                       "message": _schema_error_message(schema_error)}
            continue
        yield {"field": name or parent or "body", "message": _describe(cause if cause is not None else error)}


class _OpenAPIRequest:
    """What openapi-core needs of a Pyramid request."""

    def __init__(self, request):
        self.request = request
        self.parameters = RequestParameters(
            path=dict(request.matchdict or {}),
            query=ImmutableMultiDict(list(request.GET.items())),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(list(request.cookies.items())),
        )

    @property
    def host_url(self) -> str:
        return self.request.host_url

    @property
    def path(self) -> str:
        return self.request.path

    @property
    def path_pattern(self) -> str:
        route = self.request.matched_route
        return self.request.script_name + (route.pattern if route else self.request.path_info)

    @property
    def method(self) -> str:
        # Pyramid answers HEAD with the GET view: check it as that GET.
        method = self.request.method.lower()
        return "get" if method == "head" else method

    @property
    def body(self) -> bytes:
        return self.request.body

    @property
    def content_type(self) -> str:
        return self.request.headers.get("Content-Type", "") or ""

    @property
    def mimetype(self) -> str:
        return self.request.content_type or ""


class _OpenAPIResponse:
    def __init__(self, response):
        self.response = response

    @property
    def data(self) -> bytes:
        return self.response.body

    @property
    def status_code(self) -> int:
        return self.response.status_int

    @property
    def content_type(self) -> str:
        return self.response.content_type or ""

    @property
    def headers(self) -> Headers:
        return Headers(list(self.response.headers.items()))


def _unencodable_field(value, path: str = "") -> Optional[str]:
    """The path of the first string that cannot be encoded as UTF-8 (JSON allows lone surrogates;
    databases do not), else None."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return where
        elif isinstance(item, dict):
            for key, child in item.items():
                stack.append((key, where))
                stack.append((child, f"{where}/{key}" if where else str(key)))
        elif isinstance(item, (list, tuple)):
            stack.extend((child, f"{where}/{index}" if where else str(index)) for index, child in enumerate(item))
    return None


def openapi_view(view, info):
    """View deriver: validate the request of ``openapi=True`` views, and their answer if asked."""
    if not info.options.get("openapi"):
        return view
    # Off unless asked (the tests ask): checking a 100,000-node tree against the recursive schema
    # takes minutes, so no served instance should pay for it.
    check_responses = settings_of(info.registry).validate_responses

    def validated_view(context, request):
        openapi = request.registry[REGISTRY_KEY]
        problem = json_shape_problem(request)  # cheap, before a validation whose cost grows with it
        if problem:
            raise RequestValidationError(fields=[{"field": "body", "message": problem}])
        openapi_request = _OpenAPIRequest(request)
        result = openapi.unmarshal_request(openapi_request)
        if result.errors:
            if any(isinstance(error, SecurityValidationError) for error in result.errors):
                raise HTTPUnauthorized("credentials required")
            raise RequestValidationError(result.errors)
        unencodable = _unencodable_field(result.body)
        if unencodable is not None:
            raise RequestValidationError(fields=[{"field": unencodable or "body",
                                                  "message": "text that is not valid Unicode (a lone surrogate)"}])
        request.openapi_validated = result
        response = view(context, request)
        if check_responses:
            errors = openapi.unmarshal_response(openapi_request, _OpenAPIResponse(response)).errors
            if errors:
                details = "; ".join(f"{item['field']}: {item['message']}" for item in extract_fields(errors))
                raise ResponseValidationError(f"{request.method} {request.path} answered {response.status}, "
                                              f"which the OpenAPI document does not allow: {details}")
        return response

    return validated_view


openapi_view.options = ("openapi",)


class ResponseValidationError(RuntimeError):
    """An answer that breaks the OpenAPI document: a bug of ours, answered as 500."""


@view_config(route_name="api.openapi_json", request_method="GET", renderer="json")
def openapi_json(request):
    return request.registry["magpie.openapi_spec"]


_DOCS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Magpie API</title>
  <link rel="stylesheet" href="{static}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{static}/swagger-ui-bundle.js"></script>
  <script src="{static}/swagger-ui-standalone-preset.js"></script>
  <script src="{script}" data-spec-url="{spec_url}" id="magpie-docs"></script>
</body>
</html>
"""

_DOCS_SCRIPT = """window.addEventListener("load", function () {
  var me = document.getElementById("magpie-docs");
  window.ui = SwaggerUIBundle({
    url: me.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
});
"""


@view_config(route_name="api.docs", request_method="GET")
def docs_page(request):
    """Swagger UI served from the ``swagger-ui-bundle`` package: no CDN, works offline."""
    html = _DOCS_PAGE.format(static=request.script_name + DOCS_STATIC, script=request.route_path("api.docs_script"),
                             spec_url=request.route_path("api.openapi_json"))
    return Response(html, content_type="text/html", charset="utf-8")


@view_config(route_name="api.docs_script", request_method="GET")
def docs_script(request):
    return Response(_DOCS_SCRIPT, content_type="application/javascript", charset="utf-8")


@functools.lru_cache(maxsize=1)
def _checked_spec() -> Tuple[dict, OpenAPI]:
    """The document and its validator, built and checked once per process (the sync type
    registry they include is process-wide too)."""
    spec = load_spec()
    return spec, OpenAPI.from_dict(spec)  # from_dict checks the document is valid OpenAPI


def includeme(config) -> None:
    from swagger_ui_bundle import swagger_ui_path

    spec, openapi = _checked_spec()
    config.registry["magpie.openapi_spec"] = copy.deepcopy(spec)
    config.registry[REGISTRY_KEY] = openapi
    config.add_view_deriver(openapi_view)
    config.add_route("api.openapi_json", "/api/openapi.json")
    config.add_route("api.docs", "/api/docs")
    config.add_route("api.docs_script", "/api/docs/docs.js")
    config.add_static_view(DOCS_STATIC.lstrip("/"), str(swagger_ui_path), cache_max_age=3600)
