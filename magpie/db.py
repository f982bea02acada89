"""Database access: engines, sessions joined to ``transaction``, migrations and sync locks.

Engines are cached per URL so that every caller in a process shares one connection pool.
"""
import argparse
import functools
import logging
import os
import socket
import sys
import threading
from typing import Iterable, Mapping, Optional, Sequence

import sqlalchemy as sa
import transaction
import zope.sqlalchemy
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from magpie import models

LOGGER = logging.getLogger(__name__)

_ENGINES: dict = {}
_ENGINES_LOCK = threading.Lock()

#: First key of PostgreSQL advisory locks taken by syncs ("mg"), the second is the service id.
ADVISORY_LOCK_NAMESPACE = 0x6D67


class SyncAlreadyRunning(RuntimeError):
    """Another process or thread holds the sync lock of this service."""

    def __init__(self, service_id: int, holder: str = ""):
        self.service_id = service_id
        detail = f" (held by {holder})" if holder else ""
        super().__init__(f"sync already running for service {service_id}{detail}")


def _sqlite_on_connect(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine(settings: Mapping[str, object]) -> Engine:
    """The engine for ``settings["sqlalchemy.url"]``, created once per URL."""
    url = settings.get("sqlalchemy.url")
    if not url:
        raise ValueError("setting 'sqlalchemy.url' is missing")
    url = str(url)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            kwargs = {"future": True, "pool_pre_ping": True}
            if url.startswith("sqlite"):
                # Wait for the write lock instead of failing at once; syncs of several services
                # and the web app share one file.
                kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
            engine = sa.create_engine(url, **kwargs)
            if engine.dialect.name == "sqlite":
                sa.event.listen(engine, "connect", _sqlite_on_connect)
            _ENGINES[url] = engine
    return engine


def dispose_engine(url: str) -> None:
    """Close and forget the engine of one URL."""
    with _ENGINES_LOCK:
        engine = _ENGINES.pop(str(url), None)
    if engine is not None:
        engine.dispose()


def dispose_engines() -> None:
    """Close every cached pool (tests and forked workers)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def get_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_tm_session(session_factory: sessionmaker, transaction_manager: transaction.TransactionManager) -> Session:
    """A session whose commit and rollback belong to ``transaction_manager`` (pyramid_tm's or
    the cron's own)."""
    session = session_factory()
    zope.sqlalchemy.register(session, transaction_manager=transaction_manager)
    return session


def get_db_session_from_settings(
    settings: Mapping[str, object],
    transaction_manager: Optional[transaction.TransactionManager] = None,
) -> Session:
    """A session for ``settings["sqlalchemy.url"]`` joined to ``transaction_manager`` (by default the
    thread's ``transaction.manager``): commit with ``transaction.commit()`` or ``with manager:``."""
    engine = get_engine(settings)
    return get_tm_session(get_session_factory(engine), transaction_manager or transaction.manager)


# --- migrations -------------------------------------------------------------------------------

def _alembic_config(settings: Mapping[str, object]):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", os.path.join(os.path.dirname(__file__), "alembic"))
    # ConfigParser interpolation would choke on '%' in passwords of the URL.
    config.set_main_option("sqlalchemy.url", str(settings["sqlalchemy.url"]).replace("%", "%%"))
    return config


def migrate(settings: Mapping[str, object]) -> None:
    """Bring the database of ``settings`` to the newest schema."""
    from alembic import command

    config = _alembic_config(settings)
    engine = get_engine(settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@functools.lru_cache(maxsize=1)
def _head_revision() -> str:
    """The newest migration shipped with this code: read once, since /health asks on every call."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config({"sqlalchemy.url": ""})).get_current_head()


def is_database_ready(settings: Mapping[str, object]) -> bool:
    """True when the database answers and is at the newest schema."""
    from alembic.runtime.migration import MigrationContext

    try:
        with get_engine(settings).connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except sa.exc.SQLAlchemyError as exc:
        LOGGER.warning("database not ready: %s", exc)
        return False
    return current == _head_revision()


def migrate_main(argv=None) -> int:
    """``magpie-migrate``: upgrade the database named by ``--db`` or the ini file."""
    from magpie.settings import SettingsError, settings_from_cli

    parser = argparse.ArgumentParser(prog="magpie-migrate", description=migrate_main.__doc__)
    parser.add_argument("config", nargs="?", help="ini file holding sqlalchemy.url")
    parser.add_argument("--db", help="database URL (wins over the ini file)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        settings = settings_from_cli(args.db, args.config)
        migrate(settings)
    except (SettingsError, sa.exc.SQLAlchemyError) as exc:
        print(f"magpie-migrate: {exc}", file=sys.stderr)
        return 2
    LOGGER.info("database is at revision %s", _head_revision())
    return 0


# --- sync locks -------------------------------------------------------------------------------

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


class _RowLock:
    """A committed row of ``sync_locks`` (SQLite), taken over once older than ``stale_after``."""

    def __init__(self, engine: Engine, service_id: int, stale_after: float):
        self.engine = engine
        self.service_id = service_id
        self.owner = _lock_owner()
        table = models.SyncLock.__table__
        now = models.utcnow()
        with engine.begin() as connection:
            row = connection.execute(sa.select(table.c.owner, table.c.acquired_at)
                                     .where(table.c.service_id == service_id)).first()
            if row is not None:
                if (now - row.acquired_at).total_seconds() < stale_after:
                    raise SyncAlreadyRunning(service_id, row.owner)
                LOGGER.warning("taking over the stale sync lock of service %s held by %s", service_id, row.owner)
                connection.execute(table.delete().where(table.c.service_id == service_id))
            try:
                connection.execute(table.insert().values(service_id=service_id, owner=self.owner,
                                                         acquired_at=now))
            except sa.exc.IntegrityError:
                raise SyncAlreadyRunning(service_id) from None

    def release(self) -> None:
        table = models.SyncLock.__table__
        with self.engine.begin() as connection:
            connection.execute(table.delete().where(table.c.service_id == self.service_id,
                                                    table.c.owner == self.owner))


def hold_sync_lock(session: Session, service_id: int, stale_after: float = 3600.0) -> None:
    """Take the sync lock of one service until ``session``'s transaction ends, or raise
    :class:`SyncAlreadyRunning` at once.

    The lock lives on its own connection so that it covers the remote crawl without holding the
    database's write lock, and it is released only after the caller commits or rolls back, so the
    next sync reads the tree this one wrote. PostgreSQL: a session advisory lock. SQLite: a row of
    ``sync_locks``. Call it before the session writes anything (SQLite has one writer at a time).
    """
    engine = session.get_bind()
    connection = session.connection()  # begin now, so that the transaction manager knows the session
    if engine.dialect.name == "postgresql":
        lock = _AdvisoryLock(engine, service_id)
    elif connection.connection.driver_connection.in_transaction:
        # This session already holds SQLite's single write lock: no other sync can write until it
        # commits, and a lock row written from another connection would wait for it forever.
        return
    else:
        lock = _RowLock(engine, service_id, stale_after)
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


# --- bulk id allocation -----------------------------------------------------------------------

def allocate_ids(session: Session, table: sa.Table, count: int) -> Sequence[int]:
    """Reserve ``count`` consecutive-or-not primary keys of ``table`` before a bulk insert, so rows
    can reference their parents without one round trip per row.

    PostgreSQL draws them from the table's sequence in one statement; SQLite takes them above the
    current maximum, which is safe because the caller already holds SQLite's write lock.
    """
    if count <= 0:
        return range(0)
    pk = list(table.primary_key.columns)[0]
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        sequence = session.execute(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": pk.name},
        ).scalar()
        return session.execute(
            sa.text("SELECT nextval(:seq) FROM generate_series(1, :n)"), {"seq": sequence, "n": count}
        ).scalars().all()
    start = (session.execute(sa.select(sa.func.max(pk))).scalar() or 0) + 1
    return range(start, start + count)


# --- pyramid ----------------------------------------------------------------------------------

def includeme(config) -> None:
    """``request.dbsession``: a session per request, committed or aborted by pyramid_tm."""
    import pyramid_tm

    settings = config.get_settings()
    settings.setdefault("tm.manager_hook", pyramid_tm.explicit_manager)
    config.include("pyramid_tm")
    factory = get_session_factory(get_engine(settings))
    config.registry["dbsession_factory"] = factory

    def dbsession(request):
        return get_tm_session(factory, request.tm)

    config.add_request_method(dbsession, "dbsession", reify=True)


def bulk_insert(session: Session, table: sa.Table, columns: Sequence[str], rows: Iterable[tuple],
                chunk: int = 5000) -> None:
    """Insert many rows at the driver's speed, in the session's transaction.

    A sync may insert a million rows: SQLAlchemy's per-row parameter processing would cost more
    than the database itself. PostgreSQL gets COPY, SQLite a plain executemany; rows are consumed
    ``chunk`` at a time so they never all sit in memory.
    """
    connection = session.connection()
    column_list = ", ".join(columns)
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        statement = f"COPY {table.name} ({column_list}) FROM STDIN"
        cursor = connection.connection.driver_connection.cursor()
        dbapi = connection.dialect.loaded_dbapi
        try:
            with cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except dbapi.Error as exc:
            # COPY goes to the driver directly: wrap its errors the way SQLAlchemy wraps those of
            # the statements it runs, so callers catch every database error as one kind.
            raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi.Error, dialect=connection.dialect) from exc
    elif connection.dialect.name == "sqlite":
        statement = f"INSERT INTO {table.name} ({column_list}) VALUES ({', '.join('?' * len(columns))})"
        batch: list = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                connection.exec_driver_sql(statement, batch)
                batch = []
        if batch:
            connection.exec_driver_sql(statement, batch)
    else:
        insert = table.insert()
        batch = []
        for row in rows:
            batch.append(dict(zip(columns, row)))
            if len(batch) >= chunk:
                connection.execute(insert, batch)
                batch = []
        if batch:
            connection.execute(insert, batch)
    zope.sqlalchemy.mark_changed(session)
