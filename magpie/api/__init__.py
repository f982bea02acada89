"""The REST API (JSON): routes, the OpenAPI document and thin views per family. Administrators
only, but for sign-in, one's own account (``self``, see :class:`~magpie.accounts.security.UserContext`)
and the decisions a proxy asks for.

Route patterns are the paths of ``openapi.yaml``; a method the document does not list for a path
answers 405 with ``Allow``.
"""
from pyramid.httpexceptions import HTTPMethodNotAllowed
from pyramid.security import NO_PERMISSION_REQUIRED

from magpie.accounts.security import UserContext

#: route name -> pattern; each pattern is a path of openapi.yaml.
ROUTES = {
    "api.signin": "/signin",
    "api.signout": "/signout",
    "api.session": "/session",
    "api.services": "/services",
    # Before /services/{service}, and POST only (ROUTE_PREDICATES): a service named "test" stays readable.
    "api.services_test": "/services/test",
    "api.service": "/services/{service}",
    "api.service_resources": "/services/{service}/resources",
    "api.service_resources_clean": "/services/{service}/resources/clean",
    "api.service_resources_adopt": "/services/{service}/resources/adopt",
    "api.service_sync": "/services/{service}/sync",
    "api.service_sync_history": "/services/{service}/sync/history",
    "api.service_sync_runs": "/services/{service}/sync/runs",
    "api.service_sync_run": "/services/{service}/sync/runs/{run}",
    "api.service_sync_run_cancel": "/services/{service}/sync/runs/{run}/cancel",
    "api.resource": "/resources/{resource_id}",
    # --- accounts (insert below) ---
    "api.users": "/users",
    "api.user": "/users/{user}",
    "api.user_groups": "/users/{user}/groups",
    "api.user_group": "/users/{user}/groups/{group}",
    "api.user_lockout": "/users/{user}/lockout",
    "api.groups": "/groups",
    "api.group": "/groups/{group}",
    "api.group_users": "/groups/{group}/users",
    # --- permissions (insert below) ---
    "api.service_permissions": "/services/{service}/permissions",
    "api.user_resource_permissions": "/users/{user}/resources/{resource_id}/permissions",
    "api.user_resource_permission": "/users/{user}/resources/{resource_id}/permissions/{permission}",
    "api.group_resource_permissions": "/groups/{group}/resources/{resource_id}/permissions",
    "api.group_resource_permission": "/groups/{group}/resources/{resource_id}/permissions/{permission}",
    "api.user_remote_permissions": "/users/{user}/services/{service}/remote/{remote_id}/permissions",
    "api.group_remote_permissions": "/groups/{group}/services/{service}/remote/{remote_id}/permissions",
    # --- decisions (insert below) ---
    "api.service_authorize": "/services/{service}/authorize",
    # --- audit (insert below) ---
    "api.audit": "/audit",
    # --- credentials (insert below) ---
    "api.service_credentials": "/services/{service}/credentials",
    "api.service_test": "/services/{service}/test",
}

#: Route predicates of the routes whose pattern another one also matches.
ROUTE_PREDICATES = {"api.services_test": {"request_method": "POST"}}

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _method_not_allowed_view(allowed: str):
    def method_not_allowed(request):
        raise HTTPMethodNotAllowed(f"{request.method} is not allowed on {request.path}; use {allowed}",
                                   headers={"Allow": allowed})

    return method_not_allowed


def includeme(config) -> None:
    config.include("magpie.api.renderers")
    config.include("magpie.api.meta")
    config.include("magpie.api.openapi")
    spec = config.registry["magpie.openapi_spec"]
    for name, pattern in ROUTES.items():
        methods = [method.upper() for method in spec["paths"][pattern] if method in _HTTP_METHODS]
        if "GET" in methods:
            methods.append("HEAD")
        config.add_route(name, pattern, factory=UserContext if "{user}" in pattern else None,
                         **ROUTE_PREDICATES.get(name, {}))
        # Views with a request_method win over this one, which has no predicate.
        config.add_view(_method_not_allowed_view(", ".join(methods)), route_name=name,
                        permission=NO_PERMISSION_REQUIRED, require_csrf=False)
    missing = sorted(set(spec["paths"]) - set(ROUTES.values()))
    if missing:
        raise RuntimeError(f"openapi.yaml paths without a route: {', '.join(missing)}")
    config.include("magpie.api.errors")
    config.scan("magpie.api.auth")
    config.scan("magpie.api.services")
    config.scan("magpie.api.resources")
    config.scan("magpie.api.sync")
    config.scan("magpie.api.openapi")
    # --- scans: accounts, permissions, decisions, audit (insert below) ---
    config.scan("magpie.api.authorize")
    config.scan("magpie.api.users")
    config.scan("magpie.api.groups")
    config.scan("magpie.api.permissions")
    config.scan("magpie.api.audit")
    config.scan("magpie.api.credentials")
    config.scan("magpie.api.connection_test")
