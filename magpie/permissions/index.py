"""The in-memory index decisions are answered from, one per database engine, never stale.

Why not a cache with a lifetime (Magpie's answer, 5 seconds): it answers with revoked access
until it expires. The index instead knows the access-control version it was built at
(:mod:`magpie.audit` bumps it in the transaction of every change) and a decision is answered
from it only when that is still the committed version:

- ``strict`` (the default): each decision reads the committed version (SQLite: a few
  microseconds on a per-thread connection; PostgreSQL: one round trip, shared by the threads
  that asked while it was on its way). Every change committed before the decision began is in
  its answer.
- ``notify`` (PostgreSQL): decisions trust the notifications of the LISTEN thread, taking in
  those already on its socket, and read the version only while the listener is not connected.
  A change is in the answer once its notification has reached this process, typically within a
  millisecond of the commit (``bench/permissions_benchmark.py`` prints the distribution).
  SQLite has no notifications and is always strict.

On PostgreSQL the LISTEN thread also rebuilds the index as soon as a change commits, so the next
decision rarely pays for it. A rebuild reads one snapshot: permissions and memberships in two
statements at most (a grant: the permissions of its resource), and the tree of a service only when
the audit entries since the last build say that its resources may have changed
(:mod:`~magpie.permissions.index_changes`).
"""
import collections
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from magpie.accounts.groups import SpecialGroups
from magpie.permissions.index_changes import AuditCursor, Changes, read_changes, start_cursor
from magpie.permissions.index_load import AclData, ServiceTree, load_acl, load_tree, update_acl
from magpie.permissions.index_watch import Listener, PostgresSource, SqliteSource
from magpie.permissions.resolution import Level, Principal

LOGGER = logging.getLogger(__name__)

STRICT, NOTIFY = "strict", "notify"
FRESHNESS_MODES = (STRICT, NOTIFY)
_ABANDONED: List[object] = []  # kept, never closed: a forked child must not close its parent's connections


@dataclass
class IndexState:
    """One consistent picture at ``version``; replaced whole, never changed but for its caches."""
    version: Optional[int]
    acl: AclData
    trees: Dict[int, ServiceTree]
    chains: Dict[int, Tuple[Level, ...]] = field(default_factory=dict)
    groups: Dict[tuple, Tuple[Principal, ...]] = field(default_factory=dict)

    def chain(self, tree: ServiceTree, resource_id: int) -> Tuple[Level, ...]:
        """The resource, then those of its ancestors that carry permissions, up to the service
        (ancestors without any cannot decide, so resolution need not visit them)."""
        chain = self.chains.get(resource_id)
        if chain is None:
            applied, parents = self.acl.applied, tree.parent
            levels = [Level(resource_id, applied.get(resource_id, ()))]
            ancestor = parents.get(resource_id)
            while ancestor is not None:
                found = applied.get(ancestor)
                if found:
                    levels.append(Level(ancestor, found))
                ancestor = parents.get(ancestor)
            chain = self.chains[resource_id] = tuple(levels)
        return chain

    def groups_of(self, special: SpecialGroups, user_id: Optional[int]) -> Tuple[Principal, ...]:
        """The groups a user counts in: its memberships, the users group when signed in, and
        the anonymous group always, whether or not a membership row says so."""
        key = (special, user_id)
        groups = self.groups.get(key)
        if groups is None:
            names = self.acl.group_names
            ids = [] if user_id is None else list(self.acl.groups_of.get(user_id, ()))
            by_name = {name: group_id for group_id, name in names.items()}
            for implied in ((special.anonymous,) if user_id is None else (special.users, special.anonymous)):
                if implied in by_name and by_name[implied] not in ids:
                    ids.append(by_name[implied])
            groups = self.groups[key] = tuple(
                Principal("group", group_id, names[group_id], special.kind_of(names[group_id]))
                for group_id in ids if group_id in names)
        return groups


class AclIndex:
    """The index of one engine; :func:`get_index` gives it. Thread-safe."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.pid = os.getpid()
        self.freshness = STRICT
        self.source = PostgresSource(engine) if engine.dialect.name == "postgresql" else SqliteSource(engine)
        self.listener: Optional[Listener] = None
        #: (version, time.monotonic()) of the latest rebuilds, for benchmarks and diagnostics
        self.refreshes: collections.deque = collections.deque(maxlen=100_000)
        self._state: Optional[IndexState] = None
        self._cursor: Optional[AuditCursor] = None
        self._notified: Optional[int] = None
        self._lock = threading.RLock()

    @property
    def state(self) -> Optional[IndexState]:
        """The latest state built (None before the first decision); for diagnostics and tests."""
        return self._state

    # --- freshness --------------------------------------------------------------------------

    def configure(self, freshness: str) -> None:
        if freshness not in FRESHNESS_MODES:
            raise ValueError(f"freshness must be one of {', '.join(FRESHNESS_MODES)}, got {freshness!r}")
        self.freshness = freshness

    def current(self) -> IndexState:
        """The state to answer a decision that begins now from (rebuilt first when stale)."""
        state = self._state
        if self.source.dialect == "postgresql":
            listener = self.listener or self._start_listener()
            if self.freshness == NOTIFY and listener.connected:
                listener.poll()
                notified = self._notified
                if state is not None and notified is not None and state.version is not None \
                        and notified <= state.version:
                    return state
                return self.refresh()
        version = self.source.committed_version()
        if state is not None and version is not None and version == state.version:
            return state
        return self.refresh()

    def tree(self, state: IndexState, service_id: int) -> Tuple[IndexState, Optional[ServiceTree]]:
        """The service's tree in ``state``, loaded at the same version when it is not yet."""
        tree = state.trees.get(service_id)
        if tree is None:
            state = self.refresh(service_id)
            tree = state.trees.get(service_id)
        return state, tree

    def refresh(self, need_service: Optional[int] = None) -> IndexState:
        """Bring the index to the committed version in one snapshot; reloads permissions and
        memberships, and the trees the audit log says changed."""
        with self._lock:
            with self.source.snapshot() as reader:
                version = reader.version()
                old = self._state
                same = old is not None and version is not None and version == old.version
                if same and (need_service is None or need_service in old.trees):
                    return old
                if same:
                    trees = dict(old.trees)
                    tree = load_tree(reader, need_service)
                    if tree is not None:
                        trees[need_service] = tree
                    state, cursor = IndexState(version, old.acl, trees, old.chains, old.groups), self._cursor
                else:
                    state, cursor = self._rebuild(reader, old, version, need_service)
            self._state, self._cursor = state, cursor  # both or neither: a failed rebuild reads it all again
            if not same:
                self.refreshes.append((version, time.monotonic()))
            return state

    def _rebuild(self, reader, old: Optional[IndexState], version: Optional[int],
                 need_service: Optional[int]) -> Tuple[IndexState, AuditCursor]:
        if old is None or self._cursor is None:
            cursor, changes = start_cursor(reader), Changes().everything()
        else:
            moved = version - old.version if version is not None and old.version is not None else -1
            cursor, changes = read_changes(reader, self._cursor, moved if moved >= 0 else None)
        wanted = set(old.trees) if old is not None else set()
        if need_service is not None:
            wanted.add(need_service)
        trees = {}
        for service_id in sorted(wanted):
            kept = old.trees.get(service_id) if old is not None and changes.trees is not None \
                and service_id not in changes.trees else None
            tree = kept or load_tree(reader, service_id)
            if tree is not None:
                trees[service_id] = tree
        if old is None or changes.resources is None:
            acl = load_acl(reader)
        else:
            acl = update_acl(reader, old.acl, changes.resources, changes.names)
        return IndexState(version, acl, trees), cursor

    def _start_listener(self) -> Listener:
        with self._lock:
            if self.listener is None:
                self.listener = Listener(self.engine, self._heard, self._listening, self._refresh_if_stale).start()
            return self.listener

    def _listening(self) -> None:
        """The LISTEN is active: what was committed before it is in the version read now."""
        self._notified = self.source.committed_version()
        self._refresh_if_stale()

    def _heard(self, version: Optional[int]) -> None:
        notified = self._notified
        self._notified = None if version is None else version if notified is None else max(notified, version)

    def _refresh_if_stale(self) -> None:
        state, notified = self._state, self._notified
        if state is not None and (notified is None or state.version is None or notified > state.version):
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - the next decision rebuilds (and reports) it
                LOGGER.warning("access-control index rebuild failed", exc_info=True)

    def close(self) -> None:
        """Stop the listener and close the index's own connections (not in a forked child,
        whose connections are its parent's)."""
        if self.pid != os.getpid():
            _ABANDONED.append(self)
            return
        if self.listener is not None:
            self.listener.stop()
        self.source.close()


_INDEXES: Dict[int, AclIndex] = {}
_INDEXES_LOCK = threading.Lock()


def _after_fork() -> None:
    """A forked child starts without indexes: its parent's connections and threads are not its."""
    _ABANDONED.extend(_INDEXES.values())
    _INDEXES.clear()


os.register_at_fork(after_in_child=_after_fork)


def get_index(engine: Engine) -> AclIndex:
    """The index of ``engine``, created on first use; forgotten when the engine is disposed."""
    index = _INDEXES.get(id(engine))
    if index is not None and index.engine is engine:
        return index
    with _INDEXES_LOCK:
        index = _INDEXES.get(id(engine))
        if index is None or index.engine is not engine:
            if index is not None:
                index.close()
            index = _INDEXES[id(engine)] = AclIndex(engine)
            if not sa.event.contains(engine, "engine_disposed", _disposed):
                sa.event.listen(engine, "engine_disposed", _disposed)
        return index


def forget(engine: Engine) -> None:
    """Drop the engine's index: its listener stops and its connections close."""
    with _INDEXES_LOCK:
        index = _INDEXES.get(id(engine))
        if index is None or index.engine is not engine:
            return
        del _INDEXES[id(engine)]
    index.close()


def _disposed(engine: Engine) -> None:
    forget(engine)


def configure(engine: Engine, freshness: str) -> AclIndex:
    """Set how the engine's index checks freshness (:data:`FRESHNESS_MODES`)."""
    index = get_index(engine)
    index.configure(freshness)
    return index
