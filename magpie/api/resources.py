"""A service's resource tree: show it (merged with the remote tree on demand, for one user or
group on demand), create and delete local resources, clean the ones gone remotely, adopt remote
ones."""
from pyramid.view import view_config

from magpie.accounts.groups import find_group
from magpie.api.common import ADMIN, actor, flag, user_named
from magpie.api.services import service_of
from magpie.config import settings_of
from magpie.resources import actions, annotate, reconcile, tree_parts
from magpie.services import crud as services


@view_config(route_name="api.service_resources", request_method="GET", **ADMIN)
def get_tree(request):
    service = service_of(request)
    session = request.dbsession
    query = request.openapi_validated.parameters.query
    tree = tree_parts.tree_part(service, session, with_remote=flag(request, "sync"), depth=query.get("depth"),
                                parent=query.get("parent"), q=query.get("q"), status=query.get("status"),
                                counts=flag(request, "counts"))
    user = user_named(request, query["user"]) if "user" in query else None
    group = find_group(session, query["group"]) if "group" in query else None
    inherited, effective = flag(request, "inherited"), flag(request, "effective")
    if user is not None or group is not None or effective:
        annotate.annotate_for_principal(tree["resources"], session, settings_of(request.registry), service,
                                        user=user, group=group, inherited=inherited, effective=effective)
    return {"service": services.service_as_dict(service), **tree}


@view_config(route_name="api.service_resources", request_method="POST", **ADMIN)
def create_resource(request):
    body = request.openapi_validated.body
    resource = actions.create_local_resource(
        request.dbsession, service_of(request), body["resource_name"], body["resource_type"],
        parent_id=body.get("parent_id"), resource_display_name=body.get("resource_display_name"),
        actor=actor(request))
    request.response.status_int = 201
    return {"resource": actions.resource_as_dict(request.dbsession, resource)}


@view_config(route_name="api.resource", request_method="GET", **ADMIN)
def get_resource(request):
    resource_id = request.openapi_validated.parameters.path["resource_id"]
    resource = actions.get_resource(request.dbsession, resource_id)
    return {"resource": actions.resource_as_dict(request.dbsession, resource)}


@view_config(route_name="api.resource", request_method="DELETE", **ADMIN)
def delete_resource(request):
    resource_id = request.openapi_validated.parameters.path["resource_id"]
    return actions.delete_local_resource(request.dbsession, resource_id, actor=actor(request))


@view_config(route_name="api.service_resources_clean", request_method="POST", **ADMIN)
def clean_resources(request):
    return reconcile.clean_gone_resources(request.dbsession, service_of(request),
                                          request.openapi_validated.body["resource_ids"],
                                          dry_run=flag(request, "dry_run"), actor=actor(request))


@view_config(route_name="api.service_resources_adopt", request_method="POST", **ADMIN)
def adopt_resource(request):
    body = request.openapi_validated.body
    return reconcile.adopt_remote_resource(request.dbsession, service_of(request), body["remote_id"],
                                           actor=actor(request), expected_path=body.get("path"))
