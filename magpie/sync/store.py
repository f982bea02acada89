"""The stored remote tree of a service: read it, merge a local tree with it, and apply a crawl to
it as a diff.

Nodes that still exist keep their row and id, and the database sees a handful of bulk statements
whatever the size of the tree. The one rule for the main node lives in :func:`main_node_id`: the
sync info names it, and it stands for the service whatever the service is called now.
"""
import datetime
import logging
from typing import Dict, Iterable, List, Optional, Sequence

import sqlalchemy as sa
import zope.sqlalchemy
from sqlalchemy.orm import Session

from magpie import db, models
from magpie.gc_pause import gc_paused
from magpie.sync.checks import check_remote_tree
from magpie.sync.merge import is_valid_resource_schema, merge_trees, sort_tree
from magpie.sync.tree import StoredNode, TreeDiff, plan_diff
from magpie.sync.types import get_sync_type

LOGGER = logging.getLogger(__name__)


class StoreError(ValueError):
    """Writing a crawled tree failed; its savepoint was rolled back, so nothing of it is kept."""


#: Rows per bulk DELETE / INSERT statement.
BULK_CHUNK = 5000

REMOTE = models.RemoteResource.__table__
_INFO = models.RemoteResourcesSyncInfo
_INSERT_COLUMNS = ("resource_id", "service_id", "parent_id", "resource_name", "resource_display_name",
                   "resource_type", "ordering", "unverified_reason")


def get_sync_info(service_id: int, session: Session) -> Optional[models.RemoteResourcesSyncInfo]:
    return session.execute(sa.select(_INFO).where(_INFO.service_id == service_id)).scalar_one_or_none()


def ensure_sync_info(service_id: int, session: Session) -> models.RemoteResourcesSyncInfo:
    """The service's sync info row, created when missing."""
    info = get_sync_info(service_id, session)
    if info is None:
        info = _INFO(service_id=service_id)
        session.add(info)
        session.flush()
    return info


def main_node_id(service_id: int, session: Session) -> Optional[int]:
    """Id of the service's main remote node: the one its sync info names (None: never synced)."""
    return session.execute(sa.select(_INFO.remote_resource_id).where(_INFO.service_id == service_id)).scalar()


def has_remote_tree(service_id: int, session: Session) -> bool:
    """Whether a sync ever stored a remote tree for the service (without reading the tree)."""
    return main_node_id(service_id, session) is not None


# --- reading ----------------------------------------------------------------------------------

def stored_rows(service_id: int, session: Session) -> List[StoredNode]:
    """Every stored node of the service, as rows with the fields of :class:`StoredNode`."""
    return session.execute(
        sa.select(REMOTE.c.resource_id, REMOTE.c.parent_id, REMOTE.c.resource_name,
                  REMOTE.c.resource_display_name, REMOTE.c.resource_type, REMOTE.c.ordering,
                  REMOTE.c.unverified_reason, REMOTE.c.last_seen)
        .where(REMOTE.c.service_id == service_id)
    ).all()


def subtree_of(resource: models.RemoteResource, session: Session) -> Dict[int, dict]:
    """Children of ``resource`` at every depth as ziggurat's subtree structure
    ``{id: {"node": row, "children": {...}}}``, from one query over the service's rows and one
    pass over them (no recursion, no per-level sort: a stored tree may hold a million rows)."""
    entries = {row[0]: {"node": row, "children": {}} for row in stored_rows(resource.service_id, session)}
    for resource_id, entry in entries.items():
        parent = entries.get(entry["node"][1])
        if parent is not None:
            parent["children"][resource_id] = entry
    top = entries.get(resource.resource_id)
    return top["children"] if top is not None else {}


def unverified_info(reason: Optional[str], last_seen: Optional[datetime.datetime],
                    last_sync: Optional[datetime.datetime]) -> Optional[dict]:
    """What a node says about a part of the remote tree the last sync could not read: the reason
    and when it was last seen (a node without its own time was seen by the last sync)."""
    if not reason:
        return None
    seen = last_seen or last_sync
    return {"reason": reason, "last_seen": seen.isoformat() if seen is not None else None}


def format_subtree(children: Dict[int, dict], last_sync: Optional[datetime.datetime] = None) -> dict:
    """ziggurat's subtree structure -> the name-keyed tree of ``is_valid_resource_schema``; each
    node carries ``remote_id`` (Magpie's key, with ``id`` beside it), and ``unverified`` when the
    last sync could not read its part of the tree."""
    formatted: dict = {}
    stack = [(children, formatted)]
    while stack:
        entries, level = stack.pop()
        for entry in entries.values():
            row = entry["node"]
            resource_id, name, display_name, resource_type = row[0], row[2], row[3], row[4]
            level[name] = formatted_node = {
                "id": resource_id,
                "remote_id": resource_id,
                "resource_type": resource_type,
                "resource_display_name": display_name or name,
                "children": {},
            }
            if row[6]:  # only then: a sixth key would double the size of a million small dicts
                formatted_node["unverified"] = unverified_info(row[6], row[7], last_sync)
            if entry["children"]:
                stack.append((entry["children"], formatted_node["children"]))
    return formatted


@gc_paused()
def read_remote_tree(service_id: int, session: Session, main_name: Optional[str] = None) -> dict:
    """The stored remote tree (empty when the service was never synced), its main node keyed by
    ``main_name`` when given, else by the name it was stored under."""
    info = get_sync_info(service_id, session)
    main = session.get(models.RemoteResource, info.remote_resource_id) if info and info.remote_resource_id else None
    if main is None:
        return {}
    return {main_name or main.resource_name: {
        "id": main.resource_id,
        "remote_id": main.resource_id,
        "resource_type": main.resource_type,
        "resource_display_name": main.resource_display_name or main.resource_name,
        "children": format_subtree(subtree_of(main, session), info.last_sync),
        **({"unverified": unverified_info(main.unverified_reason, main.last_seen, info.last_sync)}
           if main.unverified_reason else {}),
    }}


@gc_paused()
def merged_tree(resources_local: dict, service_sync_type: str, service_id: int, session: Session) -> dict:
    """``resources_local`` (one service node) merged with the stored remote tree, sorted by name at
    every level, to the depth the service is synced to. Reads only."""
    configuration = session.execute(
        sa.select(models.Service.configuration).where(models.Service.resource_id == service_id)
    ).scalar()
    max_depth = get_sync_type(service_sync_type).effective_max_depth(configuration)
    service_name = next(iter(resources_local), None) if len(resources_local) == 1 else None
    merged = merge_trees(resources_local, read_remote_tree(service_id, session, service_name), max_depth)
    sort_tree(merged)
    return merged


# --- writing ----------------------------------------------------------------------------------

def delete_remote_tree(service_id: int, session: Session) -> int:
    """Delete the service's stored remote tree in one statement; returns how many nodes it had."""
    session.execute(sa.update(_INFO).where(_INFO.service_id == service_id).values(remote_resource_id=None))
    # Counted first: SQLite does not count the rows a cascade removes during the statement.
    count = session.execute(sa.select(sa.func.count()).where(REMOTE.c.service_id == service_id)).scalar()
    session.execute(REMOTE.delete().where(REMOTE.c.service_id == service_id))
    # Core statements leave the session unchanged in zope.sqlalchemy's eyes, and it would then
    # end the transaction without committing them.
    zope.sqlalchemy.mark_changed(session)
    return count


def ensure_main_node(service_id: int, session: Session) -> int:
    """The id of the service's main remote node, created when missing and renamed after the
    service; an existing one keeps its id, which pages opened before may show."""
    service = session.get(models.Service, service_id)
    if service is None:
        raise ValueError(f"no service with id {service_id}")
    info = ensure_sync_info(service_id, session)
    main = session.get(models.RemoteResource, info.remote_resource_id) if info.remote_resource_id else None
    if main is None:
        main = models.RemoteResource(service_id=service_id, parent_id=None, resource_name=service.resource_name,
                                     resource_display_name=service.resource_name, resource_type="service")
        session.add(main)
        session.flush()
        info.remote_resource_id = main.resource_id
    elif main.resource_name != service.resource_name:
        main.resource_name = main.resource_display_name = service.resource_name
    session.flush()
    return main.resource_id


@gc_paused()
def plan_update(remote_resources: dict, service_id: int, session: Session,
                problems: Optional[List[str]] = None) -> TreeDiff:
    """The diff between the stored tree and a crawled one (ValueError when the crawled tree is not
    one main node in the tree schema, or cannot be stored: :mod:`magpie.sync.checks`). Nodes with
    names that cannot be stored are left out of the crawled tree, each with a line appended to
    ``problems`` (logged when None). Nodes kept unverified were last seen by the last sync."""
    if not is_valid_resource_schema(remote_resources) or len(remote_resources) != 1:
        raise ValueError(f"service {service_id}: the remote tree is not one main node in the resource tree schema")
    ((main_name, main_node),) = remote_resources.items()
    found: List[str] = []
    check_remote_tree(main_node, found)
    if problems is None:
        for problem in found:
            LOGGER.warning("service %s: %s", service_id, problem)
    else:
        problems.extend(found)
    info = get_sync_info(service_id, session)
    return plan_diff(stored_rows(service_id, session), main_name, main_node,
                     info.remote_resource_id if info else None, info.last_sync if info else None)


def _chunks(items: list, size: int = BULK_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def apply_update(remote_resources: dict, service_id: int, session: Session,
                 problems: Optional[List[str]] = None) -> TreeDiff:
    """Apply the diff between the stored tree and ``remote_resources`` with bulk statements: gone
    nodes are deleted (in any order: removing a parent cascades to its children), changed ones
    updated, new ones inserted with ids reserved up front so children can point at parents
    inserted in the same statement, all in a savepoint: when any write fails, none is kept and
    :class:`StoreError` is raised (the transaction stays usable to record it). Returns the
    applied diff."""
    info = ensure_sync_info(service_id, session)
    # First write of the transaction: on SQLite it takes the database write lock, so the rows read
    # next and the ids reserved below cannot be raced by another writer.
    info.last_attempt = models.utcnow()
    session.flush()
    diff = plan_update(remote_resources, service_id, session, problems)
    try:
        with session.begin_nested():  # a failure below undoes every write of this update
            _write_diff(diff, info, service_id, session)
    except Exception as exc:
        first_line = (str(exc).splitlines() or [""])[0][:300]
        raise StoreError(f"database error: {exc.__class__.__name__}: {first_line} (service {service_id}: "
                         f"nothing of this sync was written)") from exc
    return diff


def _write_diff(diff: TreeDiff, info: models.RemoteResourcesSyncInfo, service_id: int, session: Session) -> None:
    for chunk in _chunks(diff.removed_ids):
        session.execute(REMOTE.delete().where(REMOTE.c.resource_id.in_(chunk)))
    if diff.changed:
        session.execute(REMOTE.update().where(REMOTE.c.resource_id == sa.bindparam("rid")), diff.changed)
    ids: Sequence[int] = ()
    if diff.added:
        ids = db.allocate_ids(session, REMOTE, len(diff.added))
        db.bulk_insert(session, REMOTE, _INSERT_COLUMNS, (
            (ids[index], service_id, ids[node.parent_index] if node.parent_index >= 0 else node.parent_id,
             node.resource_name, node.resource_display_name, node.resource_type, node.ordering,
             node.unverified_reason)
            for index, node in enumerate(diff.added)
        ))
    main_id = diff.main_id if diff.main_id is not None else ids[0]
    if info.remote_resource_id != main_id:
        info.remote_resource_id = main_id
    session.flush()
