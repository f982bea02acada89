"""The cron command ``magpie-sync-resources``: pick the services to sync, sync each in its own
transaction (one failure never stops the others), log what changed, exit non-zero on failure."""
import argparse
import logging
import logging.handlers
import sys
from typing import Iterable, List, Optional, Union

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import db, models
from magpie.config import SettingsError, settings_from_cli
from magpie.sync.process import configure_sync_process
from magpie.sync.runner import IN_PROCESS, SyncResult, sync_services
from magpie.sync.types import get_sync_type

LOGGER = logging.getLogger(__name__)

#: The origin recorded in the history of the syncs this command runs.
CRON = "cron"


def select_service_ids(session: Session, service_names: Optional[Iterable[str]] = None,
                       sync_types: Optional[Iterable[str]] = None) -> List[int]:
    """Ids of the services to sync: those with a sync type, chosen by ``sync_type`` (never by the
    service's ``type``), optionally narrowed by name."""
    query = sa.select(models.Service.resource_id, models.Service.resource_name).where(
        models.Service.sync_type.is_not(None)).order_by(models.Service.resource_name)
    if sync_types is not None:
        query = query.where(models.Service.sync_type.in_(list(sync_types)))
    if service_names is not None:
        names = list(service_names)
        rows = session.execute(query.where(models.Service.resource_name.in_(names))).all()
        missing = sorted(set(names) - {row.resource_name for row in rows})
        if missing:
            raise LookupError(f"no syncable service named {', '.join(map(repr, missing))}")
        return [row.resource_id for row in rows]
    return list(session.execute(query).scalars())


def fetch(settings: Optional[dict] = None, service_names: Optional[Iterable[str]] = None,
          sync_types: Optional[Iterable[str]] = None, dry_run: bool = False, jobs: int = 1,
          origin: str = IN_PROCESS, pause_gc: bool = False) -> List[SyncResult]:
    """Sync every service with a sync type (or those named, or those of the given sync types), each
    in its own transaction, ``jobs`` at a time. ``settings`` default to the environment;
    ``pause_gc`` is for processes that only sync (see ``SyncServiceInterface.get_resources``)."""
    settings = settings or settings_from_cli()
    configure_sync_process(settings)
    engine = db.get_engine(settings)
    with Session(engine) as session:
        service_ids = select_service_ids(session, service_names, sync_types)
    return sync_services(engine, service_ids, dry_run, jobs, origin, pause_gc)


def setup_cron_logger(log_level: Union[int, str] = logging.INFO, log_file: Optional[str] = None) -> logging.Logger:
    """Log magpie's messages to stdout and, when ``log_file`` is given, to a rotating file
    (10 MB x 5)."""
    logger = logging.getLogger("magpie")
    logger.setLevel(log_level if isinstance(log_level, int) else log_level.upper())
    for handler in list(logger.handlers):
        if getattr(handler, "_magpie_cron", False):
            logger.removeHandler(handler)
            handler.close()
    formatter = logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s")
    handlers: List[logging.Handler] = [logging.StreamHandler(sys.stdout)]
    if log_file:
        handlers.append(logging.handlers.RotatingFileHandler(log_file, maxBytes=10 * 1024 * 1024, backupCount=5))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler._magpie_cron = True
        logger.addHandler(handler)
    logger.propagate = False
    return logger


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="magpie-sync-resources",
        description="Crawl the remote services that have a sync type and store their resource trees.",
    )
    parser.add_argument("--db", help="database URL (wins over --config and MAGPIE_DB_URL)")
    parser.add_argument("--config", help="ini file holding sqlalchemy.url (e.g. development.ini)")
    parser.add_argument("--service", action="append", dest="services", metavar="NAME",
                        help="sync only this service (repeatable)")
    parser.add_argument("--sync-type", action="append", dest="sync_types", metavar="TYPE",
                        help="sync only services of this sync type (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="crawl and report the diff, write nothing")
    parser.add_argument("--jobs", type=_at_least_one, default=1, metavar="N",
                        help="sync N services at a time, each in its own transaction (default 1)")
    parser.add_argument("--log-level", default="INFO", type=str.upper,
                        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    parser.add_argument("--log-file", help="also log to this file, rotated at 10 MB")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    """Exit status: 0 when every service synced, 1 when any failed, 2 for bad arguments or a
    database that cannot be used."""
    setup_cron_logger(args.log_level, args.log_file)
    try:
        settings = settings_from_cli(args.db, args.config)
        for sync_type in args.sync_types or ():
            get_sync_type(sync_type)
        if not db.is_database_ready(settings):
            raise SettingsError("the database is unreachable or not migrated (run magpie-migrate)")
        # This process only syncs: no request thread shares the collector's pause.
        results = fetch(settings, args.services, args.sync_types, dry_run=args.dry_run, jobs=args.jobs, origin=CRON,
                        pause_gc=True)
    except (SettingsError, ValueError, LookupError, sa.exc.SQLAlchemyError) as exc:
        LOGGER.error("%s", exc)
        return 2
    failed = [result for result in results if not result.ok]
    partial = [result.service_name for result in results if result.status == "partial"]
    LOGGER.info("%d service(s) synced, %d failed%s%s", len(results) - len(failed), len(failed),
                f": {', '.join(r.service_name for r in failed)}" if failed else "",
                f"; partial (parts not read, kept unverified): {', '.join(partial)}" if partial else "")
    return 1 if failed else 0
