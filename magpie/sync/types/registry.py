"""The sync types by name: the built-in ones, then third-party classes published under the entry
point group ``magpie.sync_services``, loaded once under a lock so that concurrent first lookups
(``--jobs``, request threads) all see the plugins."""
import logging
import threading
from importlib.metadata import entry_points
from typing import Iterator, Mapping, Type

from magpie.sync.types.base import SyncServiceInterface
from magpie.sync.types.geoserver import SyncGeoserverAPI
from magpie.sync.types.ows import SyncWFS, SyncWMS, SyncWPS
from magpie.sync.types.project_api import SyncProjectAPI
from magpie.sync.types.stac import SyncSTAC
from magpie.sync.types.thredds import SyncThredds

LOGGER = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "magpie.sync_services"

BUILTIN_SYNC_TYPES = (SyncThredds, SyncGeoserverAPI, SyncProjectAPI, SyncWPS, SyncWMS, SyncWFS, SyncSTAC)


class SyncTypeRegistry(Mapping):
    """Read-only mapping of sync type names to classes: built-ins, then entry points (loaded once).

    Looking up a name that does not exist raises ``KeyError`` and never adds it.
    """

    def __init__(self, builtins=BUILTIN_SYNC_TYPES, group: str = ENTRY_POINT_GROUP):
        self._types = {cls.sync_type: cls for cls in builtins}
        self._group = group
        self._loaded = False
        self._lock = threading.Lock()

    def _load_entry_points(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if not self._loaded:
                self._add_entry_points()
                self._loaded = True  # only now: a concurrent lookup waits on the lock meanwhile

    def _add_entry_points(self) -> None:
        for entry_point in entry_points(group=self._group):
            try:
                cls = entry_point.load()
            except Exception:  # a broken plugin must not take the built-in types down with it
                LOGGER.exception("cannot load sync type %r from %s", entry_point.name, entry_point.value)
                continue
            if not (isinstance(cls, type) and issubclass(cls, SyncServiceInterface)):
                LOGGER.error("entry point %r is not a SyncServiceInterface subclass", entry_point.name)
                continue
            self._types.setdefault(entry_point.name, cls)

    def __getitem__(self, name: str) -> Type[SyncServiceInterface]:
        self._load_entry_points()
        return self._types[name]

    def __iter__(self) -> Iterator[str]:
        self._load_entry_points()
        return iter(dict(self._types))

    def __len__(self) -> int:
        self._load_entry_points()
        return len(self._types)

    def register(self, cls: Type[SyncServiceInterface]) -> None:
        """Add a sync type at run time (tests, embedding applications)."""
        self._types[cls.sync_type] = cls

    def unregister(self, name: str) -> None:
        """Remove a sync type added with :meth:`register`."""
        self._types.pop(name, None)


SYNC_SERVICES_TYPES = SyncTypeRegistry()


def get_sync_type(name: str) -> Type[SyncServiceInterface]:
    """The class for ``name``, or ValueError listing the known names."""
    try:
        return SYNC_SERVICES_TYPES[name]
    except KeyError:
        raise ValueError(f"unknown sync type {name!r}; known: {', '.join(sorted(SYNC_SERVICES_TYPES))}") from None
