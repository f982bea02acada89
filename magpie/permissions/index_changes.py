"""What changed since the index was built, read from the audit log in the rebuild's snapshot, so
that a grant reloads the permissions of one resource and a new resource the tree of one service.

Every change to access-control data writes an audit entry in the transaction that bumps the
version (:func:`magpie.audit.record`). The entries the index has not seen say what to read again:

- ``permission.*`` with a resource: that resource's permissions;
- ``membership.*``: memberships and names;
- ``user.*``, ``group.*``: all permissions (a deletion cascades) and names;
- anything else (``resource.*``, ``service.*``, syncs, actions this module does not know): the
  tree of the entry's service (every tree without one), all permissions and names.

When fewer entries arrived than the version moved (a bump without an entry, ids reused after a
prune), everything is read again: the log is a hint for rebuilding less, never trusted for more.
"""
from dataclasses import dataclass, field
from typing import Dict, Optional, Set, Tuple

from magpie import models
from magpie.permissions.index_load import Reader

_AUDIT = models.AuditEntry.__table__.name
AUDIT_MAX_SQL = f"SELECT max(id) FROM {_AUDIT}"
AUDIT_SINCE_SQL = f"SELECT id, action, service_id, resource_id FROM {_AUDIT} WHERE id > {{p}}"
PG_XMIN_SQL = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text"
PG_XID_SQL = "SELECT pg_current_xact_id()::text"
#: More resources than this in one rebuild: all permissions are read again (one statement).
MAX_RESOURCES = 500
_NAMES_ONLY = frozenset({"membership"})
_ALL_PERMISSIONS = frozenset({"user", "group"})
_NOTHING = frozenset({"audit", "session"})


@dataclass
class AuditCursor:
    """How far the index has read the audit log.

    Ids are drawn when an entry is written, not when it commits: on PostgreSQL an entry can
    become visible after higher ids did. Such missing ids (``gaps``) are looked at again until
    every transaction that could have drawn them has ended: the reading transaction takes a
    transaction id when it notices gaps, which is above that of any writer running then, and a
    gap is dropped once the snapshot's xmin has passed it. On SQLite writers are serialized,
    so there are none.
    """
    seen: int = 0
    gaps: Dict[int, int] = field(default_factory=dict)  # id -> a transaction id above its writer's


@dataclass
class Changes:
    """What to read again; None is "all of it"."""
    trees: Optional[Set[int]] = field(default_factory=set)  # service ids
    resources: Optional[Set[int]] = field(default_factory=set)  # whose permissions changed
    names: bool = False  # memberships, users, groups, services

    def everything(self) -> "Changes":
        self.trees, self.resources, self.names = None, None, True
        return self


def _pg_xid(reader: Reader, sql: str) -> int:
    return int(reader.one(sql)[0])


def start_cursor(reader: Reader, window: int = 10_000) -> AuditCursor:
    """The cursor of a first build: every id up to the newest is taken as read, but on
    PostgreSQL the missing ids of the last ``window`` are gaps (they may still commit)."""
    newest = (reader.one(AUDIT_MAX_SQL) or (None,))[0] or 0
    cursor = AuditCursor(seen=newest)
    if reader.dialect == "postgresql" and newest:
        visible = {row[0] for row in reader.all(AUDIT_SINCE_SQL, max(newest - window, 0))}
        missing = [gap for gap in range(max(newest - window, 0) + 1, newest) if gap not in visible]
        if missing:
            cursor.gaps = dict.fromkeys(missing, _pg_xid(reader, PG_XID_SQL))
    return cursor


def _classify(changes: Changes, action: str, service_id: Optional[int], resource_id: Optional[int]) -> None:
    kind = action.split(".", 1)[0]
    if kind in _NOTHING:
        return
    if kind == "permission" and resource_id is not None:
        if changes.resources is not None:
            changes.resources.add(resource_id)
        return
    changes.names = True
    if kind in _NAMES_ONLY:
        return
    changes.resources = None
    if kind in _ALL_PERMISSIONS or kind == "permission":
        return
    if service_id is None:
        changes.trees = None
    elif changes.trees is not None:
        changes.trees.add(service_id)


def read_changes(reader: Reader, cursor: AuditCursor, bumps: Optional[int]) -> Tuple[AuditCursor, Changes]:
    """The changes committed since ``cursor``, and the cursor moved on. ``bumps`` is how far the
    version moved (None: unknown)."""
    gaps = dict(cursor.gaps)
    many = len(gaps) > 100
    gap_sql = (" OR id >= {p}" if many else f" OR id IN ({', '.join(str(int(g)) for g in gaps)})") if gaps else ""
    params = (cursor.seen, min(gaps)) if many else (cursor.seen,)
    rows = [row for row in reader.all(AUDIT_SINCE_SQL + gap_sql, *params) if row[0] > cursor.seen or row[0] in gaps]
    newest = (reader.one(AUDIT_MAX_SQL) or (None,))[0] or 0
    changes = Changes()
    if newest < cursor.seen or bumps is None or len(rows) < bumps:
        changes.everything()
    for entry_id, action, service_id, resource_id in rows:
        gaps.pop(entry_id, None)
        _classify(changes, action, service_id, resource_id)
    if changes.resources is not None and len(changes.resources) > MAX_RESOURCES:
        changes.resources = None
    seen = max([cursor.seen] + [row[0] for row in rows])
    if reader.dialect == "postgresql":
        visible = {row[0] for row in rows}
        missing = [gap for gap in range(cursor.seen + 1, seen) if gap not in visible]
        if missing:
            gaps.update(dict.fromkeys(missing, _pg_xid(reader, PG_XID_SQL)))
        if gaps:
            xmin = _pg_xid(reader, PG_XMIN_SQL)
            gaps = {gap: above for gap, above in gaps.items() if xmin <= above}
    if newest < cursor.seen:
        seen, gaps = newest, {}
    return AuditCursor(seen, gaps), changes
