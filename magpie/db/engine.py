"""Engines and sessions: one pool per database URL, sessions joined to ``transaction``.

Engines are cached per URL so that every caller in a process shares one connection pool.
"""
import threading
from typing import Mapping, Optional

import sqlalchemy as sa
import transaction
import zope.sqlalchemy
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

_ENGINES: dict = {}
_ENGINES_LOCK = threading.Lock()

#: A SQL function on SQLite connections: Python's ``str.lower``. SQLite's own ``lower()`` and
#: ``LIKE`` fold the case of ASCII letters only, so a filter for "MONTRÉAL" would miss
#: "Montréal"; queries call it only for such needles (a Python call per row costs).
SQLITE_LOWER = "magpie_lower"


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _sqlite_on_connect(dbapi_connection, _record):
    dbapi_connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)
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


