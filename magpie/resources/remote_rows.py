"""Pieces of a service's stored remote tree read by level, never the whole tree: the children of
some nodes, some nodes by id with their ancestors, the pairing with the local tree, counts, and
a page of the remote-only nodes a filter selects.

Each query is bounded by :data:`CHUNK` ids, or by a LIMIT, or is one aggregate pass, and uses
the indexes the table has (the primary key, ``parent_id``, and ``(service_id, parent_id,
resource_name)``), so opening one directory of a million-node tree reads that directory only.
Where a planner without statistics (on a table a first sync has just filled) would read the
whole table for a long list of ids, the statement is shaped so that it probes the index instead.
"""
import datetime
from typing import Collection, Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models
from magpie.db.engine import SQLITE_LOWER

#: Ids (or name pairs) per statement: well below SQLite's smallest limit on bound parameters.
CHUNK = 400

#: Most twins :func:`remote_only` leaves out by reading past them (reading that many more rows
#: costs less than pairing the trees again in the statement).
SKIPPED_AS_THEY_COME = 2000

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


def _rows(session: Session, where, limit: Optional[int] = None) -> List[RemoteRow]:
    return [RemoteRow(*row) for row in session.execute(sa.select(*_COLUMNS).where(*where).limit(limit))]


def children_of(session: Session, service_id: int, parent_ids: Iterable[int]) -> Dict[int, List[RemoteRow]]:
    """The children of each of ``parent_ids`` (absent when it has none)."""
    found: Dict[int, List[RemoteRow]] = {}
    for chunk in _chunks(sorted(set(parent_ids))):
        for row in _rows(session, (_REMOTE.c.service_id == service_id, _REMOTE.c.parent_id.in_(chunk))):
            found.setdefault(row.parent_id, []).append(row)
    return found


def with_children(session: Session, service_id: int, ids: Iterable[int]) -> Set[int]:
    """Which of ``ids`` (nodes of the service: their children are too) have at least one child."""
    child = _REMOTE.alias("child")
    # One probe of the parent_id index per node: for a long IN list on parent_id, a planner
    # without statistics (a table just filled by a first sync) reads the whole table instead.
    first_child = sa.select(child.c.resource_id).where(child.c.parent_id == _REMOTE.c.resource_id).limit(1)
    found: Set[int] = set()
    for chunk in _chunks(sorted(set(ids))):
        found.update(session.execute(sa.select(_REMOTE.c.resource_id).where(
            _REMOTE.c.resource_id.in_(chunk), first_child.scalar_subquery().isnot(None))).scalars())
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
        # By primary key alone, the service checked on the rows: with service_id in the WHERE,
        # SQLite without statistics walks the whole service through its index instead.
        for row in session.execute(sa.select(_REMOTE.c.service_id, *_COLUMNS).where(_REMOTE.c.resource_id.in_(chunk))):
            if row[0] == service_id:
                found[row[1]] = RemoteRow(*row[1:])
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


class Twin(NamedTuple):
    """What a local resource needs of its remote twin to be judged (see :class:`RemoteRow`), and
    whether the twin is one of the rows a :class:`Selection` asks for."""
    id: int
    unverified_reason: Optional[str]
    last_seen: Optional[datetime.datetime]
    selected: bool = False


class Selection(NamedTuple):
    """Rows holding ``needle`` (lower case) in their name or display name, and unverified or
    not, each when not None."""
    needle: Optional[str] = None
    unverified: Optional[bool] = None


def _like(needle: str) -> str:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _unverified(flag: bool):
    """Rows the last sync could not read (with a reason, as :func:`magpie.sync.store.unverified_info`
    reads it), or the others."""
    reason = _REMOTE.c.unverified_reason
    return sa.and_(reason.isnot(None), reason != "") if flag else sa.or_(reason.is_(None), reason == "")


def _folded(session: Session, column, needle: str):
    """``column`` with its case folded as Python's ``lower()`` folds it, as far as ``needle``
    (lower case) can tell: SQLite's LIKE already ignores the case of ASCII letters, and only a
    needle with other letters needs :data:`~magpie.db.engine.SQLITE_LOWER`; PostgreSQL's
    ``lower()`` LIKE (faster than its ILIKE) folds what the database's character type knows, all
    letters in a UTF-8 locale."""
    if session.get_bind().dialect.name != "sqlite":
        return sa.func.lower(column)
    return column if needle.isascii() else getattr(sa.func, SQLITE_LOWER)(column)


def _selected(session: Session, selection: Selection) -> list:
    where = []
    if selection.needle is not None:
        pattern = _like(selection.needle)
        where.append(sa.or_(*(_folded(session, column, selection.needle).like(pattern, escape="\\")
                              for column in (_REMOTE.c.resource_name, _REMOTE.c.resource_display_name))))
    if selection.unverified is not None:
        where.append(_unverified(selection.unverified))
    return where


def _pairs(service_id: int, main_id: int):
    """(local_id, remote_id, depth) of the service (depth 0, the main node) and of every local
    resource below it, ``remote_id`` its remote twin's (the remote node at the same path of
    names) or NULL. The recursion walks the local tree, the smaller one, and looks each twin up
    by ``(service_id, parent_id, resource_name)``: with a join, the planners walk every remote
    child instead."""
    local = models.Resource.__table__
    pairs = sa.select(sa.literal(service_id).label("local_id"), sa.literal(main_id).label("remote_id"),
                      sa.literal(0).label("depth")).cte("pairs", recursive=True)
    child, twin = local.alias("child"), _REMOTE.alias("twin")
    twin_id = sa.select(twin.c.resource_id).where(
        twin.c.service_id == service_id, twin.c.parent_id == pairs.c.remote_id,
        twin.c.resource_name == child.c.resource_name).scalar_subquery()
    return pairs.union_all(sa.select(child.c.resource_id, twin_id, pairs.c.depth + 1)
                           .select_from(pairs.join(child, child.c.parent_id == pairs.c.local_id)))


def twins(session: Session, service_id: int, main_id: int, selection: Optional[Selection] = None) -> Dict[int, Twin]:
    """Local resource id -> its remote twin, for the resources below the service that have one;
    each twin says whether ``selection`` holds for it."""
    pairs = _pairs(service_id, main_id)
    where = _selected(session, selection) if selection is not None else []
    selected = sa.case((sa.and_(*where), 1), else_=0) if where else sa.literal(selection is not None)
    rows = session.execute(
        sa.select(pairs.c.local_id, _REMOTE.c.resource_id, _REMOTE.c.unverified_reason, _REMOTE.c.last_seen, selected)
        .join(_REMOTE, _REMOTE.c.resource_id == pairs.c.remote_id).where(pairs.c.depth > 0))
    return {row[0]: Twin(row[1], row[2], row[3], bool(row[4])) for row in rows}


def node_counts(session: Session, service_id: int) -> Tuple[int, int]:
    """How many nodes below the main one the service has, and how many of them are unverified:
    one pass over the service's rows."""
    total, unverified = session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.case((_unverified(True), 1))))
        .where(_REMOTE.c.service_id == service_id, _REMOTE.c.parent_id.isnot(None))).one()
    return total, unverified


def count_selected(session: Session, service_id: int, selection: Selection) -> int:
    """How many nodes below the main one ``selection`` holds for, remote-only or not (one scan;
    the twins' part is known from :func:`twins`, and excluding it here would cost a probe per
    row)."""
    return session.execute(sa.select(sa.func.count()).where(
        _REMOTE.c.service_id == service_id, _REMOTE.c.parent_id.isnot(None), *_selected(session, selection))).scalar_one()


def remote_only(session: Session, service_id: int, main_id: int, selection: Selection, limit: int,
                selected_twins: Collection[int]) -> List[RemoteRow]:
    """``limit`` of the nodes without a local twin (the main one aside) ``selection`` holds for,
    from a statement that stops there (no ORDER BY, no window count: either would make the
    database collect every match first). ``selected_twins``: the ids of the twins it holds for
    (:attr:`Twin.selected`), the only rows to leave out; a few are skipped as they come, more
    by a second pairing in the statement."""
    where = [_REMOTE.c.service_id == service_id, _REMOTE.c.parent_id.isnot(None), *_selected(session, selection)]
    if len(selected_twins) <= SKIPPED_AS_THEY_COME:
        skip = set(selected_twins)
        return [row for row in _rows(session, where, limit + len(skip)) if row.id not in skip][:limit]
    pairs = _pairs(service_id, main_id)
    paired = sa.select(pairs.c.remote_id).where(pairs.c.remote_id.isnot(None))
    return _rows(session, (*where, _REMOTE.c.resource_id.not_in(paired)), limit)
