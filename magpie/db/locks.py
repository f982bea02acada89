"""One sync per service at a time, across threads, processes and hosts.

PostgreSQL: a session advisory lock, freed by the server if the process dies. SQLite: a committed
row of ``sync_locks`` naming its holder, which beats while it lives; taken over once it is gone.
"""
import contextlib
import logging
import os
import socket
import threading
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from magpie import models

LOGGER = logging.getLogger(__name__)

#: First key of PostgreSQL advisory locks taken by syncs ("mg"), the second is the service id.
ADVISORY_LOCK_NAMESPACE = 0x6D67


class SyncAlreadyRunning(RuntimeError):
    """Another process or thread holds the sync lock of this service."""

    def __init__(self, service_id: int, holder: str = ""):
        self.service_id = service_id
        detail = f" (held by {holder})" if holder else ""
        super().__init__(f"sync already running for service {service_id}{detail}")


def _lock_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class _AdvisoryLock:
    """PostgreSQL session advisory lock on a connection of its own: the server frees it if the
    process dies."""

    def __init__(self, engine: Engine, service_id: int):
        self.service_id = service_id
        self.connection = engine.connect()
        try:
            acquired = self.connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:ns, :sid)"),
                {"ns": ADVISORY_LOCK_NAMESPACE, "sid": service_id},
            ).scalar()
            self.connection.commit()
        except BaseException:
            self.connection.close()
            raise
        if not acquired:
            self.connection.close()
            raise SyncAlreadyRunning(service_id)

    def release(self) -> None:
        try:
            self.connection.execute(sa.text("SELECT pg_advisory_unlock(:ns, :sid)"),
                                    {"ns": ADVISORY_LOCK_NAMESPACE, "sid": self.service_id})
            self.connection.commit()
        finally:
            self.connection.close()


#: Seconds between two heartbeats of a SQLite lock row's holder.
HEARTBEAT_INTERVAL = 5.0
#: A holder that has not beaten for this long is gone (a frozen process, or one on another host
#: that died), even if its process id still answers.
HEARTBEAT_STALE = 60.0


def _holder_is_gone(owner: str, heartbeat, now) -> bool:
    """Whether the holder of a lock row is gone: its process (on this host) or its thread (in
    this process) no longer exists, or it stopped beating."""
    host, _, rest = owner.partition(":")
    pid_text, _, thread_text = rest.partition(":")
    if host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid():
            if thread_text.isdigit() and int(thread_text) not in {t.ident for t in threading.enumerate()}:
                return True
        else:
            try:
                os.kill(pid, 0)  # signal 0: only asks whether the process exists
            except ProcessLookupError:
                return True
            except PermissionError:  # it exists, under another user
                pass
    return (now - heartbeat).total_seconds() > HEARTBEAT_STALE


class _RowLock:
    """A committed row of ``sync_locks`` (SQLite) naming its holder (host, process, thread),
    which beats every :data:`HEARTBEAT_INTERVAL` seconds from a thread of its own. A row whose
    holder is gone is taken over at once; a live holder keeps it."""

    def __init__(self, engine: Engine, service_id: int):
        self.engine = engine
        self.service_id = service_id
        self.owner = _lock_owner()
        table = models.SyncLock.__table__
        now = models.utcnow()
        with engine.begin() as connection:
            row = connection.execute(sa.select(table.c.owner, table.c.acquired_at, table.c.heartbeat)
                                     .where(table.c.service_id == service_id)).first()
            if row is not None:
                if not _holder_is_gone(row.owner, row.heartbeat or row.acquired_at, now):
                    raise SyncAlreadyRunning(service_id, row.owner)
                LOGGER.warning("taking over the sync lock of service %s: its holder %s is gone", service_id, row.owner)
                connection.execute(table.delete().where(table.c.service_id == service_id))
            try:
                connection.execute(table.insert().values(service_id=service_id, owner=self.owner,
                                                         acquired_at=now, heartbeat=now))
            except sa.exc.IntegrityError:
                raise SyncAlreadyRunning(service_id) from None
        self._stopped = threading.Event()
        self._beater = threading.Thread(target=self._beat, name=f"sync-lock-{service_id}", daemon=True)
        self._beater.start()

    def _beat(self) -> None:
        table = models.SyncLock.__table__
        while not self._stopped.wait(HEARTBEAT_INTERVAL):
            try:
                with self.engine.begin() as connection:
                    connection.execute(table.update().where(table.c.service_id == self.service_id,
                                                            table.c.owner == self.owner)
                                       .values(heartbeat=models.utcnow()))
            except sa.exc.SQLAlchemyError as exc:  # the sync's own write may hold the database
                LOGGER.debug("sync lock heartbeat of service %s skipped: %s", self.service_id, exc)

    def release(self) -> None:
        self._stopped.set()
        self._beater.join()
        table = models.SyncLock.__table__
        with self.engine.begin() as connection:
            connection.execute(table.delete().where(table.c.service_id == self.service_id,
                                                    table.c.owner == self.owner))


def hold_sync_lock(session: Session, service_id: int) -> None:
    """Take the sync lock of one service until ``session``'s transaction ends, or raise
    :class:`SyncAlreadyRunning` at once.

    The lock lives on its own connection so that it covers the remote crawl without holding the
    database's write lock, and it is released only after the caller commits or rolls back, so the
    next sync reads the tree this one wrote. PostgreSQL: a session advisory lock. SQLite: a row of
    ``sync_locks``. Call it before the session writes anything (SQLite has one writer at a time).
    A session that already holds the lock of ``service_id`` keeps it (two syncs of one service in
    one transaction run one after the other, on both databases).
    """
    engine = session.get_bind()
    connection = session.connection()  # begin now, so that the transaction manager knows the session
    if any(lock.service_id == service_id for lock in session.info.get("magpie_sync_locks") or ()):
        return
    if engine.dialect.name == "postgresql":
        lock = _AdvisoryLock(engine, service_id)
    elif connection.connection.driver_connection.in_transaction:
        # This session already holds SQLite's single write lock: no other sync can write until it
        # commits, and a lock row written from another connection would wait for it forever.
        return
    else:
        lock = _RowLock(engine, service_id)
    held = session.info.get("magpie_sync_locks")
    if held is None:
        held = session.info["magpie_sync_locks"] = []
        sa.event.listen(session, "after_transaction_end", _release_held_locks)
    held.append(lock)


def _release_held_locks(session: Session, session_transaction) -> None:
    if session_transaction.parent is not None:
        return
    held = session.info.get("magpie_sync_locks") or []
    while held:
        lock = held.pop()
        try:
            lock.release()
        except Exception:  # a release failure must not hide the outcome of the sync
            LOGGER.exception("cannot release the sync lock of service %s", lock.service_id)


@contextlib.contextmanager
def sync_lock(engine: Engine, service_id: int) -> Iterator[None]:
    """Hold the sync lock of one service for a block (a background job's crawl and its write) on a
    connection of its own, with no transaction left open meanwhile; :class:`SyncAlreadyRunning`
    at once when another sync holds it. The same lock as :func:`hold_sync_lock`."""
    lock = _AdvisoryLock(engine, service_id) if engine.dialect.name == "postgresql" else _RowLock(engine, service_id)
    try:
        yield
    finally:
        lock.release()


def is_sync_locked(engine: Engine, service_id: int) -> bool:
    """Whether a live sync holds the lock of the service now (without taking it), so that a dead
    worker's run tells from a slow one: PostgreSQL frees the advisory lock of a process that died;
    on SQLite a row whose holder is gone does not count."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return connection.execute(sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = :ns AND objid = :sid AND objsubid = 2)"),
                {"ns": ADVISORY_LOCK_NAMESPACE, "sid": service_id}).scalar()
        table = models.SyncLock.__table__
        row = connection.execute(sa.select(table.c.owner, table.c.acquired_at, table.c.heartbeat)
                                 .where(table.c.service_id == service_id)).first()
        return row is not None and not _holder_is_gone(row.owner, row.heartbeat or row.acquired_at, models.utcnow())
