"""Groups: list, create, show, change, delete, and list their members. Administrators only.

``{group}`` is a name or a numeric id. The special groups of the settings can be neither renamed
nor deleted (409).
"""
from pyramid.view import view_config

from magpie.accounts import manage
from magpie.accounts.groups import find_group
from magpie.api.common import ADMIN, actor, flag
from magpie.config import settings_of


def group_of(request):
    """The group the URL names by id or by name (404 otherwise)."""
    return find_group(request.dbsession, request.matchdict["group"])


def group_answer(request, group) -> dict:
    names = manage.member_names(request.dbsession, group)
    return {"group": manage.group_as_dict(group, len(names), names)}


@view_config(route_name="api.groups", request_method="GET", **ADMIN)
def list_groups(request):
    found = manage.list_groups(request.dbsession)
    if flag(request, "detail"):
        return {"groups": [manage.group_as_dict(group, manage.member_count(request.dbsession, group))
                           for group in found]}
    return {"group_names": [group.group_name for group in found]}


@view_config(route_name="api.groups", request_method="POST", **ADMIN)
def create_group(request):
    body = request.openapi_validated.body
    group = manage.create_group(request.dbsession, actor(request), body["group_name"], body.get("description", ""))
    request.response.status_int = 201
    return group_answer(request, group)


@view_config(route_name="api.group", request_method="GET", **ADMIN)
def get_group(request):
    return group_answer(request, group_of(request))


@view_config(route_name="api.group", request_method="PATCH", **ADMIN)
def update_group(request):
    group = manage.update_group(request.dbsession, actor(request), group_of(request), request.openapi_validated.body,
                                settings=settings_of(request.registry))
    return group_answer(request, group)


@view_config(route_name="api.group", request_method="DELETE", **ADMIN)
def delete_group(request):
    return {"group": manage.delete_group(request.dbsession, actor(request), group_of(request),
                                         settings_of(request.registry))}


@view_config(route_name="api.group_users", request_method="GET", **ADMIN)
def list_group_users(request):
    return {"user_names": manage.member_names(request.dbsession, group_of(request))}
