"""What every sync type is: a class that reads one remote service as a resource tree."""
import abc
import contextlib
import time
from typing import Dict, Mapping, Optional, Sequence

from magpie.gc_pause import gc_paused
from magpie.sync.config import ConfigField, SyncConfig
from magpie.sync.remote.auth import Credentials
from magpie.sync.remote.http import HttpClient, HttpLimits, RemoteError, origin_of
from magpie.sync.tree import Path, RemoteTree, mark_unverified


class SyncServiceInterface(abc.ABC):
    """Reads the remote tree of one service.

    ``configuration`` is the service's JSON configuration, parsed once into :attr:`config`
    (:class:`~magpie.sync.config.SyncConfig`: depth, limits, origins); a configuration that does
    not parse raises :class:`~magpie.errors.InvalidInput`, a ValueError.
    """

    sync_type: str = ""
    #: Depth below the service node that a sync looks at; None: the whole tree.
    max_depth: Optional[int] = None
    #: Configuration keys of this sync type beyond those of :data:`magpie.sync.config.FIELDS`.
    config_fields: Sequence[ConfigField] = ()
    #: What the crawl sends to the service's origin and its allowed origins (set by the runner).
    credentials: Optional[Credentials] = None

    def __init__(self, service_name: str, url: str, configuration: Optional[Mapping] = None):
        self.service_name = service_name
        self.url = url
        self.config = self.parse_configuration(configuration)
        self.max_depth = self.config.depth(type(self).max_depth)
        self.problems: list = []
        #: Parts of the remote tree that could not be read (path below the service -> reason):
        #: their stored nodes are kept unverified instead of looking deleted.
        self.unread: Dict[Path, str] = {}

    @classmethod
    def parse_configuration(cls, configuration: Optional[Mapping]) -> SyncConfig:
        """The typed configuration of a service of this sync type (InvalidInput when unusable)."""
        return SyncConfig.parse(configuration, cls.config_fields)

    @classmethod
    def effective_max_depth(cls, configuration: Optional[Mapping] = None) -> Optional[int]:
        """The depth a service with this configuration is synced to."""
        return cls.parse_configuration(configuration).depth(cls.max_depth)

    def http_client(self) -> HttpClient:
        """One pooled HTTP session for the whole sync, bounded by the service's configuration."""
        config = self.config
        origins = {origin_of(self.url)} | {origin_of(origin) for origin in config.allowed_origins}
        return HttpClient(limits=HttpLimits.of(config), allowed_origins=origins,
                          deadline=time.monotonic() + config.time_budget,
                          credentials=self.credentials, credential_origins=origins)

    def new_tree(self) -> RemoteTree:
        return RemoteTree(self.max_depth, self.config.max_nodes)

    def not_read(self, path: Path, reason: str) -> None:
        """Record that what lies below ``path`` could not be read this time (also a problem)."""
        self.problems.append(reason)
        self.unread.setdefault(tuple(path), reason)

    def service_tree(self, children: dict) -> dict:
        """Wrap the service's children under its main node, the shape every sync type returns."""
        return {self.service_name: {"children": children, "resource_type": "service",
                                    "resource_display_name": self.service_name}}

    def get_resources(self, pause_gc: bool = False) -> dict:
        """The remote tree ``{service_name: {"children": {...}, ...}}``; raises
        :class:`~magpie.sync.remote.http.RemoteError` when the service cannot be read, or when
        a part of it cannot and the configuration says ``fail_on_partial``. Nodes below which
        something could not be read carry :data:`~magpie.sync.tree.UNVERIFIED`.

        The collector is paused around building the tree only (see :mod:`magpie.gc_pause`), or
        for the whole crawl with ``pause_gc``: a process that does nothing but sync (the cron
        command) saves the collector's passes over the growing tree between documents, a fifth
        of a million-node sync; a web process must not, its request threads share the pause."""
        with self.http_client() as http, (gc_paused() if pause_gc else contextlib.nullcontext()):
            tree = self.service_tree(self.get_children(http))
        if self.unread and self.config.fail_on_partial:
            raise RemoteError(self.url, f"{len(self.unread)} part(s) of the remote tree could not be read "
                                        f"(fail_on_partial): {next(iter(self.unread.values()))}")
        main = tree[self.service_name]
        for path, reason in self.unread.items():
            mark_unverified(main, path, reason)
        return tree

    @abc.abstractmethod
    def get_children(self, http: HttpClient) -> dict:
        """The children of the service node, read with ``http``."""
