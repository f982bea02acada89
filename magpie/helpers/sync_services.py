"""Sync types: how to read what one kind of remote service exposes, as a resource tree.

The seed contract's companion: :class:`SyncServiceInterface`, the registry
:data:`SYNC_SERVICES_TYPES` (third-party classes come from the entry point group
``magpie.sync_services``) and :func:`is_valid_resource_schema` are importable here; they live in
:mod:`magpie.sync.types` and :mod:`magpie.sync.merge`.
"""
from magpie.sync.merge import is_valid_resource_schema
from magpie.sync.types import (
    BUILTIN_SYNC_TYPES, ENTRY_POINT_GROUP, SYNC_SERVICES_TYPES, SyncGeoserverAPI, SyncOwsCapabilities,
    SyncProjectAPI, SyncServiceInterface, SyncSTAC, SyncThredds, SyncTypeRegistry, SyncWFS, SyncWMS, SyncWPS,
    get_sync_type,
)

__all__ = [
    "BUILTIN_SYNC_TYPES", "ENTRY_POINT_GROUP", "SYNC_SERVICES_TYPES", "SyncGeoserverAPI", "SyncOwsCapabilities",
    "SyncProjectAPI", "SyncSTAC", "SyncServiceInterface", "SyncThredds", "SyncTypeRegistry", "SyncWFS",
    "SyncWMS", "SyncWPS", "get_sync_type", "is_valid_resource_schema",
]
