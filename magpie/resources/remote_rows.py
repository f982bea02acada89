"""Pieces of a service's stored remote tree read by level, never the whole tree: the children of
some nodes, some nodes by id with their ancestors, a name search, counts.

Each query is bounded by :data:`CHUNK` ids and uses the indexes the table has (the primary key,
``parent_id``, and ``(service_id, parent_id, resource_name)``), so opening one directory of a
million-node tree reads that directory only.
"""
import datetime
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models

#: Ids (or name pairs) per statement: well below SQLite's smallest limit on bound parameters.
CHUNK = 400

_REMOTE = models.RemoteResource.__table__
_COLUMNS = (_REMOTE.c.resource_id, _REMOTE.c.parent_id, _REMOTE.c.resource_name,
            _REMOTE.c.resource_display_name, _REMOTE.c.resource_type, _REMOTE.c.unverified_reason,
            _REMOTE.c.last_seen)


class RemoteRow(NamedTuple):
    id: int
    parent_id: Optional[int]
    name: str
    display_name: Optional[str]
    resource_type: str
    #: Why the last sync could not read this part of the remote tree (None: it did), and when it
    #: was last seen (None: by the last sync).
    unverified_reason: Optional[str] = None
    last_seen: Optional[datetime.datetime] = None


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _rows(session: Session, where) -> List[RemoteRow]:
    return [RemoteRow(*row) for row in session.execute(sa.select(*_COLUMNS).where(*where))]


def children_of(session: Session, service_id: int, parent_ids: Iterable[int]) -> Dict[int, List[RemoteRow]]:
    """The children of each of ``parent_ids`` (absent when it has none)."""
    found: Dict[int, List[RemoteRow]] = {}
    for chunk in _chunks(sorted(set(parent_ids))):
        for row in _rows(session, (_REMOTE.c.service_id == service_id, _REMOTE.c.parent_id.in_(chunk))):
            found.setdefault(row.parent_id, []).append(row)
    return found


def with_children(session: Session, service_id: int, ids: Iterable[int]) -> Set[int]:
    """Which of ``ids`` have at least one child."""
    found: Set[int] = set()
    for chunk in _chunks(sorted(set(ids))):
        found.update(session.execute(
            sa.select(_REMOTE.c.parent_id).distinct()
            .where(_REMOTE.c.service_id == service_id, _REMOTE.c.parent_id.in_(chunk))).scalars())
    return found


def children_named(session: Session, service_id: int,
                   pairs: Iterable[Tuple[int, str]]) -> Dict[Tuple[int, str], RemoteRow]:
    """The child named ``name`` of ``parent_id`` for each pair that has one."""
    found: Dict[Tuple[int, str], RemoteRow] = {}
    for chunk in _chunks(sorted(set(pairs)), CHUNK // 2):
        each = sa.or_(*(sa.and_(_REMOTE.c.parent_id == parent_id, _REMOTE.c.resource_name == name)
                        for parent_id, name in chunk))  # an index lookup per pair, on both databases
        for row in _rows(session, (_REMOTE.c.service_id == service_id, each)):
            found[(row.parent_id, row.name)] = row
    return found


def rows_by_id(session: Session, service_id: int, ids: Iterable[int]) -> Dict[int, RemoteRow]:
    found: Dict[int, RemoteRow] = {}
    for chunk in _chunks(sorted(set(ids))):
        for row in _rows(session, (_REMOTE.c.service_id == service_id, _REMOTE.c.resource_id.in_(chunk))):
            found[row.id] = row
    return found


def with_ancestors(session: Session, service_id: int, rows: Iterable[RemoteRow]) -> Dict[int, RemoteRow]:
    """``rows`` and all their ancestors by id, one statement per level (and chunk)."""
    known = {row.id: row for row in rows}
    wanted = {row.parent_id for row in known.values() if row.parent_id is not None} - set(known)
    while wanted:
        found = rows_by_id(session, service_id, wanted)
        known.update(found)
        wanted = {row.parent_id for row in found.values() if row.parent_id is not None} - set(known)
        if not found:
            break
    return known


def path_of(row: RemoteRow, known: Dict[int, RemoteRow], main_id: int) -> Optional[List[RemoteRow]]:
    """The rows from the main node's child down to ``row``; None when ``row`` is not below the
    main node (or is the main node)."""
    chain: List[RemoteRow] = []
    while row.id != main_id:
        chain.append(row)
        row = known.get(row.parent_id) if row.parent_id is not None else None
        if row is None:
            return None
    return chain[::-1]


def _twin_pairs(service_id: int, main_id: int):
    """(local_id, remote_id, depth) of every local resource with a remote twin (the remote node
    at the same path of names), the service at depth 0: a recursive query walking both trees
    together through the index on ``(service_id, parent_id, resource_name)``."""
    local = models.Resource.__table__
    pairs = sa.select(sa.literal(service_id).label("local_id"), sa.literal(main_id).label("remote_id"),
                      sa.literal(0).label("depth")).cte("pairs", recursive=True)
    child, twin = local.alias("child"), _REMOTE.alias("twin")
    return pairs.union_all(
        sa.select(child.c.resource_id, twin.c.resource_id, pairs.c.depth + 1)
        .select_from(pairs.join(child, child.c.parent_id == pairs.c.local_id)
                     .join(twin, sa.and_(twin.c.service_id == service_id, twin.c.parent_id == pairs.c.remote_id,
                                         twin.c.resource_name == child.c.resource_name))))


def twins(session: Session, service_id: int, main_id: int) -> Dict[int, RemoteRow]:
    """Local resource id -> its remote twin, for the resources below the service that have one."""
    pairs = _twin_pairs(service_id, main_id)
    rows = session.connection().execute(
        sa.select(pairs.c.local_id, *_COLUMNS).join(_REMOTE, _REMOTE.c.resource_id == pairs.c.remote_id)
        .where(pairs.c.local_id != service_id)).all()
    return {row[0]: RemoteRow(*row[1:]) for row in rows}


def twin_counts(session: Session, service_id: int, main_id: int, max_depth: Optional[int]) -> Tuple[int, int]:
    """How many local resources below the service have a remote twin, and how many of them lie
    within ``max_depth`` (all when None)."""
    pairs = _twin_pairs(service_id, main_id)
    within = sa.func.count() if max_depth is None else sa.func.sum(sa.case((pairs.c.depth <= max_depth, 1), else_=0))
    total, inside = session.execute(sa.select(sa.func.count(), within).where(pairs.c.depth > 0)).one()
    return total, int(inside or 0)


def count_nodes(session: Session, service_id: int) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(_REMOTE)
                           .where(_REMOTE.c.service_id == service_id)).scalar_one()


def _like(needle: str) -> str:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(session: Session, service_id: int, needle: str, limit: int) -> Tuple[int, List[RemoteRow]]:
    """How many nodes (the main one aside) hold ``needle`` in their name or display name, case
    ignored, and ``limit`` of them."""
    pattern = _like(needle)
    # SQLite's LIKE ignores the case of ASCII letters already; its ILIKE would add lower() per row.
    sqlite = session.get_bind().dialect.name == "sqlite"
    like = [column.like(pattern, escape="\\") if sqlite else column.ilike(pattern, escape="\\")
            for column in (_REMOTE.c.resource_name, _REMOTE.c.resource_display_name)]
    where = (_REMOTE.c.service_id == service_id, _REMOTE.c.parent_id.isnot(None), sa.or_(*like))
    # One scan: the window counts every match, the limit keeps the first rows read (an ORDER BY
    # would sort all matches first).
    found = session.execute(sa.select(*_COLUMNS, sa.func.count().over()).where(*where).limit(limit)).all()
    return (found[0][-1] if found else 0), [RemoteRow(*row[:-1]) for row in found]
