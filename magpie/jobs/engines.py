"""Where jobs run: procrastinate's workers on PostgreSQL, a few threads of the app on SQLite.

Both take a run created by :func:`magpie.jobs.runs.create_run` and eventually call
:func:`magpie.jobs.execute.execute_run` on it; cancelling goes through the run's row, which both
watch, so the engines differ only in where the work happens.
"""
import logging
from concurrent.futures import ThreadPoolExecutor

import procrastinate
import psycopg_pool
from sqlalchemy.engine import Engine

from magpie.jobs import runs
from magpie.jobs.execute import execute_run

LOGGER = logging.getLogger(__name__)

#: procrastinate's queue and task names of syncs.
QUEUE = "magpie-sync"
SYNC_TASK = "magpie.sync"


def queueing_lock(service_id: int) -> str:
    """procrastinate keeps one job of a queueing lock waiting at a time: one per service."""
    return f"magpie-sync-{service_id}"


def conninfo(engine: Engine) -> str:
    """libpq's form of the engine's URL (password included: it never leaves the process)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(engine: Engine, worker: bool = False) -> procrastinate.App:
    """A procrastinate App on the engine's database with the sync task. ``magpie-worker`` runs its
    worker (``worker``: an asynchronous pool, and the collector held during crawls since the
    process does nothing else); web processes defer through it, on a connection per deferral
    (a few a minute at most) rather than a pool held open."""
    if worker:
        connector = procrastinate.PsycopgConnector(conninfo=conninfo(engine), min_size=1, max_size=4)
    else:
        connector = procrastinate.SyncPsycopgConnector()  # ProcrastinateEngine opens it on a null pool
    app = procrastinate.App(connector=connector)
    pause_gc = worker

    @app.task(name=SYNC_TASK, queue=QUEUE)
    def sync(run_id: int) -> None:
        execute_run(engine, run_id, pause_gc=pause_gc)

    return app


class ThreadEngine:
    """Jobs on a small pool of threads in the app process: the embedded mode (SQLite, ``make
    run``), where no other process is there to work. Runs left queued or running by a previous
    process are marked interrupted when it starts."""

    name = "threads"

    def __init__(self, engine: Engine, threads: int = 2):
        self.engine = engine
        interrupted = runs.interrupt_all(engine)
        if interrupted:
            LOGGER.warning("%d sync run(s) of a previous process marked interrupted", interrupted)
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="magpie-job")

    def enqueue(self, run: dict) -> None:
        future = self.pool.submit(execute_run, self.engine, run["id"])
        future.add_done_callback(_log_failure)

    def cancel(self, run: dict) -> None:
        """Nothing to do beyond the row: a queued job finds its run cancelled and ends."""

    def close(self) -> None:
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
