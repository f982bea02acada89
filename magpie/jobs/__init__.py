"""Syncs as background jobs: enqueue, watch, cancel, and schedules.

Two engines behind one interface (:mod:`magpie.jobs.engines`): procrastinate on PostgreSQL, whose
workers (``magpie-worker``) run the jobs while web processes only enqueue, and a few threads of
the app process on SQLite, so that ``make run`` needs nothing else. Each run is a row of
``sync_runs`` (:mod:`magpie.jobs.runs`); a job crawls with no transaction open and writes in one
short one (:mod:`magpie.jobs.execute`).

Imports :mod:`magpie.sync`, :mod:`magpie.db` and :mod:`magpie.models`; the API and the pages
call it.
"""
import time
from typing import Optional

from sqlalchemy.engine import Engine

from magpie import db
from magpie.jobs import runs
from magpie.jobs.engines import ProcrastinateEngine, Scheduling, ThreadEngine
from magpie.jobs.execute import execute_run
from magpie.jobs.runs import RunActive

__all__ = ["RunActive", "cancel", "engine_for", "run_now", "start", "wait_for"]

ENGINES = ("auto", "procrastinate", "threads")


def engine_for(settings: dict):
    """The job engine that ``magpie.jobs.engine`` names; ``auto``: procrastinate on PostgreSQL,
    threads on SQLite."""
    engine = db.get_engine(settings)
    choice = str(settings.get("magpie.jobs.engine") or "auto").strip().lower()
    if choice not in ENGINES:
        raise ValueError(f"magpie.jobs.engine: expected one of {', '.join(ENGINES)}, got {choice!r}")
    if choice == "auto":
        choice = "procrastinate" if engine.dialect.name == "postgresql" else "threads"
    if choice == "procrastinate":
        return ProcrastinateEngine(engine)  # magpie-worker ticks the schedule
    return ThreadEngine(engine, int(settings.get("magpie.jobs.threads") or 2), Scheduling.of(settings),
                        database_ready=db.is_database_ready(settings))


def start(jobs, service_id: int, origin: str = "api", dry_run: bool = False) -> dict:
    """Queue a sync of the service: its run, status ``queued`` (:class:`RunActive` when one is
    queued or running already)."""
    run = runs.create_run(jobs.engine, service_id, origin, dry_run)
    jobs.enqueue(run)
    return run


def run_now(engine: Engine, service_id: int, origin: str = "api", dry_run: bool = False) -> dict:
    """Queue a run and work it in this thread (the API's ``?wait=true``): the finished run."""
    run = runs.create_run(engine, service_id, origin, dry_run)
    execute_run(engine, run["id"])
    return runs.get_run(engine, service_id, run["id"])


def cancel(jobs, service_id: int, run_id: int, wait: float = 5.0) -> Optional[dict]:
    """Cancel a queued or running run, and wait up to ``wait`` seconds for a running one to stop.
    The run (None when there is no such run)."""
    run = runs.request_cancel(jobs.engine, service_id, run_id)
    if run is None:
        return None
    jobs.cancel(run)
    return wait_for(jobs.engine, service_id, run_id, wait)


def wait_for(engine: Engine, service_id: int, run_id: int, timeout: float, poll: float = 0.1) -> Optional[dict]:
    """The run once it ended, or as it is after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        run = runs.get_run(engine, service_id, run_id)
        if run is None or run["status"] in runs.FINAL or time.monotonic() >= deadline:
            return run
        time.sleep(poll)


def includeme(config) -> None:
    """``registry["magpie.jobs"]``: the engine of this app's database."""
    config.registry["magpie.jobs"] = engine_for(config.get_settings())
