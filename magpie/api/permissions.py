"""Applied permissions, as Magpie's routes: list, grant and revoke a user's or a group's permission
on a resource; grant on a node of the merged tree that exists only remotely; the names a service
type carries. A signed-in user may read its own permissions (``self``); the rest is for
administrators."""
from pyramid.view import view_config

from magpie import models
from magpie.accounts.groups import find_group
from magpie.api.common import ADMIN, SELF, actor, flag, user_named
from magpie.api.services import service_of
from magpie.config import settings_of
from magpie.permissions import answers, applied, names
from magpie.resources import actions, grants
from magpie.services import crud as services

def principal_of(request):
    """The user (by id, name or ``current``) or the group the URL names, else 404 naming it."""
    matchdict = request.matchdict
    if "user" in matchdict:
        return user_named(request, matchdict["user"])
    return find_group(request.dbsession, matchdict["group"])


def resource_of(request) -> models.Resource:
    return actions.get_resource(request.dbsession, request.openapi_validated.parameters.path["resource_id"])


def permission_in_body(request):
    """``{"permission": {...}}`` or ``{"permission_name": "read-allow-recursive"}``."""
    body = request.openapi_validated.body
    if "permission" in body:
        return applied.parse_permission(body["permission"], "permission")
    return applied.parse_permission(body["permission_name"], "permission_name")


@view_config(route_name="api.service_permissions", request_method="GET", **ADMIN)
def service_permission_names(request):
    service = service_of(request)
    by_type = names.permissions_by_resource_type(service.type)
    return {"service": services.service_as_dict(service),
            **answers.allowed_list(names.service_permissions(service.type)),
            "resource_types": {resource_type: {"names": listed, **answers.allowed_list(listed)}
                               for resource_type, listed in by_type.items()}}


@view_config(route_name="api.user_resource_permissions", request_method="GET", **SELF)
@view_config(route_name="api.group_resource_permissions", request_method="GET", **ADMIN)
def list_permissions(request):
    principal, resource = principal_of(request), resource_of(request)
    mode = next((name for name in ("effective", "resolve", "inherited") if flag(request, name)), "direct")
    return answers.permissions_answer(request.dbsession, settings_of(request.registry), principal, resource, mode)


@view_config(route_name="api.user_resource_permissions", request_method="POST", **ADMIN)
@view_config(route_name="api.group_resource_permissions", request_method="POST", **ADMIN)
def grant_permission(request):
    principal, resource = principal_of(request), resource_of(request)
    result = applied.grant(request.dbsession, actor(request), principal, resource, permission_in_body(request))
    request.response.status_int = 201 if result.created else 200
    return answers.grant_answer(principal, resource, result)


@view_config(route_name="api.user_resource_permission", request_method="DELETE", **ADMIN)
@view_config(route_name="api.group_resource_permission", request_method="DELETE", **ADMIN)
def revoke_permission(request):
    principal, resource = principal_of(request), resource_of(request)
    permission = applied.parse_permission(request.matchdict["permission"], "permission")
    removed = applied.revoke(request.dbsession, actor(request), principal, resource, permission)
    return answers.revoke_answer(principal, resource, removed)


@view_config(route_name="api.user_remote_permissions", request_method="POST", **ADMIN)
@view_config(route_name="api.group_remote_permissions", request_method="POST", **ADMIN)
def grant_on_remote(request):
    principal, service = principal_of(request), service_of(request)
    remote_id = request.openapi_validated.parameters.path["remote_id"]
    resource, adopted, result = grants.grant_on_remote(request.dbsession, actor(request), principal, service,
                                                       remote_id, permission_in_body(request))
    request.response.status_int = 201 if result.created else 200
    return {**answers.grant_answer(principal, resource, result), "remote_id": remote_id,
            "created_resources": adopted["created"], "existing_resources": adopted["existing"]}

