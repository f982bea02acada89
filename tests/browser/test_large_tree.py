"""A tree of about 100,000 nodes opens without freezing the browser: it renders the first level
only and expands on demand. The test prints how long the page takes to become usable and asserts
only that it renders and expands (tests never assert on time)."""
import pytest

from tests.browser.helpers import expect, node
from tests.browser.large_tree import (LargeTreeShape, describe, measure_filter, measure_tree_page,
                                      service_with_large_tree)
from tests.support.live_app import LiveApp, app_settings, screenshot_path, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(database_url):
    """The app as in production: answers are not checked against the OpenAPI document, which
    takes minutes for a tree this size."""
    app = LiveApp(app_settings(database_url, **{"magpie.api.validate_responses": "false"})).start()
    yield app
    app.stop()


def test_hundred_thousand_nodes_open_lazily(browser_page, live_app, remote, capsys):
    page = browser_page
    shape = LargeTreeShape()
    service_id = service_with_large_tree(live_app, remote, shape)
    sign_in(page)

    timings = measure_tree_page(page, service_id)

    expect(page.locator(".count-total")).to_have_text(f"{shape.merged_nodes:,} resources")
    assert page.locator('#counts [data-badge="gone"] .count-number').inner_text() == f"{shape.gone_nodes:,}"
    remote_only = len(range(0, shape.dirs * shape.subdirs * shape.files, shape.remote_only_every))
    assert page.locator('#counts [data-badge="remote"] .count-number').inner_text() == f"{remote_only:,}"
    # Only what is open is in the page: the root, 10 directories, d00's 100 sub-directories and
    # s000's 99 files + 1 gone one (measure_tree_page expanded those two).
    assert timings["treeitems"] == 1 + shape.dirs
    items = page.locator('#tree [role="treeitem"]')
    expect(items).to_have_count(1 + shape.dirs + shape.subdirs + shape.files + 1)
    expect(node(page, "d00", "s000", "f001.nc")).to_have_attribute("data-badge", "matches")
    expect(node(page, "d00", "s000", "f000.nc")).to_have_attribute("data-badge", "remote")
    expect(node(page, "d00", "s000", "gone.nc")).to_have_attribute("data-badge", "gone")
    # The filter looks through all of it (on the server) but shows at most 1,000 matches.
    timings["filter"] = measure_filter(page, "f04")  # f040.nc ... f049.nc in each sub-directory
    expect(page.locator("#filter-note")).to_have_text(
        "10,000 resources match; showing the first 1,000. Refine the filter to see the others.")
    expect(page.locator("#tree .is-match")).to_have_count(1000)
    page.screenshot(path=str(screenshot_path("large-tree-1280")))
    figure = describe(timings, shape.merged_nodes)
    with capsys.disabled():
        print(f"\n[ui-tree-benchmark] {figure}")
    screenshot_path("large-tree-timing").with_suffix(".txt").write_text(figure + "\n", encoding="utf-8")
