"""The row of each background sync: queued, running, then one final status, with its progress.

Every change is a short transaction of its own on the engine, never the caller's session: a web
request that enqueues must not hold SQLite's write lock while a job writes, nor PostgreSQL's
connection idle in a transaction. A partial unique index allows one queued or running run per
service, whichever engine and process asks.
"""
import datetime
from typing import List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from magpie import db, models

ACTIVE = ("queued", "running")
FINAL = ("succeeded", "partial", "failed", "cancelled", "interrupted")
_RUNS = models.SyncRun.__table__


class RunActive(Exception):
    """The service already has a queued or running job: ``run`` is that job's run."""

    def __init__(self, run: dict):
        self.run = run
        super().__init__(f"a sync of service {run['service_id']} is already {run['status']} (run {run['id']})")


def as_dict(row) -> dict:
    """A run as the API answers it (ISO 8601 UTC times)."""
    def iso(value: Optional[datetime.datetime]) -> Optional[str]:
        return value.isoformat() if value is not None else None

    return {
        "id": row.id, "service_id": row.service_id, "status": row.status, "origin": row.origin,
        "dry_run": row.dry_run, "started": iso(row.started), "running_since": iso(row.running_since),
        "finished": iso(row.finished), "progress": row.progress, "result": row.result, "error": row.error,
        "cancel_requested": row.cancel_requested, "job_id": row.job_id,
    }


def get_run(engine: Engine, service_id: int, run_id: int) -> Optional[dict]:
    reap_interrupted(engine, service_id)
    with engine.connect() as connection:
        row = connection.execute(sa.select(_RUNS).where(_RUNS.c.id == run_id,
                                                        _RUNS.c.service_id == service_id)).first()
    return as_dict(row) if row is not None else None


def list_runs(engine: Engine, service_id: int, limit: int = 50) -> List[dict]:
    """The service's runs, newest first, dry runs and the runs of the cron command included."""
    reap_interrupted(engine, service_id)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(_RUNS).where(_RUNS.c.service_id == service_id)
                                  .order_by(_RUNS.c.started.desc(), _RUNS.c.id.desc()).limit(limit)).all()
    return [as_dict(row) for row in rows]


def active_run(engine: Engine, service_id: int) -> Optional[dict]:
    with engine.connect() as connection:
        row = connection.execute(sa.select(_RUNS).where(_RUNS.c.service_id == service_id,
                                                        _RUNS.c.status.in_(ACTIVE))).first()
    return as_dict(row) if row is not None else None


def create_run(engine: Engine, service_id: int, origin: str, dry_run: bool) -> dict:
    """A queued run for the service, committed; :class:`RunActive` when it has one already."""
    reap_interrupted(engine, service_id)
    try:
        with engine.begin() as connection:
            run_id = connection.execute(_RUNS.insert().values(
                service_id=service_id, started=models.utcnow(), status="queued", origin=origin, dry_run=dry_run,
                cancel_requested=False,
            ).returning(_RUNS.c.id)).scalar_one()
    except sa.exc.IntegrityError:
        active = active_run(engine, service_id)
        if active is None:  # it finished meanwhile: the caller may ask again
            raise
        raise RunActive(active) from None
    with engine.connect() as connection:
        return as_dict(connection.execute(sa.select(_RUNS).where(_RUNS.c.id == run_id)).one())


def update(engine: Engine, run_id: int, only_if: tuple = (), **values) -> bool:
    """Change a run in a transaction of its own; with ``only_if`` only while its status is one of
    those. Whether the row changed."""
    query = _RUNS.update().where(_RUNS.c.id == run_id)
    if only_if:
        query = query.where(_RUNS.c.status.in_(only_if))
    with engine.begin() as connection:
        return connection.execute(query.values(**values)).rowcount == 1


def finish(engine: Engine, run_id: int, status: str, error: Optional[str] = None, only_if: tuple = ACTIVE) -> bool:
    """End a run that wrote nothing (cancelled, interrupted, or failed before its crawl)."""
    return update(engine, run_id, only_if, status=status, error=error, finished=models.utcnow())


def request_cancel(engine: Engine, service_id: int, run_id: int) -> Optional[dict]:
    """Cancel a queued run at once; ask a running one to stop (its job then marks it cancelled).
    The run as it is now, None when there is no such run."""
    run = get_run(engine, service_id, run_id)
    if run is None or run["status"] not in ACTIVE:
        return run
    if not finish(engine, run_id, "cancelled", only_if=("queued",)):
        update(engine, run_id, ("running",), cancel_requested=True)
    return get_run(engine, service_id, run_id)


def is_cancel_requested(engine: Engine, run_id: int) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(sa.select(_RUNS.c.cancel_requested).where(_RUNS.c.id == run_id)).scalar())


def reap_interrupted(engine: Engine, service_id: int) -> None:
    """Mark ``interrupted`` a run left ``running`` by a worker that died. A job takes the sync lock
    before it marks its run running and records the outcome before it lets go, so a running run
    whose lock is free has no live job."""
    with engine.connect() as connection:
        running = connection.execute(sa.select(_RUNS.c.id).where(_RUNS.c.service_id == service_id,
                                                                 _RUNS.c.status == "running")).scalar()
    if running is not None and not db.is_sync_locked(engine, service_id):
        finish(engine, running, "interrupted", "the worker running this sync stopped before it ended",
               only_if=("running",))


def interrupt_all(engine: Engine) -> int:
    """At the start of an in-process runner: runs queued or running in a process that is gone."""
    with engine.begin() as connection:
        return connection.execute(_RUNS.update().where(_RUNS.c.status.in_(ACTIVE)).values(
            status="interrupted", finished=models.utcnow(),
            error="the process running this sync stopped before it ended")).rowcount
