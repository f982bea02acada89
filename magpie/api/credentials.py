"""A service's credentials: set or replace them, say which kind is set and when, remove them.
No answer ever carries a value."""
from pyramid.view import view_config

from magpie.api.common import ADMIN, actor
from magpie.api.services import service_of
from magpie.services import credentials


def _answer(request, service, row) -> dict:
    return {"service_name": service.resource_name, "credentials": credentials.credentials_as_dict(row)}


@view_config(route_name="api.service_credentials", request_method="GET", **ADMIN)
def get_credentials(request):
    service = service_of(request)
    return _answer(request, service, credentials.get_credentials(request.dbsession, service))


@view_config(route_name="api.service_credentials", request_method="PUT", **ADMIN)
def set_credentials(request):
    service = service_of(request)
    row = credentials.set_credentials(request.dbsession, service, request.openapi_validated.body, actor(request))
    return _answer(request, service, row)


@view_config(route_name="api.service_credentials", request_method="DELETE", **ADMIN)
def delete_credentials(request):
    service = service_of(request)
    credentials.delete_credentials(request.dbsession, service, actor(request))
    return _answer(request, service, None)
