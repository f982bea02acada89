"""The database: engines and sessions, Alembic migrations and their command, bulk writes, and the
locks that keep two syncs of one service apart.

This package imports :mod:`magpie.models` and :mod:`magpie.config` only; every domain package
reaches the database through it.
"""
from magpie.db.bulk import allocate_ids, bulk_insert
from magpie.db.engine import (
    dispose_engine, dispose_engines, get_db_session_from_settings, get_engine, get_session_factory, get_tm_session,
    includeme,
)
from magpie.db.locks import ADVISORY_LOCK_NAMESPACE, SyncAlreadyRunning, hold_sync_lock, is_sync_locked, sync_lock
from magpie.db.migrations import head_revision, is_database_ready, migrate, migrate_main

__all__ = [
    "ADVISORY_LOCK_NAMESPACE", "SyncAlreadyRunning", "allocate_ids", "bulk_insert", "dispose_engine",
    "dispose_engines", "get_db_session_from_settings", "get_engine", "get_session_factory", "get_tm_session",
    "head_revision", "hold_sync_lock", "includeme", "is_database_ready", "is_sync_locked", "migrate", "migrate_main",
    "sync_lock",
]
