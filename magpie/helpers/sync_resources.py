"""Synchronize local and remote resources.

To implement a new service, see the _SyncServiceInterface class
(:class:`magpie.helpers.sync_services.SyncServiceInterface`).

This module is the front door of the seed contract: every name of ``sync_resources.rst`` is here
with its parameters and docstring, and delegates to the sync engine in :mod:`magpie.sync`, where
the work is done (merge, stored tree, runner, cron).
"""
import datetime
import logging
import sys
from typing import Dict, List, Optional, Union

from sqlalchemy.orm import Session

from magpie import models
from magpie.sync import cron, merge, runner, status, store
from magpie.sync.runner import SyncError, SyncResult
from magpie.sync.status import OUT_OF_SYNC, get_sync_history, is_out_of_sync
from magpie.sync.tree import TreeDiff

__all__ = [  # the seed's names, then what in-process callers also need
    "LOGGER", "CRON_SERVICE", "OUT_OF_SYNC", "merge_local_and_remote_resources", "_merge_resources",
    "_sort_resources", "_ensure_sync_info_exists", "_get_remote_resources", "_delete_records",
    "_create_main_resource", "_update_db", "_get_resource_children", "_format_resource_tree",
    "_query_remote_resources_in_database", "get_last_sync", "fetch_all_services_by_type", "fetch_single_service",
    "fetch", "setup_cron_logger", "main",
    "SyncError", "SyncResult", "get_sync_history", "is_out_of_sync",
]

LOGGER = logging.getLogger(__name__)

#: Kept for the seed contract: the cron command records its own origin (``cron``) on each run
#: instead of flipping a module flag.
CRON_SERVICE = False


def merge_local_and_remote_resources(resources_local: dict, service_sync_type: str, service_id: int,
                                     session: Session) -> dict:
    """Main function to sync resources with remote server.

    Returns the local tree merged with the stored remote tree of ``service_id`` (see
    :func:`_merge_resources`), sorted by name at every level. Reads only; ``resources_local`` is
    not modified.
    """
    return store.merged_tree(resources_local, service_sync_type, service_id, session)


def _merge_resources(resources_local: dict, resources_remote: dict, max_depth: Optional[int] = None) -> dict:
    """Merge resources_local and resources_remote, adding the following keys to the output:

        - remote_id: id of the RemoteResource
        - matches_remote: True or False depending if the resource is present on the remote server

    :returns: dictionary of the form validated by `magpie.helpers.sync_services.is_valid_resource_schema`.
    """
    return merge.merge_trees(resources_local, resources_remote, max_depth)


def _sort_resources(resources: dict) -> None:
    """Sorts a resource dictionary of the type validated by 'sync_services.is_valid_resource_schema' by using an
    OrderedDict.

    (Plain dicts keep their order: sorted in place by name at every level.)

    :return: None
    """
    merge.sort_tree(resources)


def _ensure_sync_info_exists(service_resource_id: int, session: Session) -> models.RemoteResourcesSyncInfo:
    """Make sure the RemoteResourcesSyncInfo entry exists in the database.

    :param service_resource_id:
    :param session:
    """
    return store.ensure_sync_info(service_resource_id, session)


def _get_remote_resources(service: models.Service) -> dict:
    """Request remote resources, depending on service type.

    :param service: (models.Service)
    :return: the remote tree, as the seed's; the problems met on the way that did not fail the
        crawl are logged as warnings (a sync also keeps them in its result)
    """
    tree, problems = runner.crawl(service)
    for problem in problems:
        LOGGER.warning("service %r: %s", service.resource_name, problem)
    return tree


def _delete_records(service_id: int, session: Session) -> int:
    """Delete all RemoteResource based on a Service.resource_id.

    :param service_id:
    :param session:
    :return: how many nodes were deleted
    """
    return store.delete_remote_tree(service_id, session)


def _create_main_resource(service_id: int, session: Session) -> int:
    """Creates a main resource for a service, whether one currently exists or not.

    Each RemoteResourcesSyncInfo has a main RemoteResource of the same name as the service.
    This is similar to the Service and Resource relationship.

    :param service_id:
    :param session:
    :return: the id of the main node (an existing one keeps its id)
    """
    return store.ensure_main_node(service_id, session)


def _update_db(remote_resources: dict, service_id: int, session: Session) -> TreeDiff:
    """Writes remote resources to database.

    :param remote_resources:
    :param service_id:
    :param session:
    :return: the applied diff (nodes keep their ids while they exist remotely)
    """
    return store.apply_update(remote_resources, service_id, session)


def _get_resource_children(resource: models.RemoteResource, db_session: Session) -> Dict[int, dict]:
    """Mostly copied from ziggurat_foundations to use RemoteResource instead of Resource.

    :param resource:
    :param db_session:
    :return: ``{id: {"node": row, "children": {...}}}`` at every depth
    """
    return store.subtree_of(resource, db_session)


def _format_resource_tree(children: Dict[int, dict]) -> dict:
    return store.format_subtree(children)


def _query_remote_resources_in_database(service_id: int, session: Session) -> dict:
    """Reads remote resources from the RemoteResources table. No external request is made.

    :return: a dictionary of the form defined in 'sync_services.is_valid_resource_schema'
    """
    return store.read_remote_tree(service_id, session)


def get_last_sync(service_id: int, session: Session) -> Optional[datetime.datetime]:
    return status.get_last_sync(service_id, session)


def fetch_all_services_by_type(service_type: str, session: Session) -> List[SyncResult]:
    """Get remote resources for all services of a certain type.

    ``service_type`` is the sync type, which decides how a service is crawled; each service syncs
    and commits in a transaction of its own.

    :param service_type:
    :param session:
    """
    service_ids = cron.select_service_ids(session, sync_types=[service_type])
    return runner.sync_services(session.get_bind(), service_ids)


def fetch_single_service(service: Union[models.Service, int], session: Session, dry_run: bool = False,
                         origin: str = runner.IN_PROCESS) -> SyncResult:
    """Get remote resources for a single service.

    :param service: (models.Service) or service_id
    :param session:
    :param origin: who asked (``cron``, ``api`` ...), kept in the sync history
    """
    return runner.sync_service(service, session, dry_run=dry_run, origin=origin)


def fetch(settings: Optional[dict] = None, service_names=None, sync_types=None, dry_run: bool = False,
          jobs: int = 1) -> List[SyncResult]:
    """Main function to get all remote resources for each service and write to database.

    ``settings`` default to the environment (``MAGPIE_DB_URL``).
    """
    return cron.fetch(settings, service_names, sync_types, dry_run, jobs)


def setup_cron_logger(log_level: Union[int, str] = logging.INFO, log_file: Optional[str] = None) -> logging.Logger:
    return cron.setup_cron_logger(log_level, log_file)


def main(argv: Optional[List[str]] = None) -> int:
    """Main entry point for cron service."""
    return cron.run(cron.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
