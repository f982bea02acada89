"""Where jobs run: procrastinate's workers on PostgreSQL, a few threads of the app on SQLite.

Both take a run created by :func:`magpie.jobs.runs.create_run` and eventually call
:func:`magpie.jobs.execute.execute_run` on it; cancelling goes through the run's row, which both
watch, so the engines differ only in where the work happens.
"""
import datetime
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Mapping, Optional

import procrastinate
import psycopg_pool
from croniter import croniter
from sqlalchemy.engine import Engine

from magpie.jobs import runs, schedule
from magpie.jobs.execute import execute_run
from magpie.sync.config import SCHEDULE_OFF, check_schedule

LOGGER = logging.getLogger(__name__)

#: procrastinate's queue and task names of syncs.
QUEUE = "magpie-sync"
SYNC_TASK = "magpie.sync"
SCHEDULE_TASK = "magpie.schedule"


def queueing_lock(service_id: int) -> str:
    """procrastinate keeps one job of a queueing lock waiting at a time: one per service."""
    return f"magpie-sync-{service_id}"


def conninfo(engine: Engine) -> str:
    """libpq's form of the engine's URL (password included: it never leaves the process)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass(frozen=True)
class Scheduling:
    """``magpie.jobs.schedule`` (None: no scheduled syncs; ``off``: only services that have a
    ``schedule`` of their own) and the cron expression of the ticks that look for due services."""

    default: Optional[str]
    tick: str = schedule.DEFAULT_TICK

    @classmethod
    def of(cls, settings: Mapping[str, object]) -> Optional["Scheduling"]:
        if "magpie.jobs.schedule" not in settings:
            return None
        default = str(settings.get("magpie.jobs.schedule") or "").strip() or SCHEDULE_OFF
        tick = str(settings.get("magpie.jobs.schedule_tick") or schedule.DEFAULT_TICK).strip()
        check_schedule(default)
        if not croniter.is_valid(tick):
            raise ValueError(f"magpie.jobs.schedule_tick: {tick!r} is not a cron expression")
        return cls(default, tick)


def make_app(engine: Engine, worker: bool = False, scheduling: Optional[Scheduling] = None) -> procrastinate.App:
    """A procrastinate App on the engine's database with the sync task. ``magpie-worker`` runs its
    worker (``worker``: an asynchronous pool, and the collector held during crawls since the
    process does nothing else; ``scheduling``: the periodic task of scheduled syncs); web
    processes defer through it, on a connection per deferral (a few a minute at most) rather
    than a pool held open."""
    if worker:
        connector = procrastinate.PsycopgConnector(conninfo=conninfo(engine), min_size=1, max_size=4)
    else:
        connector = procrastinate.SyncPsycopgConnector()  # ProcrastinateEngine opens it on a null pool
    app = procrastinate.App(connector=connector)
    pause_gc = worker

    @app.task(name=SYNC_TASK, queue=QUEUE)
    def sync(run_id: int) -> None:
        execute_run(engine, run_id, pause_gc=pause_gc)

    if scheduling is not None:
        deferrer = ProcrastinateEngine(engine)

        @app.periodic(cron=scheduling.tick, periodic_id="services")
        @app.task(name=SCHEDULE_TASK, queue=QUEUE)  # each tick covers its own window: none is dropped
        def tick(timestamp: int) -> None:
            at = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)
            schedule.enqueue_due(deferrer, scheduling.default, schedule.previous_tick(scheduling.tick, at), at)

    return app


class ThreadEngine:
    """Jobs on a small pool of threads in the app process: the embedded mode (SQLite, ``make
    run``), where no other process is there to work. Runs left queued or running by a previous
    process are marked interrupted when it starts."""

    name = "threads"

    def __init__(self, engine: Engine, threads: int = 2, scheduling: Optional[Scheduling] = None,
                 database_ready: bool = True):
        self.engine = engine
        interrupted = runs.interrupt_all(engine) if database_ready else 0  # unmigrated: /health says so
        if interrupted:
            LOGGER.warning("%d sync run(s) of a previous process marked interrupted", interrupted)
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="magpie-job")
        self.ticker = schedule.Ticker(self, scheduling.default, scheduling.tick) if scheduling else None

    def enqueue(self, run: dict) -> None:
        future = self.pool.submit(execute_run, self.engine, run["id"])
        future.add_done_callback(_log_failure)

    def cancel(self, run: dict) -> None:
        """Nothing to do beyond the row: a queued job finds its run cancelled and ends."""

    def close(self) -> None:
        if self.ticker is not None:
            self.ticker.stop()
        self.pool.shutdown(wait=False, cancel_futures=True)


def _log_failure(future) -> None:
    if future.exception() is not None:
        LOGGER.error("a sync job failed", exc_info=future.exception())


class ProcrastinateEngine:
    """Jobs deferred to procrastinate on the app's PostgreSQL: any number of ``magpie-worker``
    processes on any host run them; web processes only enqueue."""

    name = "procrastinate"

    def __init__(self, engine: Engine):
        self.engine = engine
        self.app = make_app(engine)
        self.pool = None

    def _open(self) -> procrastinate.App:
        if self.pool is None:  # on first use: an app that never syncs opens nothing
            self.pool = psycopg_pool.NullConnectionPool(conninfo(self.engine), open=False,
                                                        check=psycopg_pool.NullConnectionPool.check_connection)
            self.pool.open()
            self.app.open(self.pool)
        return self.app

    def enqueue(self, run: dict) -> None:
        task = self._open().tasks[SYNC_TASK]
        try:
            job_id = task.configure(queueing_lock=queueing_lock(run["service_id"])).defer(run_id=run["id"])
        except procrastinate.exceptions.AlreadyEnqueued:
            # A job of a run that ended without starting (cancelled) still waits: it will find its
            # run not queued and end; this one replaces it.
            self._drop_waiting(run["service_id"])
            job_id = task.configure(queueing_lock=queueing_lock(run["service_id"])).defer(run_id=run["id"])
        except Exception:
            runs.finish(self.engine, run["id"], "failed", "could not enqueue the job")
            raise
        runs.update(self.engine, run["id"], job_id=job_id)

    def _drop_waiting(self, service_id: int) -> None:
        for job in self.app.job_manager.list_jobs(queueing_lock=queueing_lock(service_id), status="todo"):
            self.app.job_manager.cancel_job_by_id(job.id, delete_job=True)

    def cancel(self, run: dict) -> None:
        """Take a cancelled queued job off the queue (a running one watches its row)."""
        if run.get("job_id") and run["status"] == "cancelled":
            self._open().job_manager.cancel_job_by_id(run["job_id"], delete_job=True)

    def close(self) -> None:
        if self.pool is not None:
            self.app.close()
            self.pool.close()
            self.pool = None
