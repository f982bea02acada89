"""The seed contract (``sync_resources.rst``): every name is importable from the front door with
the seed's parameters, whatever the packages behind it look like."""
import inspect

import pytest

from magpie.helpers import sync_resources, sync_services

#: name -> the seed's parameters, in order (extra keyword parameters with defaults may follow).
SEED_FUNCTIONS = {
    "merge_local_and_remote_resources": ["resources_local", "service_sync_type", "service_id", "session"],
    "_merge_resources": ["resources_local", "resources_remote", "max_depth"],
    "_sort_resources": ["resources"],
    "_ensure_sync_info_exists": ["service_resource_id", "session"],
    "_get_remote_resources": ["service"],
    "_delete_records": ["service_id", "session"],
    "_create_main_resource": ["service_id", "session"],
    "_update_db": ["remote_resources", "service_id", "session"],
    "_get_resource_children": ["resource", "db_session"],
    "_format_resource_tree": ["children"],
    "_query_remote_resources_in_database": ["service_id", "session"],
    "get_last_sync": ["service_id", "session"],
    "fetch_all_services_by_type": ["service_type", "session"],
    "fetch_single_service": ["service", "session"],
    "fetch": [],
    "setup_cron_logger": [],
    "main": [],
}


@pytest.mark.parametrize("name, parameters", SEED_FUNCTIONS.items())
def test_every_seed_function_keeps_its_parameters(name, parameters):
    function = getattr(sync_resources, name)
    signature = inspect.signature(function)
    names = list(signature.parameters)
    assert names[:len(parameters)] == parameters
    for extra in names[len(parameters):]:  # anything beyond the seed's parameters is optional
        assert signature.parameters[extra].default is not inspect.Parameter.empty, f"{name}({extra})"
    assert function.__doc__ or name in ("get_last_sync", "_format_resource_tree", "setup_cron_logger")


def test_the_seed_constants_and_the_companion_module():
    assert sync_resources.CRON_SERVICE is False
    assert sync_resources.OUT_OF_SYNC.total_seconds() > 0
    assert sync_resources.LOGGER.name == "magpie.helpers.sync_resources"
    assert {"SyncServiceInterface", "SYNC_SERVICES_TYPES", "is_valid_resource_schema"} <= set(dir(sync_services))
