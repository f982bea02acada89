"""Synchronize local and remote resources.

A sync crawls what a service really exposes (see :mod:`magpie.helpers.sync_services`), stores it
as the service's ``RemoteResource`` tree, and the merge tells for every local resource whether it
still exists remotely. To support a new kind of service, subclass
:class:`~magpie.helpers.sync_services.SyncServiceInterface`.

Storing is a diff: nodes that still exist keep their id, and the database sees a handful of bulk
statements whatever the size of the tree. The crawl happens before any write, and a failed crawl
writes nothing but the error, so the last good tree stays.
"""
import argparse
import datetime
import logging
import logging.handlers
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Dict, Iterable, List, Optional, Union

import sqlalchemy as sa
import transaction
import zope.sqlalchemy
from sqlalchemy.orm import Session

from magpie import db, models
from magpie.helpers.gc_pause import gc_paused
from magpie.helpers.http import RemoteError
from magpie.helpers.remote_tree import StoredNode, TreeDiff, plan_diff
from magpie.helpers.sync_services import get_sync_type, is_valid_resource_schema

LOGGER = logging.getLogger(__name__)

#: True while running as the cron command (``main()``), so logs can say where a sync came from.
CRON_SERVICE = False

#: A service whose last successful sync is older than this is out of sync.
OUT_OF_SYNC = datetime.timedelta(hours=3)

#: Sync runs kept per service unless its configuration says ``history_size``.
SYNC_HISTORY_SIZE = 100

#: Paths listed by a dry run, each of added and removed.
PREVIEW_LIMIT = 1000

#: Rows per bulk DELETE / INSERT statement.
BULK_CHUNK = 5000

_REMOTE = models.RemoteResource.__table__
_INSERT_COLUMNS = ("resource_id", "service_id", "parent_id", "resource_name", "resource_display_name",
                   "resource_type", "ordering")


class SyncError(Exception):
    """A sync failed; the previous remote tree is unchanged and the error is recorded on the
    service's sync info in the caller's session (commit it to keep the record)."""

    def __init__(self, result: "SyncResult"):
        self.result = result
        super().__init__(f"sync of service {result.service_name!r} failed: {result.error}")


@dataclass
class SyncResult:
    service_id: int
    service_name: str
    sync_type: str
    added: int = 0
    removed: int = 0
    kept: int = 0
    duration: float = 0.0
    error: Optional[str] = None
    problems: List[str] = field(default_factory=list)
    dry_run: bool = False
    #: Dry runs only: paths that would be added and removed (at most PREVIEW_LIMIT of each).
    preview: Optional[Dict[str, List[str]]] = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict:
        return asdict(self)


# --- merge ------------------------------------------------------------------------------------

@gc_paused()
def merge_local_and_remote_resources(resources_local: dict, service_sync_type: str, service_id: int,
                                     session: Session) -> dict:
    """Main function to sync resources with remote server.

    Returns the local tree merged with the stored remote tree of ``service_id`` (see
    :func:`_merge_resources`, which validates both), sorted by name at every level. Reads only;
    ``resources_local`` is not modified.
    """
    configuration = session.execute(
        sa.select(models.Service.configuration).where(models.Service.resource_id == service_id)
    ).scalar()
    max_depth = get_sync_type(service_sync_type).effective_max_depth(configuration)
    resources_remote = _query_remote_resources_in_database(service_id, session)
    if len(resources_local) == 1 and len(resources_remote) == 1:
        # The main remote node stands for the service whatever it was called when last synced.
        (local_name,) = resources_local
        (remote_node,) = resources_remote.values()
        resources_remote = {local_name: remote_node}
    merged = _merge_resources(resources_local, resources_remote, max_depth)
    _sort_resources(merged)
    return merged


def _remote_only_node(remote_node: dict) -> dict:
    children = remote_node["children"]
    return {
        "id": None,
        "remote_id": remote_node.get("id"),
        "matches_remote": True,
        "beyond_max_depth": False,
        "resource_type": remote_node.get("resource_type"),
        "resource_display_name": remote_node.get("resource_display_name"),
        "permission_names": [],
        "children": {name: _remote_only_node(child) for name, child in children.items()} if children else {},
    }


_NO_CHILDREN: dict = {}


def _merge_level(local: dict, remote: dict, depth: int, max_depth: Optional[int]) -> dict:
    """One level of the merge; leaves (most nodes) are finished without a call of their own."""
    beyond = max_depth is not None and depth > max_depth
    merged = {}
    for name, local_node in local.items():
        remote_node = remote.get(name)
        node = local_node.copy()
        if remote_node is not None:
            node["remote_id"] = remote_node.get("id")
            node["matches_remote"] = True
            remote_children = remote_node["children"]
        else:
            # Deeper than the sync looked: nothing to compare with, so not reported as gone.
            node["remote_id"] = None
            node["matches_remote"] = beyond
            remote_children = _NO_CHILDREN
        node["beyond_max_depth"] = beyond
        local_children = local_node["children"]
        node["children"] = (_merge_level(local_children, remote_children, depth + 1, max_depth)
                            if local_children or remote_children else {})
        merged[name] = node
    for name, remote_node in remote.items():
        if name not in local:
            merged[name] = _remote_only_node(remote_node)
    return merged


@gc_paused()
def _merge_resources(resources_local: dict, resources_remote: dict, max_depth: Optional[int] = None) -> dict:
    """Merge resources_local and resources_remote, adding the following keys to the output:

        - remote_id: id of the RemoteResource
        - matches_remote: True or False depending if the resource is present on the remote server

    Remote-only nodes come with ``id: None`` and no permissions. Local nodes deeper than
    ``max_depth`` below the service cannot be judged: they count as matching and carry
    ``beyond_max_depth: True``. Neither input is modified.

    :returns: dictionary of the form validated by `magpie.helpers.sync_services.is_valid_resource_schema`.
    """
    for tree, label in ((resources_local, "local"), (resources_remote, "remote")):
        if not is_valid_resource_schema(tree):
            raise ValueError(f"{label} resources do not have the resource tree schema")
    return _merge_level(resources_local, resources_remote, 0, max_depth)


def _sort_resources(resources: dict) -> None:
    """Sorts a resource dictionary of the type validated by 'sync_services.is_valid_resource_schema'
    by name, at every level, in place. Plain dicts keep insertion order, so no OrderedDict is
    needed for the JSON to come out sorted.

    :return: None
    """
    stack = [resources]
    while stack:
        level = stack.pop()
        items = sorted(level.items())
        level.clear()
        level.update(items)
        stack.extend(node["children"] for _, node in items if node["children"])


# --- reading the stored remote tree -----------------------------------------------------------

def _stored_rows(service_id: int, session: Session) -> List[StoredNode]:
    """Every stored node of the service, as rows with the attributes of :class:`StoredNode`."""
    return session.execute(
        sa.select(_REMOTE.c.resource_id, _REMOTE.c.parent_id, _REMOTE.c.resource_name,
                  _REMOTE.c.resource_display_name, _REMOTE.c.resource_type, _REMOTE.c.ordering)
        .where(_REMOTE.c.service_id == service_id)
    ).all()


def _get_resource_children(resource, db_session: Session) -> Dict[int, dict]:
    """Mostly copied from ziggurat_foundations to use RemoteResource instead of Resource.

    Children of ``resource`` (a RemoteResource) at every depth as ziggurat's subtree structure
    ``{id: {"node": row, "children": {...}}}``, from one query over the service's rows and one
    pass over them (no recursion, no per-level sort: a stored tree may hold a million rows).
    """
    entries = {row[0]: {"node": row, "children": {}} for row in _stored_rows(resource.service_id, db_session)}
    for resource_id, entry in entries.items():
        parent = entries.get(entry["node"][1])
        if parent is not None:
            parent["children"][resource_id] = entry
    top = entries.get(resource.resource_id)
    return top["children"] if top is not None else {}


def _format_resource_tree(children: Dict[int, dict]) -> dict:
    """ziggurat's subtree structure -> the name-keyed tree of ``is_valid_resource_schema``."""
    formatted: dict = {}
    stack = [(children, formatted)]
    while stack:
        entries, level = stack.pop()
        for entry in entries.values():
            resource_id, _, name, display_name, resource_type, _ = entry["node"]
            level[name] = formatted_node = {
                "id": resource_id,
                "resource_type": resource_type,
                "resource_display_name": display_name or name,
                "children": {},
            }
            if entry["children"]:
                stack.append((entry["children"], formatted_node["children"]))
    return formatted


@gc_paused()
def _query_remote_resources_in_database(service_id: int, session: Session) -> dict:
    """Reads remote resources from the RemoteResources table. No external request is made.

    :return: a dictionary of the form defined in 'sync_services.is_valid_resource_schema', empty
        when the service was never synced.
    """
    main_id = session.execute(
        sa.select(models.RemoteResourcesSyncInfo.remote_resource_id)
        .where(models.RemoteResourcesSyncInfo.service_id == service_id)
    ).scalar()
    if main_id is None:
        return {}
    main = session.get(models.RemoteResource, main_id)
    if main is None:
        return {}
    return {main.resource_name: {
        "id": main.resource_id,
        "resource_type": main.resource_type,
        "resource_display_name": main.resource_display_name or main.resource_name,
        "children": _format_resource_tree(_get_resource_children(main, session)),
    }}


def has_remote_tree(service_id: int, session: Session) -> bool:
    """Whether a sync ever stored a remote tree for the service (without reading the tree)."""
    return session.execute(
        sa.select(models.RemoteResourcesSyncInfo.remote_resource_id)
        .where(models.RemoteResourcesSyncInfo.service_id == service_id)
    ).scalar() is not None


def _get_sync_info(service_id: int, session: Session) -> Optional[models.RemoteResourcesSyncInfo]:
    return session.execute(
        sa.select(models.RemoteResourcesSyncInfo).where(models.RemoteResourcesSyncInfo.service_id == service_id)
    ).scalar_one_or_none()


def get_last_sync(service_id: int, session: Session) -> Optional[datetime.datetime]:
    """When the service last synced successfully (timezone-aware UTC), None if never."""
    return session.execute(
        sa.select(models.RemoteResourcesSyncInfo.last_sync)
        .where(models.RemoteResourcesSyncInfo.service_id == service_id)
    ).scalar()


def is_out_of_sync(last_sync: Optional[datetime.datetime], now: Optional[datetime.datetime] = None) -> bool:
    return last_sync is None or (now or models.utcnow()) - last_sync > OUT_OF_SYNC


# --- writing ----------------------------------------------------------------------------------

def _ensure_sync_info_exists(service_resource_id: int, session: Session) -> models.RemoteResourcesSyncInfo:
    """Make sure the RemoteResourcesSyncInfo entry exists in the database.

    :param service_resource_id: id of the service
    :param session: database session
    """
    info = _get_sync_info(service_resource_id, session)
    if info is None:
        info = models.RemoteResourcesSyncInfo(service_id=service_resource_id)
        session.add(info)
        session.flush()
    return info


def _get_remote_resources(service: models.Service):
    """Request remote resources, depending on service type.

    :param service: (models.Service)
    :return: (remote tree, problems met on the way that did not fail the sync)
    """
    sync_class = get_sync_type(service.sync_type)
    syncer = sync_class(service.resource_name, service.url, service.configuration)
    return syncer.get_resources(), syncer.problems  # validated once, by _plan_update


def _delete_records(service_id: int, session: Session) -> int:
    """Delete all RemoteResource based on a Service.resource_id (one statement). Returns the count."""
    session.execute(
        sa.update(models.RemoteResourcesSyncInfo)
        .where(models.RemoteResourcesSyncInfo.service_id == service_id)
        .values(remote_resource_id=None)
    )
    # Counted first: SQLite does not count the rows a cascade removes during the statement.
    count = session.execute(sa.select(sa.func.count()).where(_REMOTE.c.service_id == service_id)).scalar()
    session.execute(_REMOTE.delete().where(_REMOTE.c.service_id == service_id))
    zope.sqlalchemy.mark_changed(session)  # Core statements only: tell the transaction manager
    return count


def _create_main_resource(service_id: int, session: Session) -> int:
    """Creates a main resource for a service, whether one currently exists or not.

    Each RemoteResourcesSyncInfo has a main RemoteResource of the same name as the service.
    This is similar to the Service and Resource relationship. An existing main node is kept (its
    id must not change under pages that show it) and renamed if the service was; returns its id.

    :param service_id:
    :param session:
    """
    service = session.get(models.Service, service_id)
    if service is None:
        raise ValueError(f"no service with id {service_id}")
    info = _ensure_sync_info_exists(service_id, session)
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
def _plan_update(remote_resources: dict, service_id: int, session: Session) -> TreeDiff:
    if not is_valid_resource_schema(remote_resources) or len(remote_resources) != 1:
        raise ValueError(f"service {service_id}: the remote tree is not one main node in the resource tree schema")
    ((main_name, main_node),) = remote_resources.items()
    return plan_diff(_stored_rows(service_id, session), main_name, main_node)


def _chunks(items: list, size: int = BULK_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@gc_paused()
def _update_db(remote_resources: dict, service_id: int, session: Session) -> TreeDiff:
    """Writes remote resources to database.

    Applies the diff between the stored tree and ``remote_resources`` with bulk statements:
    gone nodes are deleted (in any order: removing a parent cascades to its children, and each
    statement is atomic), changed ones updated, new ones inserted with ids reserved up front so
    children can point at parents inserted in the same statement.

    :param remote_resources: ``{service_name: {"children": {...}, ...}}``
    :param service_id:
    :param session:
    :return: the applied diff (counts of added, removed, kept)
    """
    info = _ensure_sync_info_exists(service_id, session)
    # First write of the transaction: on SQLite it takes the database write lock, so the rows read
    # next and the ids reserved below cannot be raced by another writer.
    info.last_attempt = models.utcnow()
    session.flush()
    diff = _plan_update(remote_resources, service_id, session)

    for chunk in _chunks(diff.removed_ids):
        session.execute(_REMOTE.delete().where(_REMOTE.c.resource_id.in_(chunk)))
    if diff.changed:
        session.execute(
            _REMOTE.update().where(_REMOTE.c.resource_id == sa.bindparam("rid")),
            diff.changed,
        )
    if diff.added:
        ids = db.allocate_ids(session, _REMOTE, len(diff.added))
        db.bulk_insert(session, _REMOTE, _INSERT_COLUMNS, (
            (ids[index], service_id, ids[node.parent_index] if node.parent_index >= 0 else node.parent_id,
             node.resource_name, node.resource_display_name, node.resource_type, node.ordering)
            for index, node in enumerate(diff.added)
        ))
    main_id = diff.main_id if diff.main_id is not None else ids[0]
    if info.remote_resource_id != main_id:
        info.remote_resource_id = main_id
    session.flush()
    return diff


# --- syncing ----------------------------------------------------------------------------------

def _resolve_service(service: Union[models.Service, int, str], session: Session) -> models.Service:
    if isinstance(service, models.Service):
        return service
    query = sa.select(models.Service)
    if isinstance(service, int) or (isinstance(service, str) and service.isdigit()):
        query = query.where(models.Service.resource_id == int(service))
    else:
        query = query.where(models.Service.resource_name == service)
    found = session.execute(query).scalar_one_or_none()
    if found is None:
        raise LookupError(f"no service {service!r}")
    return found


def fetch_single_service(service: Union[models.Service, int], session: Session, dry_run: bool = False,
                         origin: Optional[str] = None) -> SyncResult:
    """Get remote resources for a single service.

    Crawls the service and replaces its stored remote tree by a diff, holding the service's sync
    lock (:class:`magpie.db.SyncAlreadyRunning` when another sync runs). On failure the stored
    tree is untouched, the error is recorded on the sync info and :class:`SyncError` is raised.
    With ``dry_run`` the diff is computed and nothing is written. The caller commits.

    :param service: (models.Service) or service_id
    :param session:
    :param origin: who asked (``cron``, ``api`` ...), kept in the sync history
    """
    service = _resolve_service(service, session)
    if not service.sync_type:
        raise ValueError(f"service {service.resource_name!r} has no sync type")
    result = SyncResult(service_id=service.resource_id, service_name=service.resource_name,
                        sync_type=service.sync_type, dry_run=dry_run)
    db.hold_sync_lock(session, service.resource_id)
    attempted = models.utcnow()
    started = time.monotonic()
    LOGGER.info("syncing service %r (%s) from %s", service.resource_name, service.sync_type, service.url)
    try:
        remote_resources, result.problems = _get_remote_resources(service)
        if dry_run:
            diff = _plan_update(remote_resources, service.resource_id, session)
        else:
            diff = _update_db(remote_resources, service.resource_id, session)
    except (RemoteError, ValueError) as exc:
        result.error = str(exc)
    result.duration = round(time.monotonic() - started, 3)
    for problem in result.problems:
        LOGGER.warning("service %r: %s", service.resource_name, problem)
    if result.error is None:
        result.added, result.removed, result.kept = len(diff.added), len(diff.removed_ids), diff.kept
        if dry_run:
            result.preview = {"added": diff.added_paths(PREVIEW_LIMIT), "removed": diff.removed_paths(PREVIEW_LIMIT)}
    if not dry_run:
        info = _ensure_sync_info_exists(service.resource_id, session)
        info.last_attempt = attempted
        info.last_duration = result.duration
        info.last_error = result.error
        if result.error is None:
            info.last_sync = models.utcnow()
            info.added, info.removed, info.kept = result.added, result.removed, result.kept
        _add_run(session, service, attempted, result, origin)
    if result.error is not None:
        LOGGER.error("sync of service %r failed after %.2f s: %s", service.resource_name, result.duration,
                     result.error)
        raise SyncError(result)
    LOGGER.info("service %r %s in %.2f s: %d added, %d removed, %d kept", service.resource_name,
                "checked (dry run)" if dry_run else "synced", result.duration, result.added, result.removed,
                result.kept)
    return result


def _failed_result(service_id: int, error: str, session: Session, record: bool) -> SyncResult:
    """The result of a sync that failed outside the crawl (a database error), recorded on the
    sync info and in the history unless ``record`` is false (dry runs)."""
    service = session.get(models.Service, service_id)
    result = SyncResult(service_id=service_id, service_name=service.resource_name,
                        sync_type=service.sync_type or "", error=error, dry_run=not record)
    if record:
        info = _ensure_sync_info_exists(service_id, session)
        info.last_attempt = models.utcnow()
        info.last_error = error
        _add_run(session, service, info.last_attempt, result, None)
    return result


def _add_run(session: Session, service: models.Service, started: datetime.datetime, result: SyncResult,
             origin: Optional[str]) -> None:
    """Append the run to the service's history and drop the runs beyond its ``history_size``."""
    session.add(models.SyncRun(
        service_id=service.resource_id, started=started, finished=models.utcnow(),
        status="success" if result.ok else "failed", added=result.added if result.ok else None,
        removed=result.removed if result.ok else None, kept=result.kept if result.ok else None,
        error=result.error, origin=origin or ("cron" if CRON_SERVICE else "in-process"),
    ))
    session.flush()
    keep = int((service.configuration or {}).get("history_size", SYNC_HISTORY_SIZE))
    runs = models.SyncRun.__table__
    newest = (sa.select(runs.c.id).where(runs.c.service_id == service.resource_id)
              .order_by(runs.c.started.desc(), runs.c.id.desc()).limit(keep))
    session.execute(runs.delete().where(runs.c.service_id == service.resource_id,
                                        runs.c.id.not_in(newest.scalar_subquery())))


def get_sync_history(service_id: int, session: Session, limit: Optional[int] = None) -> List[dict]:
    """The service's sync runs, newest first, as JSON-ready dicts (ISO 8601 UTC times)."""
    runs = models.SyncRun.__table__
    query = (sa.select(runs).where(runs.c.service_id == service_id)
             .order_by(runs.c.started.desc(), runs.c.id.desc()))
    if limit is not None:
        query = query.limit(limit)
    history = []
    for row in session.execute(query).mappings():
        entry = dict(row)
        for key in ("started", "finished"):
            entry[key] = entry[key].isoformat()
        entry["duration"] = round((row["finished"] - row["started"]).total_seconds(), 3)
        history.append(entry)
    return history


def _select_service_ids(session: Session, service_names: Optional[Iterable[str]] = None,
                        sync_types: Optional[Iterable[str]] = None) -> List[int]:
    """Ids of the services to sync: those with a sync type, chosen by ``sync_type`` (never by the
    service's ``type``), optionally narrowed by name."""
    query = sa.select(models.Service.resource_id, models.Service.resource_name).where(
        models.Service.sync_type.is_not(None)).order_by(models.Service.resource_name)
    if sync_types is not None:
        query = query.where(models.Service.sync_type.in_(list(sync_types)))
    if service_names is not None:
        names = list(service_names)
        rows = session.execute(query.where(models.Service.resource_name.in_(names))).all()
        missing = sorted(set(names) - {row.resource_name for row in rows})
        if missing:
            raise LookupError(f"no syncable service named {', '.join(map(repr, missing))}")
        return [row.resource_id for row in rows]
    return list(session.execute(query).scalars())


def _sync_in_own_transaction(engine: sa.engine.Engine, service_id: int, dry_run: bool = False) -> Optional[SyncResult]:
    """Sync one service in a transaction of its own. A failed sync commits only its recorded
    error; a database error rolls back this service alone and is recorded afterwards."""
    manager = transaction.TransactionManager(explicit=True)
    session = db.get_tm_session(db.get_session_factory(engine), manager)
    try:
        try:
            with manager:
                try:
                    return fetch_single_service(service_id, session, dry_run=dry_run)
                except SyncError as exc:
                    return exc.result
        except db.SyncAlreadyRunning as exc:
            LOGGER.warning("%s; skipped", exc)
            return None
        except sa.exc.SQLAlchemyError as exc:
            LOGGER.exception("database error while syncing service %s", service_id)
            error = f"database error: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
            with manager:
                return _failed_result(service_id, error, session, record=not dry_run)
    finally:
        session.close()


def _fetch_services(engine: sa.engine.Engine, service_ids: Iterable[int], dry_run: bool = False,
                    jobs: int = 1) -> List[SyncResult]:
    """Sync services ``jobs`` at a time, each in its own session and transaction."""
    service_ids = list(service_ids)
    if jobs <= 1 or len(service_ids) <= 1:
        results = [_sync_in_own_transaction(engine, service_id, dry_run) for service_id in service_ids]
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sync") as pool:
            results = list(pool.map(lambda sid: _sync_in_own_transaction(engine, sid, dry_run), service_ids))
    return [result for result in results if result is not None]


def fetch_all_services_by_type(service_type: str, session: Session) -> List[SyncResult]:
    """Get remote resources for all services of a certain type.

    ``service_type`` is the sync type (``thredds``, ``geoserver-api`` ...), which is what decides
    how a service is crawled. ``session`` picks the services and the database; each service then
    syncs and commits in a transaction of its own, so one failure never undoes or stops another.

    :param service_type:
    :param session:
    """
    service_ids = _select_service_ids(session, sync_types=[service_type])
    return _fetch_services(session.get_bind(), service_ids)


def fetch(settings: Optional[dict] = None, service_names: Optional[Iterable[str]] = None,
          sync_types: Optional[Iterable[str]] = None, dry_run: bool = False, jobs: int = 1) -> List[SyncResult]:
    """Main function to get all remote resources for each service and write to database.

    Every service with a sync type (or those named) is synced in its own transaction, ``jobs``
    services at a time; one failure never stops the others. ``settings`` default to the
    environment (``MAGPIE_DB_URL``).
    """
    from magpie.settings import settings_from_cli

    settings = settings or settings_from_cli()
    engine = db.get_engine(settings)
    with Session(engine) as session:
        service_ids = _select_service_ids(session, service_names, sync_types)
    return _fetch_services(engine, service_ids, dry_run, jobs)


# --- cron -------------------------------------------------------------------------------------

def setup_cron_logger(log_level: Union[int, str] = logging.INFO, log_file: Optional[str] = None) -> logging.Logger:
    """Log magpie's messages to stdout and, when ``log_file`` is given, to a rotating file
    (10 MB x 5)."""
    logger = logging.getLogger("magpie")
    logger.setLevel(log_level if isinstance(log_level, int) else log_level.upper())
    for handler in list(logger.handlers):
        if getattr(handler, "_magpie_cron", False):
            logger.removeHandler(handler)
            handler.close()
    formatter = logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s")
    handlers: List[logging.Handler] = [logging.StreamHandler(sys.stdout)]
    if log_file:
        handlers.append(logging.handlers.RotatingFileHandler(log_file, maxBytes=10 * 1024 * 1024, backupCount=5))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler._magpie_cron = True
        logger.addHandler(handler)
    logger.propagate = False
    return logger


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="magpie-sync-resources",
        description="Crawl the remote services that have a sync type and store their resource trees.",
    )
    parser.add_argument("--db", help="database URL (wins over --config and MAGPIE_DB_URL)")
    parser.add_argument("--config", help="ini file holding sqlalchemy.url (e.g. development.ini)")
    parser.add_argument("--service", action="append", dest="services", metavar="NAME",
                        help="sync only this service (repeatable)")
    parser.add_argument("--sync-type", action="append", dest="sync_types", metavar="TYPE",
                        help="sync only services of this sync type (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="crawl and report the diff, write nothing")
    parser.add_argument("--jobs", type=_at_least_one, default=1, metavar="N",
                        help="sync N services at a time, each in its own transaction (default 1)")
    parser.add_argument("--log-level", default="INFO", type=str.upper,
                        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    parser.add_argument("--log-file", help="also log to this file, rotated at 10 MB")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Main entry point for cron service.

    Exit status: 0 when every service synced, 1 when any failed, 2 for bad arguments or a
    database that cannot be used.
    """
    global CRON_SERVICE
    args = _parse_args(argv)
    CRON_SERVICE = True
    try:
        return _run_cron(args)
    finally:
        CRON_SERVICE = False


def _run_cron(args) -> int:
    from magpie.settings import SettingsError, settings_from_cli

    setup_cron_logger(args.log_level, args.log_file)
    try:
        settings = settings_from_cli(args.db, args.config)
        for sync_type in args.sync_types or ():
            get_sync_type(sync_type)
        if not db.is_database_ready(settings):
            raise SettingsError("the database is unreachable or not migrated (run magpie-migrate)")
        results = fetch(settings, args.services, args.sync_types, dry_run=args.dry_run, jobs=args.jobs)
    except (SettingsError, ValueError, LookupError, sa.exc.SQLAlchemyError) as exc:
        LOGGER.error("%s", exc)
        return 2
    failed = [result for result in results if not result.ok]
    LOGGER.info("%d service(s) synced, %d failed%s", len(results) - len(failed), len(failed),
                f": {', '.join(r.service_name for r in failed)}" if failed else "")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
