"""The access-control audit log and version counter, written in the transaction of the change.

Every change to access-control data (users, groups, memberships, applied permissions, local
resources, syncs) calls :func:`record`, which appends one entry and bumps the version counter
that decision indexes compare against. Both happen in the caller's transaction: a change that
rolls back leaves neither an entry nor a version bump behind.

The log is read newest first, a page at a time (:func:`list_entries`), and pruned to the
retention configured at start-up (:func:`configure_retention`): at start-up, then by the first
write of each day, in that write's transaction, so reading never pays for it.
"""
import datetime
import threading
import time
from typing import Callable, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models
from magpie.errors import InvalidInput

#: The actor of changes made by the application itself (start-up, files applied at start-up).
SYSTEM = "system"


def record(session: Session, actor: Optional[str], action: str, *, service_id: Optional[int] = None,
           resource_id: Optional[int] = None, user_name: Optional[str] = None, group_name: Optional[str] = None,
           before: Optional[dict] = None, after: Optional[dict] = None, changes_access: bool = True) -> None:
    """Append one audit entry (``action`` such as ``permission.grant``, ``user.delete``) and, when
    the change can alter a decision (``changes_access``), bump the access-control version.

    ``before`` and ``after`` are JSON-ready dicts of the state around the change; they must never
    hold a secret (a password is recorded as ``"password": "changed"``).
    """
    # ORM statements, so zope.sqlalchemy sees the session changed and commits it.
    session.add(models.AuditEntry(
        at=models.utcnow(), actor=(actor or SYSTEM)[:128], action=action, service_id=service_id,
        resource_id=resource_id, user_name=user_name, group_name=group_name, before=before, after=after))
    if changes_access:
        bump_acl_version(session)
    if RETENTION.due():
        prune(session, RETENTION.days)


#: The PostgreSQL channel :func:`bump_acl_version` notifies (payload: the new version, or empty
#: when the version row is missing); decision indexes in other processes LISTEN on it.
ACL_CHANNEL = "magpie_acl_version"


def bump_acl_version(session: Session) -> None:
    """Count one more change to access-control data; committed with the caller's transaction.

    On PostgreSQL the same transaction sends a NOTIFY, which PostgreSQL delivers only when (and
    if) the transaction commits: other processes hear of the change without polling.
    """
    version = session.execute(
        sa.update(models.AclVersion).where(models.AclVersion.id == 1)
        .values(version=models.AclVersion.version + 1).returning(models.AclVersion.version)
        .execution_options(synchronize_session=False)).scalar()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_notify(ACL_CHANNEL, "" if version is None else str(version))))


def acl_version(session_or_connection) -> int:
    """The committed count of access-control changes (0 on a fresh database)."""
    return session_or_connection.execute(
        sa.select(models.AclVersion.version).where(models.AclVersion.id == 1)).scalar() or 0


# --- reading -----------------------------------------------------------------------------------

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_MICROSECOND = datetime.timedelta(microseconds=1)
_LAST_MICROSECOND = (datetime.datetime(9999, 12, 31, tzinfo=datetime.timezone.utc) - _EPOCH) // _MICROSECOND
_MAX_ID = 2 ** 31 - 1  # ids are 32-bit integers on PostgreSQL


def entry_as_dict(entry: models.AuditEntry) -> dict:
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action,
            "service_id": entry.service_id, "resource_id": entry.resource_id, "user_name": entry.user_name,
            "group_name": entry.group_name, "before": entry.before, "after": entry.after}


def make_cursor(entry: models.AuditEntry) -> str:
    """Where the next page starts: the time (microseconds since 1970) and id of the last entry
    given, so a page never repeats nor skips entries when new ones arrive meanwhile."""
    return f"{(entry.at - _EPOCH) // _MICROSECOND}.{entry.id}"


def parse_cursor(cursor: str) -> Tuple[datetime.datetime, int]:
    """The position a cursor names; numbers beyond any entry's are brought back to the largest
    (the page then starts at the newest entry), so only a malformed cursor is refused."""
    micros, _, entry_id = cursor.partition(".")
    if not (micros.isascii() and micros.isdigit() and entry_id.isascii() and entry_id.isdigit()):
        raise InvalidInput("cursor", "not a cursor this server gave (use next_cursor of the previous page)")
    return _EPOCH + min(int(micros), _LAST_MICROSECOND) * _MICROSECOND, min(int(entry_id), _MAX_ID)


def list_entries(session: Session, *, service_id: Optional[int] = None, user_name: Optional[str] = None,
                 since: Optional[datetime.datetime] = None, until: Optional[datetime.datetime] = None,
                 limit: int = 50, cursor: Optional[str] = None) -> Tuple[List[dict], Optional[str]]:
    """One page of entries, newest first, and the cursor of the next page (None on the last).

    ``user_name`` matches entries about that user and entries made by that user (its actor);
    ``since`` is inclusive and ``until`` exclusive, both timezone-aware.
    """
    entry = models.AuditEntry
    query = sa.select(entry)
    if service_id is not None:
        query = query.where(entry.service_id == service_id)
    if user_name is not None:
        query = query.where(sa.or_(entry.user_name == user_name, entry.actor == user_name))
    if since is not None:
        query = query.where(entry.at >= since)
    if until is not None:
        query = query.where(entry.at < until)
    if cursor is not None:
        at, entry_id = parse_cursor(cursor)
        query = query.where(sa.or_(entry.at < at, sa.and_(entry.at == at, entry.id < entry_id)))
    rows = session.execute(query.order_by(entry.at.desc(), entry.id.desc()).limit(limit + 1)).scalars().all()
    page = rows[:limit]
    return [entry_as_dict(row) for row in page], make_cursor(page[-1]) if len(rows) > limit else None


# --- retention ---------------------------------------------------------------------------------

#: PostgreSQL advisory lock ("ma", 0) that lets one transaction at a time prune.
PRUNE_LOCK = (0x6D61, 0)
PRUNE_INTERVAL = 24 * 3600.0


class Retention:
    """How many days entries are kept (0: forever) and when this process prunes next.

    The check is a clock comparison in memory, so a write pays for pruning once a day at most.
    """

    def __init__(self) -> None:
        self.days = 0
        self.clock: Callable[[], float] = time.monotonic
        self.next_due = float("inf")
        self.lock = threading.Lock()

    def configure(self, days: int, clock: Callable[[], float] = time.monotonic) -> None:
        with self.lock:
            self.days, self.clock = max(days, 0), clock
            self.next_due = clock() + PRUNE_INTERVAL if self.days else float("inf")

    def due(self) -> bool:
        """True once per interval (to one caller), when a retention is set."""
        if self.clock() < self.next_due:
            return False
        with self.lock:
            now = self.clock()
            if now < self.next_due:
                return False
            self.next_due = now + PRUNE_INTERVAL
            return True


RETENTION = Retention()


def configure_retention(days: int, clock: Callable[[], float] = time.monotonic) -> None:
    """Keep entries ``days`` days (0: forever); the next prune of this process is a day later
    (start-up prunes by itself with :func:`prune`)."""
    RETENTION.configure(days, clock)


def prune(session: Session, days: int, now: Optional[datetime.datetime] = None) -> int:
    """Delete entries older than ``days`` days (none when ``days`` is 0) in the caller's
    transaction, and record how many went. On PostgreSQL a transaction that finds another one
    pruning skips: deleting the same rows in two transactions could deadlock."""
    if days <= 0:
        return 0
    if session.get_bind().dialect.name == "postgresql" and not session.execute(
            sa.text("SELECT pg_try_advisory_xact_lock(:ns, :key)"), dict(zip(("ns", "key"), PRUNE_LOCK))).scalar():
        return 0
    cutoff = (now or models.utcnow()) - datetime.timedelta(days=days)
    deleted = session.execute(sa.delete(models.AuditEntry).where(models.AuditEntry.at < cutoff)
                              .execution_options(synchronize_session=False)).rowcount
    if deleted:
        session.add(models.AuditEntry(at=models.utcnow(), actor=SYSTEM, action="audit.prune", after={
            "deleted": deleted, "older_than": cutoff.isoformat(), "retention_days": days}))
    return deleted
