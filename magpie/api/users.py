"""Users and their memberships: list, create, show, change, delete; join and leave groups.

``{user}`` is a name, a numeric id or ``current`` (the signed-in user, Magpie's alias). Reading
one's own account and its groups, and changing one's own email and password, need no
administrator (``permission="self"``, see :class:`magpie.accounts.security.UserContext`).
"""
from pyramid.view import view_config

from magpie.accounts import manage, signin, users
from magpie.accounts.groups import find_group
from magpie.api.common import ADMIN, SELF, actor, flag, user_named
from magpie.api.errors import error_response
from magpie.config import settings_of
from magpie.errors import ConflictError

def user_of(request):
    """The user the URL names by name, id or ``current`` (404 otherwise)."""
    return user_named(request, request.matchdict["user"])


def user_answer(request, user) -> dict:
    return {"user": manage.user_as_dict(user, users.group_names(request.dbsession, user))}


@view_config(route_name="api.users", request_method="GET", **ADMIN)
def list_users(request):
    found = manage.list_users(request.dbsession)
    if flag(request, "detail"):
        return {"users": [manage.user_as_dict(user, users.group_names(request.dbsession, user)) for user in found]}
    return {"user_names": [user.user_name for user in found]}


@view_config(route_name="api.users", request_method="POST", **ADMIN)
def create_user(request):
    body = request.openapi_validated.body
    user = manage.create_user(request.dbsession, actor(request), body["user_name"], body["email"], body["password"],
                              [body["group_name"]] if "group_name" in body else [],
                              settings=settings_of(request.registry))
    request.response.status_int = 201
    return user_answer(request, user)


@view_config(route_name="api.user", request_method="GET", **SELF)
def get_user(request):
    return user_answer(request, user_of(request))


@view_config(route_name="api.user", request_method="PATCH", **SELF)
def update_user(request):
    changes = request.openapi_validated.body
    refused = sorted(set(changes) - manage.SELF_SERVICE_FIELDS)
    if refused and not request.identity.is_admin:
        return error_response(403, f"only an administrator may change {', '.join(refused)}")
    user = manage.update_user(request.dbsession, actor(request), user_of(request), changes,
                              settings=settings_of(request.registry))
    return user_answer(request, user)


@view_config(route_name="api.user", request_method="DELETE", **ADMIN)
def delete_user(request):
    return {"user": manage.delete_user(request.dbsession, actor(request), user_of(request),
                                       settings_of(request.registry))}


@view_config(route_name="api.user_groups", request_method="GET", **SELF)
def list_user_groups(request):
    return {"group_names": sorted(users.group_names(request.dbsession, user_of(request)))}


@view_config(route_name="api.user_groups", request_method="POST", **ADMIN)
def join_group(request):
    """201 when the user joins the group; 409 when it was a member already (as Magpie)."""
    user = user_of(request)
    group = find_group(request.dbsession, request.openapi_validated.body["group_name"])
    if not manage.add_membership(request.dbsession, actor(request), user, group):
        raise ConflictError(f"user {user.user_name!r} already belongs to group {group.group_name!r}")
    request.response.status_int = 201
    return {"user_name": user.user_name, "group_name": group.group_name}


@view_config(route_name="api.user_group", request_method="DELETE", **ADMIN)
def leave_group(request):
    user = user_of(request)
    group = find_group(request.dbsession, request.matchdict["group"])
    manage.remove_membership(request.dbsession, actor(request), user, group, settings_of(request.registry))
    return {"user_name": user.user_name, "group_name": group.group_name}


@view_config(route_name="api.user_lockout", request_method="GET", **ADMIN)
def get_lockout(request):
    return signin.lockout_state(request.dbsession, user_of(request))


@view_config(route_name="api.user_lockout", request_method="DELETE", **ADMIN)
def lift_lockout(request):
    return signin.lift_lockout(request.dbsession, actor(request), user_of(request))
