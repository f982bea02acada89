"""The counts above the tree filter it again: each badge's count is a toggle button that asks the
server for only the nodes of that status with their ancestors (``status``), alone or with the
name filter (``q``, both sent), and the whole tree comes back when it is pressed again."""
import pytest

from tests.browser.helpers import expect, node, wait_for_tree
from tests.support.live_app import sign_in
from tests.support.thredds_catalogs import catalog_xml

pytestmark = pytest.mark.browser

CATALOG = catalog_xml("Birdhouse THREDDS", files=[
    ("ta.nc", "birdhouse/testdata/ta.nc"), ("pr.nc", "birdhouse/testdata/pr.nc"), ("x.nc", "ouranos/x.nc")])


def synced_service(live_app, remote) -> int:
    """Matches: birdhouse, testdata, ta.nc; only remote: ouranos, x.nc, pr.nc; gone: old.nc (below
    birdhouse) and retired (on the first level)."""
    remote.add("/thredds/catalog.xml", CATALOG)
    service_id = live_app.create_service("thredds", remote.url + "/thredds")
    birdhouse = live_app.create_resource(service_id, "birdhouse")
    live_app.create_resource(service_id, "old.nc", "file", birdhouse)
    testdata = live_app.create_resource(service_id, "testdata", "directory", birdhouse)
    live_app.create_resource(service_id, "ta.nc", "file", testdata)
    live_app.create_resource(service_id, "retired")
    live_app.sync(service_id)
    return service_id


def shown(page) -> list:
    """The names of the tree items on the page, in document order."""
    return page.locator('#tree [role="treeitem"]').evaluate_all("items => items.map(i => i.dataset.resourceName)")


def count_button(page, badge: str):
    return page.locator(f'#counts button[data-action="status-filter"][data-badge="{badge}"]')


def tree_requests(page) -> list:
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/resources?" in request.url else None)
    return asked


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_gone_count_shows_only_gone_nodes_and_their_ancestors(browser_page, live_app, remote, database):
    page = browser_page
    service_id = synced_service(live_app, remote)
    sign_in(page, path=f"/ui/services/{service_id}")
    wait_for_tree(page)
    asked = tree_requests(page)
    first_level = ["thredds", "birdhouse", "ouranos", "retired"]
    assert shown(page) == first_level
    gone = count_button(page, "gone")
    expect(gone).to_have_attribute("aria-pressed", "false")
    expect(gone.locator(".count-number")).to_have_text("2")
    # Every badge the server filters on is such a button, named by its badge and count.
    expect(page.locator('#counts button[data-action="status-filter"]')).to_have_count(4)
    expect(page.get_by_role("button", name="gone remotely: 2", exact=True)).to_have_count(1)

    gone.click()
    expect(gone).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#filter-note")).to_have_text("Only “gone remotely”: 2 resources match.")
    expect(page.locator("#tree .is-match")).to_have_count(2)
    assert shown(page) == ["thredds", "birdhouse", "old.nc", "retired"]
    expect(node(page, "birdhouse", "old.nc")).to_have_attribute("data-badge", "gone")
    expect(node(page, "thredds", "retired")).to_have_attribute("data-badge", "gone")
    expect(node(page, "thredds", "birdhouse")).not_to_have_class("node is-match")  # an ancestor, shown
    assert any("status=gone" in url and "sync=true" in url for url in asked), asked

    # Pressed again (by keyboard, the focus staying on it): the whole first level, as before.
    gone.focus()
    page.keyboard.press("Enter")
    expect(gone).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#filter-note")).to_have_text("")
    expect(node(page, "thredds", "ouranos")).to_have_count(1)
    assert shown(page) == first_level
    expect(node(page, "thredds", "birdhouse")).to_have_attribute("aria-expanded", "false")
    expect(gone).to_be_focused()
    # Space presses it too; another badge's button takes over from it.
    page.keyboard.press(" ")
    expect(gone).to_have_attribute("aria-pressed", "true")
    expect(node(page, "thredds", "ouranos")).to_have_count(0)
    count_button(page, "remote").click()
    expect(count_button(page, "remote")).to_have_attribute("aria-pressed", "true")
    expect(gone).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#tree .is-match")).to_have_count(3)
    assert shown(page) == ["thredds", "birdhouse", "testdata", "pr.nc", "ouranos", "x.nc"]


def test_a_count_combines_with_the_name_filter(browser_page, live_app, remote):
    page = browser_page
    service_id = synced_service(live_app, remote)
    sign_in(page, path=f"/ui/services/{service_id}")
    wait_for_tree(page)
    asked = tree_requests(page)
    name_filter = page.get_by_label("Filter by name")

    # The name first: both gone nodes and a matching one ...
    name_filter.fill("re")
    expect(page.locator("#filter-note")).to_have_text("1 resource matches.")
    assert shown(page) == ["thredds", "retired"]
    name_filter.fill(".nc")
    expect(page.locator("#filter-note")).to_have_text("4 resources match.")
    # ... then the count: both are sent, and only gone nodes whose name matches are shown.
    count_button(page, "gone").click()
    expect(page.locator("#filter-note")).to_have_text("Only “gone remotely”: 1 resource matches.")
    assert shown(page) == ["thredds", "birdhouse", "old.nc"]
    assert any("status=gone" in url and "q=.nc" in url for url in asked), asked
    # Emptying the name leaves the count's filter; releasing the count leaves the name's.
    name_filter.fill("")
    expect(page.locator("#filter-note")).to_have_text("Only “gone remotely”: 2 resources match.")
    assert shown(page) == ["thredds", "birdhouse", "old.nc", "retired"]
    name_filter.fill("x")
    expect(page.locator("#filter-note")).to_have_text("Only “gone remotely”: no resource matches.")
    count_button(page, "gone").click()
    expect(page.locator("#filter-note")).to_have_text("1 resource matches.")
    assert shown(page) == ["thredds", "ouranos", "x.nc"]
    # With neither, the tree as it was.
    name_filter.fill("")
    expect(page.locator("#filter-note")).to_have_text("")
    assert shown(page) == ["thredds", "birdhouse", "ouranos", "retired"]


def test_the_unverified_count_comes_from_the_server_and_filters_too(browser_page, live_app, remote):
    page = browser_page
    refs = [("catalog/a/catalog.xml", "A"), ("catalog/b/catalog.xml", "B")]
    remote.add("/thredds/catalog.xml", catalog_xml(refs=refs))
    remote.add("/thredds/catalog/a/catalog.xml", catalog_xml("a", files=[("x", "a/x.nc")]))
    remote.add("/thredds/catalog/b/catalog.xml", catalog_xml("b", files=[("y", "b/y.nc")]))
    service_id = live_app.create_service("thredds", remote.url + "/thredds", configuration={"retries": 0})
    live_app.sync(service_id)
    remote.add("/thredds/catalog/b/catalog.xml", b"", status=503)
    live_app.sync(service_id)  # partial: b and y.nc are kept as not verified
    sign_in(page, path=f"/ui/services/{service_id}")
    wait_for_tree(page)
    unverified = count_button(page, "unverified")
    # The whole tree's count (y.nc is not loaded yet), not the loaded part's.
    expect(unverified.locator(".count-number")).to_have_text("2")
    unverified.click()
    expect(page.locator("#filter-note")).to_have_text("Only “not verified”: 2 resources match.")
    assert shown(page) == ["thredds", "b", "y.nc"]
    expect(node(page, "b", "y.nc")).to_have_attribute("data-badge", "unverified")
