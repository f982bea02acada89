"""Sync a service as a background job, watch its runs, cancel one, or tell how its syncs went.

``POST .../sync`` queues a job and answers 202 with its run; ``?wait=true`` runs it in the
request instead (scripts): a failure of the remote service then answers 502 with the same body
as a success, ``error`` set, and the last good remote tree stays.
"""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from magpie import db, jobs
from magpie.api.common import ADMIN, flag
from magpie.api.services import service_of
from magpie.jobs import runs
from magpie.services import crud as services
from magpie.sync import status


def _run_of(request, service) -> dict:
    run = runs.get_run(db.get_engine(request.registry.settings), service.resource_id,
                       request.openapi_validated.parameters.path["run"])
    if run is None:
        raise HTTPNotFound(f"no sync run {request.matchdict['run']} of service {service.resource_name!r}")
    return run


def _conflict(request, exc: jobs.RunActive) -> dict:
    request.response.status_int = 409
    return {"code": 409, "error": "Conflict", "detail": f"{exc}; its id is {exc.run['id']}", "run": exc.run}


@view_config(route_name="api.service_sync", request_method="GET", **ADMIN)
def sync_status(request):
    service = service_of(request)
    return {"service": services.service_as_dict(service), "sync": status.get_sync_status(service, request.dbsession)}


@view_config(route_name="api.service_sync", request_method="POST", **ADMIN)
def run_sync(request):
    service = service_of(request)
    services.require_sync_type(service)
    service_id, dry_run = service.resource_id, flag(request, "dry_run")
    try:
        if not flag(request, "wait"):
            run = jobs.start(request.registry["magpie.jobs"], service_id, origin="api", dry_run=dry_run)
            request.response.status_int = 202
            request.response.location = request.route_url("api.service_sync_run", service=service_id, run=run["id"])
            return {"run": run}
        request.tm.abort()  # no transaction of this request stays open while the crawl runs
        request.tm.begin()
        run = jobs.run_now(db.get_engine(request.registry.settings), service_id, origin="api", dry_run=dry_run)
    except jobs.RunActive as exc:
        return _conflict(request, exc)
    if run["result"] is None:  # ended before its crawl: another sync held the lock
        request.response.status_int = 409
        return {"code": 409, "error": "Conflict", "detail": run["error"] or run["status"], "run": run}
    if run["result"]["error"] is not None:
        request.response.status_int = 502
    service = service_of(request)
    return {"result": run["result"], "sync": status.get_sync_status(service, request.dbsession), "run": run}


@view_config(route_name="api.service_sync_runs", request_method="GET", **ADMIN)
def list_runs(request):
    service = service_of(request)
    limit = request.openapi_validated.parameters.query.get("limit", 50)
    return {"service": services.service_as_dict(service),
            "runs": runs.list_runs(db.get_engine(request.registry.settings), service.resource_id, limit)}


@view_config(route_name="api.service_sync_run", request_method="GET", **ADMIN)
def get_run(request):
    return {"run": _run_of(request, service_of(request))}


@view_config(route_name="api.service_sync_run_cancel", request_method="POST", **ADMIN)
def cancel_run(request):
    service = service_of(request)
    run = _run_of(request, service)
    return {"run": jobs.cancel(request.registry["magpie.jobs"], service.resource_id, run["id"])}


@view_config(route_name="api.service_sync_history", request_method="GET", **ADMIN)
def sync_history(request):
    service = service_of(request)
    limit = request.openapi_validated.parameters.query.get("limit", 50)  # 1..1000, from the document
    return {"service": services.service_as_dict(service),
            "runs": status.get_sync_history(service.resource_id, request.dbsession, limit)}
