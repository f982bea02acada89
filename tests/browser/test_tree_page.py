"""The resource tree page in Chromium against a THREDDS-like server: sync, preview, clean, adopt,
the keyboard, the filter and paging of wide levels."""
import re

import pytest

from tests.browser.helpers import count_of, expand, expect, node, status, wait_for_tree
from tests.support.live_app import NARROW, WIDE, screenshot_path, sign_in
from tests.support.thredds_catalogs import catalog_xml

pytestmark = pytest.mark.browser

CATALOG = catalog_xml("Birdhouse THREDDS", files=[
    ("ta.nc", "birdhouse/testdata/ta.nc"), ("pr.nc", "birdhouse/testdata/pr.nc"), ("x.nc", "ouranos/x.nc")])
CATALOG_WITHOUT_TA = catalog_xml("Birdhouse THREDDS", files=[
    ("pr.nc", "birdhouse/testdata/pr.nc"), ("x.nc", "ouranos/x.nc")])


def local_names(live_app, service_id: int) -> dict:
    def names(tree):
        return {name: names(child["children"]) for name, child in tree.items()}
    return names(live_app.tree(service_id, merged=False))


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_sync_preview_clean_and_adopt(browser_page, live_app, remote, database):
    page = browser_page
    remote.add("/thredds/catalog.xml", CATALOG, delay=0.5)  # slow enough to watch the buttons work
    service_id = live_app.create_service("thredds", remote.url + "/thredds")
    birdhouse = live_app.create_resource(service_id, "birdhouse")
    old_id = live_app.create_resource(service_id, "old.nc", "file", birdhouse)
    live_app.create_resource(service_id, "testdata", "directory", birdhouse)

    sign_in(page, path=f"/ui/services/{service_id}")
    assert page.url.endswith(f"/ui/services/{service_id}")
    wait_for_tree(page)
    expect(page.locator("#sync-warning")).to_contain_text("never synced")
    expect(page.locator("#last-sync")).to_have_text("never")
    expand(page, "thredds", "birdhouse")
    expect(node(page, "birdhouse", "old.nc")).to_have_attribute("data-badge", "unsynced")
    expect(page.locator('[data-action="clean"]')).to_be_disabled()

    # Preview: the dry-run diff, nothing written.
    page.locator('[data-action="preview"]').click()
    expect(page.locator('[data-action="preview"]')).to_have_text("Previewing…")
    expect(status(page)).to_contain_text("Asking the remote service")
    expect(status(page)).to_contain_text("Preview ready: a sync now would add 7, remove 0 and keep 0")
    expect(page.locator("#preview-panel")).to_be_visible()
    expect(page.locator("#preview-added")).to_contain_text("birdhouse/testdata/ta.nc")
    expect(page.locator("#preview-removed")).to_have_text("nothing")
    assert live_app.call("GET", f"/services/{service_id}/sync")["sync"]["last_sync"] is None
    expect(node(page, "birdhouse", "old.nc")).to_have_attribute("data-badge", "unsynced")

    # Sync now: it shows that it runs, then the result, and the badges change.
    page.locator('[data-action="sync"]').click()
    expect(page.locator('[data-action="sync"]')).to_have_attribute("aria-busy", "true")
    expect(status(page)).to_contain_text("Syncing with the remote service")
    expect(status(page)).to_contain_text("7 added, 0 removed, 0 kept")
    wait_for_tree(page, loads=2)
    expect(page.locator('[data-action="sync"]')).to_have_text("Sync now")
    expect(page.locator("#preview-panel")).to_be_hidden()
    expect(page.locator("#last-sync")).to_have_text("just now")
    expect(page.locator("#sync-warning")).to_be_hidden()
    expect(page.locator("#service-status")).to_have_text("synced")
    old = node(page, "birdhouse", "old.nc")
    expect(old).to_have_attribute("data-badge", "gone")
    expect(old).to_have_attribute("data-matches-remote", "false")
    expect(old).to_have_attribute("data-resource-id", str(old_id))
    expect(old).to_have_attribute("data-remote-id", "")
    expect(node(page, "thredds", "birdhouse")).to_have_attribute("data-badge", "matches")
    assert node(page, "thredds", "birdhouse").get_attribute("data-remote-id").isdigit()
    ouranos = node(page, "thredds", "ouranos")
    expect(ouranos).to_have_attribute("data-badge", "remote")
    expect(ouranos).to_have_attribute("data-resource-id", "")
    assert count_of(page, "gone") == "1" and count_of(page, "remote") == "4" and count_of(page, "matches") == "2"

    # Remove gone resources: it lists exactly what goes and asks first.
    clean = page.locator('[data-action="clean"]')
    expect(clean).to_have_text("Remove gone resources (1)")
    clean.click()
    dialog = page.locator("#clean-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#clean-list > li")).to_have_count(1)
    expect(dialog.locator("#clean-list > li")).to_contain_text("thredds/birdhouse/old.nc")
    page.screenshot(path=str(screenshot_path(f"clean-dialog-{database}-1280")))
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(old).to_have_count(1)
    clean.click()
    dialog.get_by_role("button", name="Remove 1 resource").click()
    expect(status(page)).to_contain_text("Removed 1 resource.")
    wait_for_tree(page, loads=3)
    expect(old).to_have_count(0)
    assert "old.nc" not in local_names(live_app, service_id)["thredds"]["birdhouse"]
    expect(clean).to_be_disabled()

    # Add to local tree: a remote-only file below a local directory ...
    expand(page, "thredds", "birdhouse", "testdata")
    ta = node(page, "testdata", "ta.nc")
    expect(ta).to_have_attribute("data-badge", "remote")
    ta.get_by_role("button", name="Add to local tree: thredds/birdhouse/testdata/ta.nc").click()
    expect(status(page)).to_contain_text("Added thredds/birdhouse/testdata/ta.nc to the local tree (1 resource")
    expect(ta).to_have_attribute("data-badge", "matches")
    ta_id = ta.get_attribute("data-resource-id")
    assert ta_id.isdigit()
    # ... and one below a remote-only directory, which is created too.
    expand(page, "thredds", "ouranos")
    node(page, "ouranos", "x.nc").locator('button[data-action="adopt"]').click()
    expect(status(page)).to_contain_text("(2 resources created)")
    expect(node(page, "ouranos", "x.nc")).to_have_attribute("data-badge", "matches")
    expect(ouranos).to_have_attribute("data-badge", "matches")
    assert ouranos.get_attribute("data-resource-id").isdigit()
    assert count_of(page, "remote") == "1" and count_of(page, "matches") == "5"
    tree = live_app.tree(service_id)["thredds"]["children"]
    assert tree["birdhouse"]["children"]["testdata"]["children"]["ta.nc"]["id"] == int(ta_id)
    assert tree["ouranos"]["children"]["x.nc"]["id"] is not None

    # The remote service drops ta.nc: the next sync says so.
    remote.add("/thredds/catalog.xml", CATALOG_WITHOUT_TA)
    page.locator('[data-action="sync"]').click()
    expect(status(page)).to_contain_text("0 added, 1 removed")
    wait_for_tree(page, loads=4)
    expect(ta).to_have_attribute("data-badge", "gone")
    expect(ta).to_have_attribute("data-resource-id", ta_id)
    expect(node(page, "testdata", "pr.nc")).to_have_attribute("data-badge", "remote")
    assert page.locator("#tree").get_attribute("role") == "tree"
    page.screenshot(path=str(screenshot_path(f"tree-{database}-1280")), full_page=True)
    page.set_viewport_size(NARROW)
    page.screenshot(path=str(screenshot_path(f"tree-{database}-400")), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    page.set_viewport_size(WIDE)


def test_failed_sync_and_ended_session(browser_page, live_app, remote):
    page = browser_page
    remote.add("/thredds/catalog.xml", b"temporarily broken", status=500, content_type="text/plain")
    service_id = live_app.create_service("thredds", remote.url + "/thredds")
    sign_in(page, path=f"/ui/services/{service_id}")
    wait_for_tree(page)
    page.locator('[data-action="sync"]').click()
    expect(status(page)).to_contain_text("Sync failed:")
    expect(status(page)).to_contain_text("HTTP 500")
    expect(page.locator("#sync-error")).to_be_visible()
    expect(page.locator("#sync-error-text")).to_contain_text("HTTP 500")
    expect(page.locator("#service-status")).to_have_text("failed")
    expect(page.locator('[data-action="sync"]')).to_be_enabled()

    page.context.clear_cookies()
    page.locator('[data-action="preview"]').click()
    expect(status(page)).to_contain_text("your session has ended")
    page.get_by_role("link", name="Sign in again").click()
    page.wait_for_url("**/ui/signin?next=*")


def test_keyboard_and_tree_roles(browser_page, live_app, remote):
    page = browser_page
    remote.add("/thredds/catalog.xml", CATALOG)
    service_id = live_app.create_service("thredds", remote.url + "/thredds")
    live_app.sync(service_id)
    sign_in(page, path=f"/ui/services/{service_id}")
    wait_for_tree(page)

    # Tab reaches the controls ...
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.action") == "sync":
            break
    else:
        pytest.fail("Tab never reached the Sync now button")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "preview"

    # ... and the tree, one tab stop whose arrows move inside.
    assert page.locator('#tree [role="treeitem"][tabindex="0"]').count() == 1
    root = node(page, "thredds")
    expect(root).to_have_attribute("aria-level", "1")
    root.focus()
    focused = "document.activeElement.dataset.resourceName"
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == "birdhouse"
    birdhouse = node(page, "thredds", "birdhouse")
    expect(birdhouse).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowRight")
    expect(birdhouse).to_have_attribute("aria-expanded", "true")
    expect(birdhouse.locator(':scope > ul[role="group"]')).to_have_count(1)
    page.keyboard.press("ArrowRight")
    assert page.evaluate(focused) == "testdata"
    expect(node(page, "birdhouse", "testdata")).to_have_attribute("aria-level", "3")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(focused) == "birdhouse"
    page.keyboard.press("ArrowLeft")
    expect(birdhouse).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("End")
    assert page.evaluate(focused) == "ouranos"
    assert page.locator('#tree [role="treeitem"][tabindex="0"]').count() == 1
    # Tab from a node reaches its "Add to local tree" button, and Enter presses it.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "adopt"
    page.keyboard.press("Enter")
    expect(node(page, "thredds", "ouranos")).to_have_attribute("data-badge", "matches")
    page.keyboard.press("Home")
    assert page.evaluate(focused) == "thredds"
    page.keyboard.press("Enter")
    expect(root).to_have_attribute("aria-expanded", "false")
    page.keyboard.press(" ")
    expect(root).to_have_attribute("aria-expanded", "true")
    # "… below" hints come once everything below is loaded (children are fetched on expand).
    expect(page.get_by_role("treeitem", name="birdhouse directory only remote", exact=True)).to_have_count(1)
    expand(page, "thredds", "birdhouse")
    expand(page, "thredds", "birdhouse", "testdata")
    expect(page.get_by_role("treeitem", name="birdhouse directory only remote 3 only remote below", exact=True)) \
        .to_have_count(1)


def test_filter_badge_counts_and_paging(browser_page, live_app, remote):
    page = browser_page
    files = [(f"file-{i:04d}.nc", f"big/file-{i:04d}.nc") for i in range(450)] + [("ta.nc", "birdhouse/ta.nc")]
    remote.add("/thredds/catalog.xml", catalog_xml("root", files=files))
    service_id = live_app.create_service("thredds", remote.url + "/thredds")
    live_app.create_resource(service_id, "retired")
    live_app.sync(service_id)
    sign_in(page, path=f"/ui/services/{service_id}")
    wait_for_tree(page)
    expect(page.locator(".count-total")).to_have_text("454 resources")
    assert count_of(page, "remote") == "453" and count_of(page, "gone") == "1"

    # A wide level comes 200 nodes at a time.
    expand(page, "thredds", "big")
    big_items = node(page, "thredds", "big").locator('[role="treeitem"]')
    expect(big_items).to_have_count(201)
    more = page.locator(".more")
    expect(more).to_have_text("Show 200 more (250 not shown)")
    more.click()
    expect(big_items).to_have_count(401)
    assert page.evaluate("document.activeElement.dataset.resourceName") == "file-0200.nc"
    page.locator(".more").focus()
    page.keyboard.press("Enter")
    expect(big_items).to_have_count(450)
    expect(page.locator(".more")).to_have_count(0)
    expect(node(page, "big", "file-0449.nc")).to_have_attribute("aria-posinset", "450")

    # The filter shows the matches and their ancestors only.
    page.get_by_label("Filter by name").fill("FILE-0042")
    expect(page.locator("#filter-note")).to_have_text("1 resource matches.")
    expect(page.locator('#tree [role="treeitem"]')).to_have_count(3)
    expect(node(page, "big", "file-0042.nc")).to_have_class("node is-match")
    page.get_by_label("Filter by name").fill("nothing-like-this")
    expect(page.locator("#filter-note")).to_have_text("No resource matches.")
    page.get_by_label("Filter by name").fill("")
    expect(page.locator("#filter-note")).to_have_text("")
    expect(big_items).to_have_count(201)  # the expansion from before the filter, first page


def test_a_partial_sync_shows_unverified_nodes(browser_page, live_app, remote):
    page = browser_page
    remote.add("/thredds/catalog.xml", catalog_xml(refs=[("catalog/a/catalog.xml", "A"), ("catalog/b/catalog.xml", "B")]))
    remote.add("/thredds/catalog/a/catalog.xml", catalog_xml("a", files=[("x", "a/x.nc")]))
    remote.add("/thredds/catalog/b/catalog.xml", catalog_xml("b", files=[("y", "b/y.nc")]))
    service_id = live_app.create_service("thredds", remote.url + "/thredds", configuration={"retries": 0})
    live_app.sync(service_id)
    remote.add("/thredds/catalog/b/catalog.xml", b"", status=503)
    sign_in(page, path=f"/ui/services/{service_id}")
    wait_for_tree(page)
    expect(page.locator("#sync-partial")).to_be_hidden()
    page.locator('[data-action="sync"]').click()
    wait_for_tree(page, loads=2)
    expect(page.locator("#sync-partial")).to_be_visible()
    expect(page.locator("#sync-partial-count")).to_have_text("2")
    expect(page.locator("#sync-partial-reasons")).to_contain_text("HTTP 503")
    b = node(page, "thredds", "b")
    expect(b).to_have_attribute("data-badge", "unverified")
    expect(b.locator(":scope > .row > .badge")).to_have_attribute("title", re.compile("HTTP 503"))
    expand(page, "thredds", "b")
    expect(node(page, "b", "y.nc")).to_have_attribute("data-badge", "unverified")
    expect(node(page, "thredds", "a")).to_have_attribute("data-badge", "remote")
