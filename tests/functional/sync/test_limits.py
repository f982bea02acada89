"""Retries, time budget and node limit against servers on 127.0.0.1 that fail, stall and trickle."""
import pytest

from magpie import models

from tests.functional.sync.helpers import names, stored_tree, sync, sync_fails
from tests.support.thredds_catalogs import catalog_xml

FAST_RETRY = {"retry_backoff": 0.05}


@pytest.mark.parametrize("fail_status", [502, 503, 504, 0])
def test_gets_are_retried_after_gateway_errors_and_dropped_connections(session, tm, remote, add_service,
                                                                       fail_status):
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("a", "a.nc")]), fail_first=2, fail_status=fail_status)
    service_id = add_service(url=remote.url + "/thredds", configuration=FAST_RETRY)
    assert sync(session, tm, service_id).ok
    assert remote.requests.count("/thredds/catalog.xml") == 3


def test_retries_give_up_after_the_configured_count(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(), fail_first=5, fail_status=503)
    service_id = add_service(url=remote.url + "/thredds", configuration={**FAST_RETRY, "retries": 1})
    sync_fails(session, tm, service_id, "HTTP 503")
    assert remote.requests.count("/thredds/catalog.xml") == 2


def test_client_errors_are_not_retried(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", b"", status=404)
    service_id = add_service(url=remote.url + "/thredds", configuration=FAST_RETRY)
    sync_fails(session, tm, service_id, "HTTP 404")
    assert remote.requests.count("/thredds/catalog.xml") == 1


def test_time_budget_fails_the_whole_sync_and_keeps_the_last_good_tree(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(refs=[(f"catalog/d{i}/catalog.xml", f"d{i}") for i in range(6)]))
    for index in range(6):
        remote.add(f"/thredds/catalog/d{index}/catalog.xml", catalog_xml(files=[("f", f"d{index}/f.nc")]))
    service_id = add_service(url=remote.url + "/thredds", configuration={"pool_size": 2})
    sync(session, tm, service_id)
    with tm:
        good = stored_tree(session, service_id)
    for index in range(6):
        remote.routes[f"/thredds/catalog/d{index}/catalog.xml"].delay = 0.4
    with tm:
        service = session.get(models.Service, service_id)
        service.configuration = {"pool_size": 2, "time_budget": 0.6}
    sync_fails(session, tm, service_id, "time budget ran out")
    with tm:
        assert stored_tree(session, service_id) == good


def test_node_limit_counts_nodes_across_catalogs(session, tm, remote, add_service):
    remote.add("/thredds/catalog.xml", catalog_xml(refs=[(f"catalog/d{i}/catalog.xml", f"d{i}") for i in range(3)]))
    for index in range(3):
        remote.add(f"/thredds/catalog/d{index}/catalog.xml",
                   catalog_xml(files=[(f"f{j}", f"d{index}/f{j}.nc") for j in range(4)]))
    service_id = add_service(url=remote.url + "/thredds", configuration={"max_nodes": 15})
    assert sync(session, tm, service_id).ok  # 3 directories + 12 files
    with tm:
        assert len(names(stored_tree(session, service_id))["thredds"]) == 3
    remote.add("/thredds/catalog/d2/catalog.xml", catalog_xml(files=[(f"f{j}", f"d2/f{j}.nc") for j in range(5)]))
    sync_fails(session, tm, service_id, "more than 15 remote nodes")
