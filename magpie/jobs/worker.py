"""``magpie-worker``: runs the sync jobs that web processes queue on PostgreSQL (any number of
workers, on any host). A database that cannot be reached is retried with backoff and logged once
a minute, so a worker started before its database, or through an outage, comes back by itself."""
import argparse
import logging
import sys
import time
from typing import List, Optional

import psycopg
import sqlalchemy as sa
from procrastinate import exceptions as procrastinate_errors

from magpie import db
from magpie.config import SettingsError, settings_from_cli
from magpie.jobs.engines import QUEUE, Scheduling, make_app
from magpie.sync.process import configure_sync_process

LOGGER = logging.getLogger("magpie.worker")
MAX_BACKOFF = 30.0
LOG_EVERY = 60.0


class OncePerMinute(logging.Filter):
    """Let a logger through once per :data:`LOG_EVERY` seconds: psycopg's pool logs every attempt
    to reconnect, which would fill the log of a worker waiting through an outage."""

    def __init__(self):
        super().__init__()
        self.last = -LOG_EVERY

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        now = time.monotonic()
        if now - self.last < LOG_EVERY:
            return False
        self.last = now
        return True


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="magpie-worker", description="Run the sync jobs queued on PostgreSQL.")
    parser.add_argument("--db", help="database URL (wins over --config and MAGPIE_DB_URL)")
    parser.add_argument("--config", help="ini file holding sqlalchemy.url (e.g. production.ini)")
    parser.add_argument("--concurrency", type=int, default=1, metavar="N", help="jobs at a time (default 1)")
    parser.add_argument("--name", default=None, help="the worker's name in the logs")
    parser.add_argument("--log-level", default="INFO", type=str.upper,
                        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Exit status: 0 after a stop signal, 2 for bad arguments or a database that is not PostgreSQL."""
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stdout,
                        format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
    try:
        settings = settings_from_cli(args.db, args.config)
        configure_sync_process(settings)  # credentials' keys, allowed internal networks
        engine = db.get_engine(settings)
        scheduling = Scheduling.of(settings)
    except (SettingsError, ValueError, sa.exc.ArgumentError) as exc:
        LOGGER.error("%s", exc)
        return 2
    if engine.dialect.name != "postgresql":
        LOGGER.error("magpie-worker needs PostgreSQL; on SQLite the app runs its syncs itself")
        return 2
    once = OncePerMinute()
    for name in ("psycopg.pool", LOGGER.name):
        logging.getLogger(name).addFilter(once)
    backoff = 1.0
    while True:
        started = time.monotonic()
        try:
            make_app(engine, worker=True, scheduling=scheduling).run_worker(queues=[QUEUE], concurrency=max(args.concurrency, 1),
                                                     name=args.name, install_signal_handlers=True)
            return 0
        except (procrastinate_errors.ConnectorException, psycopg.OperationalError, OSError) as exc:
            if time.monotonic() - started > MAX_BACKOFF:
                backoff = 1.0  # it had been working: start the backoff again
            LOGGER.error("the database cannot be reached (%s); retrying", exc.__class__.__name__)
            time.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
