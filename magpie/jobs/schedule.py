"""Scheduled syncs: at each tick, queue a job for every service whose schedule fell due since
the tick before. A service's ``schedule`` (its configuration) overrides ``magpie.jobs.schedule``.

The same code ticks in both engines: procrastinate's periodic task on PostgreSQL (deferred once per
tick whatever the number of workers), a thread of the app on SQLite. A service that has a job
queued or running, or whose lock another sync holds (the cron command), is left for the next
tick: the cron command and the schedule never sync one service at once.
"""
import datetime
import logging
import threading
from typing import List, Optional

import sqlalchemy as sa
from croniter import CroniterBadDateError, croniter

from magpie import db, models
from magpie.jobs import runs
from magpie.sync.config import SCHEDULE_OFF, SyncConfig

LOGGER = logging.getLogger(__name__)

SCHEDULE = "schedule"  # the origin of scheduled runs
DEFAULT_TICK = "* * * * *"


def service_schedule(configuration: Optional[dict], default: Optional[str]) -> Optional[str]:
    """The cron expression that schedules a service, None when it has none."""
    try:
        own = SyncConfig.parse(configuration).schedule
    except ValueError:  # a configuration stored by other means: the default still holds
        own = None
    chosen = own or default
    return None if chosen in (None, "", SCHEDULE_OFF) else chosen


def is_due(cron: str, previous: datetime.datetime, now: datetime.datetime) -> bool:
    """Whether ``cron`` fires in (previous, now]; never for a date that does not exist (31 2)."""
    try:
        return croniter(cron, previous).get_next(datetime.datetime) <= now
    except CroniterBadDateError:
        return False


def enqueue_due(jobs, default: Optional[str], previous: datetime.datetime, now: datetime.datetime) -> List[dict]:
    """Queue a job for each service due between the two ticks: the runs queued."""
    with jobs.engine.connect() as connection:
        services = connection.execute(sa.select(models.Service.resource_id, models.Service.configuration)
                                      .where(models.Service.sync_type.is_not(None))).all()
    queued = []
    for service_id, configuration in services:
        cron = service_schedule(configuration, default)
        if cron is None or not is_due(cron, previous, now):
            continue
        if db.is_sync_locked(jobs.engine, service_id):
            LOGGER.info("scheduled sync of service %s skipped: another sync holds its lock", service_id)
            continue
        try:
            run = runs.create_run(jobs.engine, service_id, SCHEDULE, dry_run=False)
        except runs.RunActive as exc:
            LOGGER.info("scheduled sync skipped: %s", exc)
            continue
        jobs.enqueue(run)
        queued.append(run)
    return queued


def previous_tick(tick: str, at: datetime.datetime) -> datetime.datetime:
    return croniter(tick, at).get_prev(datetime.datetime)


class Ticker:
    """The schedule of the in-process engine: a thread that wakes at each tick."""

    def __init__(self, jobs, default: Optional[str], tick: str = DEFAULT_TICK):
        self.jobs, self.default, self.tick = jobs, default, tick
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="magpie-schedule", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        last = models.utcnow()
        while True:
            following = croniter(self.tick, last).get_next(datetime.datetime)
            if self.stopped.wait(max((following - models.utcnow()).total_seconds(), 0)):
                return
            try:
                enqueue_due(self.jobs, self.default, last, following)
            except Exception:  # the next tick tries again
                LOGGER.exception("scheduled syncs failed")
            last = following

    def stop(self) -> None:
        self.stopped.set()
