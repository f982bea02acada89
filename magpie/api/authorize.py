"""``GET /services/{service}/authorize``: one access decision, for a proxy in front of a service.

Open without administrator rights on purpose: a proxy asks as itself or anonymously (public
access), for the caller's own decision. Asking about another user (``user=``) takes an
administrator, so that nobody learns what others may reach. Credentials that are sent but wrong
are refused (401) rather than answered as anonymous: a misconfigured proxy must not silently
decide with other rights.

This is the one hot path of the API (a proxy asks once per request it forwards), so its three
query parameters are checked here against the bounds of ``openapi.yaml`` (a test compares them)
instead of by openapi-core, whose request validation costs several milliseconds, ten times the
decision; the service and the user are found in the decision index, without a query.
"""
import re

from pyramid.httpexceptions import HTTPForbidden, HTTPUnauthorized
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from magpie.accounts.security import CURRENT_USER
from magpie.api.openapi import RequestValidationError
from magpie.config import settings_of
from magpie.db import get_engine
from magpie.permissions import decisions
from magpie.permissions.names import ALL_PERMISSION_NAMES
from magpie.permissions.index import configure

#: name -> (required, schema), the schemas of openapi.yaml (a test compares them)
PARAMETERS = {
    "path": (False, {"type": "string", "maxLength": 4096, "pattern": r"^[^\x00-\x1f\x7f]*$"}),
    "permission": (True, {"type": "string", "enum": sorted(ALL_PERMISSION_NAMES)}),
    "user": (False, {"type": "string", "minLength": 1, "maxLength": 128, "pattern": r"^[^\x00-\x1f\x7f]+$"}),
}
_PATTERNS = {name: re.compile(schema["pattern"]) for name, (_, schema) in PARAMETERS.items() if "pattern" in schema}


def _problem(name: str, schema: dict, value: str):
    if "enum" in schema and value not in schema["enum"]:
        return f"{value!r} is not one of the permission names"
    if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)) \
            or (name in _PATTERNS and not _PATTERNS[name].match(value)):
        return f"{schema.get('minLength', 0)} to {schema['maxLength']} characters matching {schema['pattern']}"
    return None


def parameters(request) -> dict:
    """The query parameters, or 400 naming each one that breaks the document's bounds."""
    try:
        query = request.GET
        values = {name: query.get(name) for name in PARAMETERS}
    except UnicodeDecodeError:
        raise RequestValidationError(fields=[{"field": "query", "message": "not valid UTF-8"}]) from None
    problems = []
    for name, (required, schema) in PARAMETERS.items():
        value = values[name]
        message = ("required" if required else None) if value is None else _problem(name, schema, value)
        if message:
            problems.append({"field": name, "message": message})
    if problems:
        raise RequestValidationError(fields=problems)
    return values


def subject_of(request, user_ref):
    """(user reference, user id) of the decision: ``user=`` (an administrator's question, or
    one's own), else the signed-in user, else (None, None): anonymous."""
    identity = request.identity
    if identity is None and request.headers.get("Authorization"):
        raise HTTPUnauthorized("wrong user name or password")
    if user_ref is None or (identity is not None and user_ref in (
            identity.user_name, str(identity.user_id), CURRENT_USER)):
        return None, None if identity is None else identity.user_id
    if identity is None:
        raise HTTPUnauthorized("sign in as an administrator to ask about another user")
    if not identity.is_admin:
        raise HTTPForbidden(f"user {identity.user_name!r} may only ask about its own access")
    return user_ref, None


@view_config(route_name="api.service_authorize", request_method="GET", renderer="json",
             permission=NO_PERMISSION_REQUIRED)
def authorize(request):
    query = parameters(request)
    user_ref, user_id = subject_of(request, query["user"])
    engine = get_engine(request.registry.settings)  # the engine of request.dbsession, without a session
    settings = settings_of(request.registry)
    configure(engine, settings.decisions_freshness)
    return decisions.authorize_named(engine, settings, request.matchdict["service"],
                                     query["path"] or "", query["permission"], user_ref=user_ref, user_id=user_id)
