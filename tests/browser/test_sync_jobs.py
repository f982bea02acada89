"""Syncs as background jobs in Chromium: the progress bar moves while a slow THREDDS server
answers, Cancel stops the job, the tree reloads at the end, the services page shows running syncs.
On PostgreSQL the jobs run in a real ``magpie-worker`` (see ``live_app``)."""
import time

import pytest

from tests.browser.helpers import expect, node, status, wait_for_tree
from tests.support.live_app import sign_in
from tests.support.thredds_catalogs import catalog_xml

pytestmark = pytest.mark.browser

CHILDREN = 12
PATIENCE = 60000  # ms: generous, never Playwright's default


def slow_service(live_app, remote, delay: float) -> int:
    remote.add("/thredds/catalog.xml", catalog_xml(refs=[(f"d{i}/catalog.xml", f"d{i}") for i in range(CHILDREN)]))
    for index in range(CHILDREN):
        remote.add(f"/thredds/d{index}/catalog.xml", catalog_xml(files=[("x.nc", f"d{index}/x.nc")]), delay=delay)
    return live_app.create_service("thredds", remote.url + "/thredds", configuration={"pool_size": 1})


def bar_value(page) -> float:
    return float(page.locator("#sync-job-bar").evaluate("bar => bar.value"))


def wait_for_bar(page, above: float) -> float:
    """The bar's value once it is above ``above`` (the page's CSP refuses wait_for_function)."""
    deadline = time.monotonic() + PATIENCE / 1000
    while time.monotonic() < deadline:
        value = bar_value(page)
        if value > above:
            return value
        page.wait_for_timeout(50)
    pytest.fail(f"the progress bar stayed at {bar_value(page)}, not above {above}")


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_progress_bar_moves_then_the_tree_reloads(browser_page, live_app, remote, database):
    page = browser_page
    service_id = slow_service(live_app, remote, delay=0.4)
    sign_in(page, path=f"/ui/services/{service_id}")
    wait_for_tree(page)
    page.locator('[data-action="sync"]').click()
    expect(page.locator("#sync-job")).to_be_visible(timeout=PATIENCE)
    expect(page.locator("#sync-job-text")).to_contain_text("documents read", timeout=PATIENCE)
    first = wait_for_bar(page, 1)
    wait_for_bar(page, first)
    expect(page.locator("#sync-job-text")).to_contain_text("nodes found", timeout=PATIENCE)
    expect(status(page)).to_contain_text(f"{2 * CHILDREN + 1} added, 0 removed, 0 kept", timeout=PATIENCE)
    expect(page.locator("#tree-page")).to_have_attribute("data-tree-loads", "2", timeout=PATIENCE)
    expect(node(page, "thredds", "d0")).to_have_attribute("data-badge", "remote", timeout=PATIENCE)
    expect(page.locator("#sync-job")).to_be_hidden(timeout=PATIENCE)
    expect(page.locator('[data-action="sync"]')).to_be_enabled(timeout=PATIENCE)


def test_cancel_stops_the_sync_and_the_services_page_shows_running_ones(browser_page, live_app, remote):
    page = browser_page
    service_id = slow_service(live_app, remote, delay=1.0)
    sign_in(page, path="/ui/services")
    run = live_app.call("POST", f"/services/{service_id}/sync", 202)["run"]
    page.reload()
    expect(page.locator(f'tr[data-service-id="{service_id}"] [data-running-sync]')).to_contain_text(
        "documents read", timeout=PATIENCE)
    live_app.call("POST", f"/services/{service_id}/sync/runs/{run['id']}/cancel")
    expect(page.locator("[data-running-sync]")).to_have_count(0, timeout=PATIENCE)  # reloaded once it ended

    page.goto(f"/ui/services/{service_id}")
    wait_for_tree(page)
    page.locator('[data-action="sync"]').click()
    wait_for_bar(page, 0)
    page.locator("#sync-job-cancel").click()
    expect(status(page)).to_contain_text("Sync cancelled: nothing was written.", timeout=PATIENCE)
    assert live_app.call("GET", f"/services/{service_id}/sync")["sync"]["last_sync"] is None
    expect(page.locator('[data-action="sync"]')).to_be_enabled(timeout=PATIENCE)
