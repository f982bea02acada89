"""One background sync, whichever engine runs it: crawl with no transaction open, then write in
one short transaction, holding the service's sync lock throughout.

The crawl runs in a thread of its own while the job's thread stores the progress and watches the
run for a cancel request every :data:`POLL` seconds: a cancelled run ends at once, without
waiting for a slow remote answer, and the abandoned crawl stops at its next received chunk.
"""
import logging
import threading
import time
from typing import Optional

import sqlalchemy as sa
import transaction
from sqlalchemy.engine import Engine

from magpie import db, models
from magpie.jobs import runs
from magpie.sync.credentials import stored_credentials
from magpie.sync.progress import CURRENT, Cancelled, Progress
from magpie.sync.remote.auth import Credentials
from magpie.sync.runner import SyncResult, crawl, describe_error, store_crawl
from magpie.sync.status import record_run

LOGGER = logging.getLogger(__name__)

#: Seconds between two looks at a running job's row (progress stored, cancel request read).
POLL = 0.25
_RUNS = models.SyncRun.__table__


def execute_run(engine: Engine, run_id: int, pause_gc: bool = False) -> Optional[str]:
    """Run the queued run ``run_id``: the status it ended with, None when it was no longer queued
    (cancelled before it started, or taken by another worker)."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(_RUNS.c.service_id, _RUNS.c.status).where(_RUNS.c.id == run_id)).first()
    if row is None or row.status != "queued":
        return None
    session = db.get_session_factory(engine)()
    try:
        service = session.get(models.Service, row.service_id)  # loaded, then read detached
        credentials = stored_credentials(session, service.resource_id) if service is not None else None
    except ValueError as exc:  # stored credentials that no configured secrets key opens
        runs.finish(engine, run_id, "failed", str(exc))
        return "failed"
    finally:
        session.close()
    if service is None or not service.sync_type:
        runs.finish(engine, run_id, "failed", "the service is gone or has no sync type")
        return "failed"
    try:
        with db.sync_lock(engine, service.resource_id):
            if not runs.update(engine, run_id, ("queued",), status="running", running_since=models.utcnow()):
                return None
            return _crawl_then_write(engine, run_id, service, credentials, pause_gc)
    except db.SyncAlreadyRunning as exc:
        runs.finish(engine, run_id, "failed", str(exc))  # the cron command, or a sync of a web process
        return "failed"


def _store_progress(engine: Engine, run_id: int, progress: Progress) -> bool:
    """Store the progress; whether a cancel was asked for."""
    with engine.begin() as connection:
        return bool(connection.execute(_RUNS.update().where(_RUNS.c.id == run_id)
                                       .values(progress=progress.as_dict())
                                       .returning(_RUNS.c.cancel_requested)).scalar())


def _crawl_then_write(engine: Engine, run_id: int, service: models.Service,
                      credentials: Optional[Credentials], pause_gc: bool) -> str:
    progress = Progress()
    outcome: dict = {}
    done = threading.Event()

    def crawl_in_thread() -> None:
        CURRENT.set(progress)  # a new thread starts with an empty context
        try:
            outcome["tree"], outcome["problems"] = crawl(service, pause_gc, credentials)
        except BaseException as exc:  # handed to the job's thread, which decides
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=crawl_in_thread, name=f"sync-{service.resource_name}", daemon=True).start()
    while not done.wait(POLL):
        if _store_progress(engine, run_id, progress):
            progress.cancelled.set()
            runs.finish(engine, run_id, "cancelled", only_if=("running",))
            LOGGER.info("sync of service %r cancelled", service.resource_name)
            return "cancelled"
    if _store_progress(engine, run_id, progress):
        runs.finish(engine, run_id, "cancelled", only_if=("running",))
        return "cancelled"
    return _write(engine, run_id, service, outcome, progress)


def _write(engine: Engine, run_id: int, service: models.Service, outcome: dict, progress: Progress) -> str:
    """The one short transaction of a job: apply the diff (or compute it, for a dry run) and record
    the outcome on the run and, but for dry runs, the service's status and history."""
    error = outcome.get("error")
    if isinstance(error, Cancelled):
        runs.finish(engine, run_id, "cancelled", only_if=("running",))
        return "cancelled"
    manager = transaction.TransactionManager(explicit=True)
    session = db.get_tm_session(db.get_session_factory(engine), manager)
    try:
        with manager:
            run = session.get(models.SyncRun, run_id)
            if run.status != "running" or run.cancel_requested:  # cancelled since the last look
                run.status, run.finished = "cancelled", models.utcnow()
                return "cancelled"
            result = SyncResult(service_id=service.resource_id, service_name=service.resource_name,
                                sync_type=service.sync_type, dry_run=run.dry_run, origin=run.origin,
                                problems=outcome.get("problems") or [])
            if error is None:
                try:
                    store_crawl(outcome["tree"], session, result)
                except ValueError as exc:
                    error = exc
            if error is not None:
                result.error = describe_error(error, service.resource_name)
            else:
                progress.queued, progress.nodes = 0, result.added + result.kept  # the whole tree, main node too
            result.duration = round(time.monotonic() - progress.started, 3)
            if run.dry_run:
                run.finished, run.error, run.status = models.utcnow(), result.error, result.status
            else:
                record_run(session, service, run.running_since, result, run=run)
            run.progress, run.result = progress.as_dict(), result.as_dict()
            status = run.status
    except sa.exc.SQLAlchemyError as exc:
        LOGGER.exception("database error while writing the sync of service %r", service.resource_name)
        runs.finish(engine, run_id, "failed", f"database error: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
        return "failed"
    finally:
        session.close()
    LOGGER.info("sync of service %r ended %s: %s", service.resource_name, status,
                result.error or f"{result.added} added, {result.removed} removed, {result.kept} kept")
    return status
