"""Connection tests: of a service about to be saved (``POST /services/test``) or of a registered
one with its stored credentials (``POST /services/{service}/test``). 200 whatever the remote
answered: ``ok`` and ``reason`` say how it went."""
from pyramid.view import view_config

from magpie.api.common import ADMIN
from magpie.api.services import service_of
from magpie.services.connection_test import check_connection
from magpie.sync.credentials import stored_credentials
from magpie.sync.remote.auth import Credentials


@view_config(route_name="api.services_test", request_method="POST", **ADMIN)
def check_new_service(request):
    body = request.openapi_validated.body
    credentials = Credentials.parse(body["credentials"]) if body.get("credentials") else None
    return {"test": check_connection(body["service_url"], body.get("service_sync_type"), body.get("configuration"),
                                    credentials)}


@view_config(route_name="api.service_test", request_method="POST", **ADMIN)
def check_registered_service(request):
    service = service_of(request)
    credentials = stored_credentials(request.dbsession, service.resource_id)
    return {"test": check_connection(service.url, service.sync_type, service.configuration, credentials)}
