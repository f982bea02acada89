"""Services: list, register, show, change, delete."""
from pyramid.view import view_config

from magpie.api.common import ADMIN
from magpie.services import crud as services

def service_of(request):
    """The service the URL names by id or by name (404 otherwise)."""
    return services.find_service(request.dbsession, request.matchdict["service"])


@view_config(route_name="api.services", request_method="GET", **ADMIN)
def list_services(request):
    return {"services": [services.service_as_dict(s) for s in services.list_services(request.dbsession)]}


@view_config(route_name="api.services", request_method="POST", **ADMIN)
def create_service(request):
    service = services.create_service(request.dbsession, **request.openapi_validated.body)
    request.response.status_int = 201
    return {"service": services.service_as_dict(service)}


@view_config(route_name="api.service", request_method="GET", **ADMIN)
def get_service(request):
    return {"service": services.service_as_dict(service_of(request))}


@view_config(route_name="api.service", request_method="PATCH", **ADMIN)
def update_service(request):
    service = services.update_service(request.dbsession, service_of(request), request.openapi_validated.body)
    return {"service": services.service_as_dict(service)}


@view_config(route_name="api.service", request_method="DELETE", **ADMIN)
def delete_service(request):
    return {"service": services.delete_service(request.dbsession, service_of(request))}
