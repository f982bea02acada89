"""Sync one service now, or tell how its syncs went.

A sync that fails because of the remote service answers 502 with the same body as a success,
``error`` set: the error is recorded in the sync status (the view returns normally so the
transaction commits that record) and the last good remote tree stays.
"""
from pyramid.view import view_config

from magpie.api.common import ADMIN, flag
from magpie.api.services import service_of
from magpie.services import crud as services
from magpie.sync import status
from magpie.sync.runner import SyncError, sync_service


@view_config(route_name="api.service_sync", request_method="GET", **ADMIN)
def sync_status(request):
    service = service_of(request)
    return {"service": services.service_as_dict(service), "sync": status.get_sync_status(service, request.dbsession)}


@view_config(route_name="api.service_sync", request_method="POST", **ADMIN)
def run_sync(request):
    service = service_of(request)
    services.require_sync_type(service)
    try:
        result = sync_service(service, request.dbsession, dry_run=flag(request, "dry_run"), origin="api")
    except SyncError as exc:
        result = exc.result
        request.response.status_int = 502
    return {"result": result.as_dict(), "sync": status.get_sync_status(service, request.dbsession)}


@view_config(route_name="api.service_sync_history", request_method="GET", **ADMIN)
def sync_history(request):
    service = service_of(request)
    limit = request.openapi_validated.parameters.query.get("limit", 50)  # 1..1000, from the document
    return {"service": services.service_as_dict(service),
            "runs": status.get_sync_history(service.resource_id, request.dbsession, limit)}
