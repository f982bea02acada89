"""Running a sync: crawl one service, apply what changed to its stored tree, record how it went.

The crawl happens before any write, and a failed crawl writes nothing but the error, so the last
good tree stays. Syncs of one service never interleave (:func:`magpie.db.hold_sync_lock`).
"""
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Dict, Iterable, List, Optional, Union

import sqlalchemy as sa
import transaction
from sqlalchemy.orm import Session, object_session

from magpie import db, models
from magpie.names import find_by_id_or_name
from magpie.sync.credentials import stored_credentials
from magpie.sync.remote.auth import Credentials
from magpie.sync.remote.http import RemoteError
from magpie.sync.status import record_run
from magpie.sync.store import apply_update, plan_update
from magpie.sync.types import get_sync_type

LOGGER = logging.getLogger(__name__)

#: Paths listed by a dry run, each of added and removed.
PREVIEW_LIMIT = 1000

#: Who asked for a sync when the caller does not say.
IN_PROCESS = "in-process"

#: Reasons of a partial sync kept in its result and history.
PARTIAL_REASONS = 5


@dataclass
class SyncResult:
    service_id: int
    service_name: str
    sync_type: str
    added: int = 0
    removed: int = 0
    kept: int = 0
    duration: float = 0.0
    error: Optional[str] = None
    problems: List[str] = field(default_factory=list)
    dry_run: bool = False
    #: Dry runs only: paths that would be added and removed (at most PREVIEW_LIMIT of each).
    preview: Optional[Dict[str, List[str]]] = None
    #: Who asked: ``api``, ``cron``, ``in-process`` ...
    origin: str = IN_PROCESS
    #: Stored nodes left not verified because their part of the remote tree could not be read.
    unverified: int = 0
    #: The first reasons why (at most PARTIAL_REASONS).
    partial_reasons: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> str:
        """``failed``, ``partial`` (a part of the remote tree could not be read) or ``succeeded``."""
        if self.error is not None:
            return "failed"
        return "partial" if self.partial_reasons else "succeeded"

    def as_dict(self) -> dict:
        return {**asdict(self), "status": self.status}


class SyncError(Exception):
    """A sync failed; the previous remote tree is unchanged and the error is recorded on the
    service's sync info in the caller's session (commit it to keep the record)."""

    def __init__(self, result: SyncResult):
        self.result = result
        super().__init__(f"sync of service {result.service_name!r} failed: {result.error}")


def crawl(service: models.Service, pause_gc: bool = False, credentials: Optional[Credentials] = None):
    """Read the service's remote tree: (tree, problems met on the way that did not fail it), with
    its stored credentials, whose values are cleaned from the problems and the error.
    ``credentials``: already opened, for a detached service (a job's); read from the service's
    session otherwise. ``pause_gc``: see :meth:`~magpie.sync.types.SyncServiceInterface.get_resources`."""
    syncer = get_sync_type(service.sync_type)(service.resource_name, service.url, service.configuration)
    session = object_session(service)
    if credentials is None and session is not None:
        credentials = stored_credentials(session, service.resource_id)
    syncer.credentials = credentials
    try:
        tree = syncer.get_resources(pause_gc)  # validated once, by plan_update
    except RemoteError as exc:
        raise (type(exc)(credentials.redact(exc.url), credentials.redact(exc.reason)) if credentials else exc) from None
    return tree, [credentials.redact(problem) for problem in syncer.problems] if credentials else syncer.problems


def store_crawl(remote_resources: dict, session: Session, result: SyncResult) -> None:
    """Apply the crawled tree to the stored one (for a dry run, only plan it) and fill ``result``
    with what changed; ValueError when the tree cannot be stored, leaving the stored one as it was.
    The one write path of every sync: in a request, the cron command and a background job."""
    diff = (plan_update if result.dry_run else apply_update)(remote_resources, result.service_id, session,
                                                             result.problems)
    result.added, result.removed, result.kept = len(diff.added), len(diff.removed_ids), diff.kept
    result.unverified, result.partial_reasons = diff.unverified, diff.partial_reasons[:PARTIAL_REASONS]
    if result.dry_run:
        result.preview = {"added": diff.added_paths(PREVIEW_LIMIT), "removed": diff.removed_paths(PREVIEW_LIMIT)}


def describe_error(exc: BaseException, service_name: str) -> str:
    """What a failed sync's result says: a remote or input error as it is; anything else (a broken
    plugin or HTTP client) by its class, with the traceback in the log and never in the API."""
    if isinstance(exc, (RemoteError, ValueError)):
        return str(exc)
    LOGGER.error("sync of service %r raised", service_name, exc_info=exc)
    return f"unexpected {exc.__class__.__name__}: {str(exc)[:300]}"


def resolve_service(service: Union[models.Service, int, str], session: Session) -> models.Service:
    """The service itself, or the one its id or name designates (NotFoundError, a LookupError)."""
    if isinstance(service, models.Service):
        return service
    return find_by_id_or_name(session, models.Service, models.Service.resource_name, service, "service",
                              models.Resource.resource_type == "service")


def sync_service(service: Union[models.Service, int, str], session: Session, dry_run: bool = False,
                 origin: str = IN_PROCESS, pause_gc: bool = False) -> SyncResult:
    """Crawl the service and replace its stored remote tree by a diff, holding its sync lock
    (:class:`magpie.db.SyncAlreadyRunning` when another sync runs). On failure the stored tree is
    untouched, the error is recorded and :class:`SyncError` raised. With ``dry_run`` the diff is
    computed and nothing is written. The caller commits."""
    service = resolve_service(service, session)
    if not service.sync_type:
        raise ValueError(f"service {service.resource_name!r} has no sync type")
    result = SyncResult(service_id=service.resource_id, service_name=service.resource_name,
                        sync_type=service.sync_type, dry_run=dry_run, origin=origin)
    db.hold_sync_lock(session, service.resource_id)
    attempted = models.utcnow()
    started = time.monotonic()
    LOGGER.info("syncing service %r (%s) from %s", service.resource_name, service.sync_type, service.url)
    try:
        remote_resources, result.problems = crawl(service, pause_gc)
        store_crawl(remote_resources, session, result)
    except sa.exc.SQLAlchemyError:
        raise  # the transaction may be unusable: the caller records it (sync_in_own_transaction)
    except Exception as exc:  # a broken plugin or client too: this service's error, not the run's end
        result.error = describe_error(exc, service.resource_name)
    result.duration = round(time.monotonic() - started, 3)
    for problem in result.problems:
        LOGGER.warning("service %r: %s", service.resource_name, problem)
    if not dry_run:
        record_run(session, service, attempted, result)
    if result.error is not None:
        LOGGER.error("sync of service %r failed after %.2f s: %s", service.resource_name, result.duration,
                     result.error)
        raise SyncError(result)
    LOGGER.info("service %r %s in %.2f s: %d added, %d removed, %d kept", service.resource_name,
                "checked (dry run)" if dry_run else "synced", result.duration, result.added, result.removed,
                result.kept)
    if result.partial_reasons:
        LOGGER.warning("service %r: partial sync, %d node(s) kept unverified: %s", service.resource_name,
                       result.unverified, "; ".join(result.partial_reasons))
    return result


def sync_in_own_transaction(engine: sa.engine.Engine, service_id: int, dry_run: bool = False,
                            origin: str = IN_PROCESS, pause_gc: bool = False) -> Optional[SyncResult]:
    """Sync one service in a transaction of its own; None when another sync of it runs. A failed
    sync commits only its recorded error; a database error rolls back this service alone and is
    recorded afterwards."""
    manager = transaction.TransactionManager(explicit=True)
    session = db.get_tm_session(db.get_session_factory(engine), manager)
    try:
        try:
            with manager:
                try:
                    return sync_service(service_id, session, dry_run=dry_run, origin=origin, pause_gc=pause_gc)
                except SyncError as exc:
                    return exc.result
        except db.SyncAlreadyRunning as exc:
            LOGGER.warning("%s; skipped", exc)
            return None
        except sa.exc.SQLAlchemyError as exc:
            LOGGER.exception("database error while syncing service %s", service_id)
            with manager:
                service = session.get(models.Service, service_id)
                result = SyncResult(service_id=service_id, service_name=service.resource_name,
                                    sync_type=service.sync_type or "", dry_run=dry_run, origin=origin,
                                    error=f"database error: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
                if not dry_run:
                    record_run(session, service, models.utcnow(), result)
                return result
    finally:
        session.close()


def sync_services(engine: sa.engine.Engine, service_ids: Iterable[int], dry_run: bool = False, jobs: int = 1,
                  origin: str = IN_PROCESS, pause_gc: bool = False) -> List[SyncResult]:
    """Sync services ``jobs`` at a time, each in its own session and transaction; those another
    sync was already running for are left out."""
    service_ids = list(service_ids)

    def one(service_id: int) -> Optional[SyncResult]:
        return sync_in_own_transaction(engine, service_id, dry_run, origin, pause_gc)

    if jobs <= 1 or len(service_ids) <= 1:
        results = [one(service_id) for service_id in service_ids]
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sync") as pool:
            results = list(pool.map(one, service_ids))
    return [result for result in results if result is not None]
