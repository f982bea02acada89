"""A service's resource tree: show it (merged with the remote tree on demand), create and delete
local resources, clean the ones gone remotely, adopt remote ones."""
from pyramid.view import view_config

from magpie.api.services import ADMIN, service_of
from magpie.resources import actions, reconcile
from magpie.services import crud as services

TRUE_VALUES = ("true", "1")


def flag(request, name: str) -> bool:
    """A boolean query parameter; the OpenAPI document already refused values other than
    true/false/1/0."""
    return request.GET.get(name, "false").lower() in TRUE_VALUES


@view_config(route_name="api.service_resources", request_method="GET", **ADMIN)
def get_tree(request):
    service = service_of(request)
    tree = actions.get_resource_tree(service, request.dbsession, with_remote=flag(request, "sync"))
    return {"service": services.service_as_dict(service), **tree}


@view_config(route_name="api.service_resources", request_method="POST", **ADMIN)
def create_resource(request):
    body = request.openapi_validated.body
    resource = actions.create_local_resource(
        request.dbsession, service_of(request), body["resource_name"], body["resource_type"],
        parent_id=body.get("parent_id"), resource_display_name=body.get("resource_display_name"))
    request.response.status_int = 201
    return {"resource": actions.resource_as_dict(resource)}


@view_config(route_name="api.resource", request_method="GET", **ADMIN)
def get_resource(request):
    resource_id = request.openapi_validated.parameters.path["resource_id"]
    return {"resource": actions.resource_as_dict(actions.get_resource(request.dbsession,
                                                                                        resource_id))}


@view_config(route_name="api.resource", request_method="DELETE", **ADMIN)
def delete_resource(request):
    resource_id = request.openapi_validated.parameters.path["resource_id"]
    return {"resource": actions.delete_local_resource(request.dbsession, resource_id)}


@view_config(route_name="api.service_resources_clean", request_method="POST", **ADMIN)
def clean_resources(request):
    return reconcile.clean_gone_resources(request.dbsession, service_of(request),
                                                 request.openapi_validated.body["resource_ids"])


@view_config(route_name="api.service_resources_adopt", request_method="POST", **ADMIN)
def adopt_resource(request):
    return reconcile.adopt_remote_resource(request.dbsession, service_of(request),
                                                  request.openapi_validated.body["remote_id"])
