"""How a service's syncs went: the status an administrator reads (last success, last error,
counts, out of sync or not) and the history of runs, each run recorded in one place."""
import datetime
from typing import Dict, Iterable, List, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models
from magpie.sync.config import SyncConfig
from magpie.sync.store import ensure_sync_info, get_sync_info
from magpie.sync.types import get_sync_type

#: A service whose last successful sync is older than this is out of sync.
OUT_OF_SYNC = datetime.timedelta(hours=3)

_INFO = models.RemoteResourcesSyncInfo
_RUNS = models.SyncRun.__table__


def get_last_sync(service_id: int, session: Session) -> Optional[datetime.datetime]:
    """When the service last synced successfully (timezone-aware UTC), None if never."""
    return session.execute(sa.select(_INFO.last_sync).where(_INFO.service_id == service_id)).scalar()


def is_out_of_sync(last_sync: Optional[datetime.datetime], now: Optional[datetime.datetime] = None) -> bool:
    return last_sync is None or (now or models.utcnow()) - last_sync > OUT_OF_SYNC


def record_run(session: Session, service: models.Service, started: datetime.datetime, result,
               run: Optional[models.SyncRun] = None) -> None:
    """Record a finished sync (a :class:`~magpie.sync.runner.SyncResult`) on the service's sync
    info and in its history, dropping the runs beyond its ``history_size``. ``run``: the row of a
    background job (:mod:`magpie.jobs`), finished here instead of adding one."""
    info = ensure_sync_info(service.resource_id, session)
    info.last_attempt = started
    info.last_duration = result.duration
    info.last_error = result.error
    if result.ok:
        info.last_sync = models.utcnow()
        info.added, info.removed, info.kept = result.added, result.removed, result.kept
        info.unverified, info.partial_reasons = result.unverified, result.partial_reasons or None
    outcome = dict(
        finished=models.utcnow(), status=result.status,
        added=result.added if result.ok else None, removed=result.removed if result.ok else None,
        kept=result.kept if result.ok else None, error=result.error, origin=result.origin,
        unverified=result.unverified if result.ok else None, partial_reasons=result.partial_reasons or None,
    )
    if run is None:
        session.add(models.SyncRun(service_id=service.resource_id, started=started, **outcome))
    else:
        for key, value in outcome.items():
            setattr(run, key, value)
    session.flush()
    keep = _history_size(service)
    newest = (sa.select(_RUNS.c.id).where(_RUNS.c.service_id == service.resource_id)
              .order_by(_RUNS.c.started.desc(), _RUNS.c.id.desc()).limit(keep))
    # Runs not finished (background jobs queued or running) and the one just finished stay.
    session.execute(_RUNS.delete().where(_RUNS.c.service_id == service.resource_id, _RUNS.c.finished.is_not(None),
                                         _RUNS.c.id != (run.id if run is not None else -1),
                                         _RUNS.c.id.not_in(newest.scalar_subquery())))


def _history_size(service: models.Service) -> int:
    try:
        return SyncConfig.parse(service.configuration).history_size
    except ValueError:  # a configuration stored by other means: the default still holds
        return SyncConfig.parse(None).history_size


def get_sync_history(service_id: int, session: Session, limit: Optional[int] = None) -> List[dict]:
    """The service's sync runs, newest first, as JSON-ready dicts (ISO 8601 UTC times)."""
    columns = [_RUNS.c[name] for name in ("id", "service_id", "started", "finished", "status", "added", "removed",
                                          "kept", "error", "origin", "unverified", "partial_reasons")]
    query = (sa.select(*columns).where(_RUNS.c.service_id == service_id, _RUNS.c.dry_run.is_(False))
             .order_by(_RUNS.c.started.desc(), _RUNS.c.id.desc()))
    if limit is not None:
        query = query.limit(limit)
    history = []
    for row in session.execute(query).mappings():
        entry = dict(row)
        entry["started"] = row["started"].isoformat()
        entry["finished"] = row["finished"].isoformat() if row["finished"] else None
        entry["duration"] = round((row["finished"] - row["started"]).total_seconds(), 3) if row["finished"] else None
        history.append(entry)
    return history


def get_sync_status(service: models.Service, session: Session) -> dict:
    """Times of the last success and attempt (UTC), the last error and counts, whether the service
    is out of sync, and the depth its sync looks at."""
    return _sync_status(service, get_sync_info(service.resource_id, session))


def get_sync_statuses(services: Iterable[models.Service], session: Session) -> Dict[int, dict]:
    """:func:`get_sync_status` of many services (service id -> status) in one query, for lists."""
    services = list(services)
    infos = {info.service_id: info for info in session.execute(
        sa.select(_INFO).where(_INFO.service_id.in_([s.resource_id for s in services]))
    ).scalars()}
    return {service.resource_id: _sync_status(service, infos.get(service.resource_id)) for service in services}


def _sync_status(service: models.Service, info: Optional[models.RemoteResourcesSyncInfo]) -> dict:
    max_depth = None
    if service.sync_type:
        try:
            max_depth = get_sync_type(service.sync_type).effective_max_depth(service.configuration)
        except ValueError:  # an unknown type or a bad depth stored by other means: nothing to show
            max_depth = None

    def iso(value):
        return value.isoformat() if value is not None else None

    return {
        "last_sync": iso(info.last_sync) if info else None,
        "last_attempt": iso(info.last_attempt) if info else None,
        "last_error": info.last_error if info else None,
        "last_duration": info.last_duration if info else None,
        "added": info.added if info else None,
        "removed": info.removed if info else None,
        "kept": info.kept if info else None,
        "partial": bool(info and info.partial_reasons),
        "unverified": info.unverified if info else None,
        "partial_reasons": (info.partial_reasons or []) if info else [],
        "out_of_sync": is_out_of_sync(info.last_sync if info else None),
        "max_depth": max_depth,
    }
