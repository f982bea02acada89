"""Sync types: how to read what one kind of remote service exposes, as a resource tree.

A sync type is a :class:`SyncServiceInterface` subclass with a ``sync_type`` name, a ``max_depth``
and ``get_children()``; :data:`SYNC_SERVICES_TYPES` maps names to classes, third-party ones
included. Each built-in type has a module of its own, beside the parsers of its documents.
"""
from magpie.sync.types.base import SyncServiceInterface
from magpie.sync.types.geoserver import SyncGeoserverAPI
from magpie.sync.types.ows import SyncOwsCapabilities, SyncWFS, SyncWMS, SyncWPS
from magpie.sync.types.project_api import SyncProjectAPI
from magpie.sync.types.registry import (
    BUILTIN_SYNC_TYPES, ENTRY_POINT_GROUP, SYNC_SERVICES_TYPES, SyncTypeRegistry, get_sync_type,
)
from magpie.sync.types.stac import SyncSTAC
from magpie.sync.types.thredds import SyncThredds

__all__ = [
    "BUILTIN_SYNC_TYPES", "ENTRY_POINT_GROUP", "SYNC_SERVICES_TYPES", "SyncGeoserverAPI", "SyncOwsCapabilities",
    "SyncProjectAPI", "SyncSTAC", "SyncServiceInterface", "SyncThredds", "SyncTypeRegistry", "SyncWFS",
    "SyncWMS", "SyncWPS", "get_sync_type",
]
