"""The administrator's flows in Chromium, combined in one test to keep the suite short: a user and a
group created on their pages, the user added to the group; permissions on the merged tree (a local
node, a remote-only one whose path is created, a deny on a child), effective access changing, the
clean of a gone node after reading which permissions go; the audit page filtered."""
import re

import pytest

from tests.browser.helpers import expand, expect, node, status, wait_for_tree
from tests.support.live_app import screenshot_path, sign_in
from tests.support.thredds_catalogs import catalog_xml

pytestmark = pytest.mark.browser

CATALOG = catalog_xml("Birdhouse THREDDS", files=[
    ("ta.nc", "birdhouse/testdata/ta.nc"), ("pr.nc", "birdhouse/testdata/pr.nc"), ("x.nc", "ouranos/x.nc")])


def control(page, permission: str, *names: str):
    """The control of ``permission`` in the row of the node at ``names`` (not in its children)."""
    return node(page, *names).locator(f':scope > .row [data-permission="{permission}"]')


def permissions_of(live_app, kind: str, name: str, resource_id) -> list:
    answer = live_app.call("GET", f"/{kind}s/{name}/resources/{resource_id}/permissions")
    return answer["permission_names"]


def test_permissions_on_the_merged_tree_and_clean(browser_page, live_app, remote):
    page = browser_page
    remote.add("/thredds/catalog.xml", CATALOG)
    service_id = live_app.create_service("thredds", remote.url + "/thredds")
    birdhouse = live_app.create_resource(service_id, "birdhouse")
    testdata = live_app.create_resource(service_id, "testdata", "directory", birdhouse)
    old = live_app.create_resource(service_id, "old.nc", "file", birdhouse)
    live_app.sync(service_id)

    # A user and a group, created on their pages; the user joins the group from the group's page.
    sign_in(page, path="/ui/users")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Email", exact=True).fill("alice@example.org")
    page.get_by_label("Password", exact=True).fill("alice-password-1")
    page.get_by_role("button", name="Create user").click()
    expect(page.locator("#page-status")).to_have_text("User alice created.")
    expect(page.locator('#users-table tr[data-user-name="alice"]')).to_contain_text("alice@example.org")
    page.get_by_label("Filter users").fill("ALICE@")
    expect(page.locator("#user-count")).to_have_text("1 of 2 users")
    page.goto("/ui/groups")
    page.get_by_label("Group name").fill("researchers")
    page.get_by_label("Description", exact=True).fill("Read access to the archive")
    page.get_by_role("button", name="Create group").click()
    expect(page.locator("#page-status")).to_have_text("Group researchers created.")
    researchers = page.locator('#groups-table tr[data-group-name="researchers"]')
    researchers.get_by_label("User to add to researchers").select_option("alice")
    researchers.get_by_role("button", name="Add member").click()
    expect(page.locator("#page-status")).to_have_text("alice added to researchers.")
    expect(researchers.locator(".member-count")).to_have_text("1 member")
    page.goto("/ui/users")
    alice = page.locator('#users-table tr[data-user-name="alice"]')
    expect(alice.locator('li[data-group-name="researchers"]')).to_have_count(1)
    page.screenshot(path=str(screenshot_path("users-1280")), full_page=True)
    assert live_app.call("GET", "/users/alice/groups")["group_names"] == ["researchers", "users"]
    for name in ("read-allow-recursive", "write-deny-match"):
        live_app.call("POST", f"/groups/researchers/resources/{old}/permissions", 201, json={"permission_name": name})

    page.goto(f"/ui/services/{service_id}")
    wait_for_tree(page)
    expand(page, "thredds", "birdhouse")
    gone = node(page, "birdhouse", "old.nc")
    expect(gone).to_have_attribute("data-badge", "gone")
    expect(gone.locator(":scope > .row [data-gone-permissions]")).to_have_text("2 permissions")

    # A user picked: one control per permission name on every node.
    page.locator("[data-principal]").select_option("user:alice")
    wait_for_tree(page, loads=2)
    read = control(page, "read", "thredds", "birdhouse")
    expect(read).to_have_value("none")
    expect(control(page, "browse", "thredds", "birdhouse")).to_have_count(1)
    expect(page.get_by_label("read for user alice on thredds/birdhouse", exact=True)).to_have_count(1)

    # Grant on a local node: saved at once, said in the row.
    read.select_option("allow-recursive")
    row = node(page, "thredds", "birdhouse").locator(":scope > .row")
    expect(row.locator(".perm-status")).to_have_text("Saved: read allow (recursive)")
    assert "read-allow-recursive" in permissions_of(live_app, "user", "alice", birdhouse)

    # Grant on a remote-only node: its local path is created, it becomes local in place.
    ouranos = node(page, "thredds", "ouranos")
    expect(ouranos).to_have_attribute("data-resource-id", "")
    control(page, "read", "thredds", "ouranos").select_option("allow-match")
    expect(ouranos).to_have_attribute("data-resource-id", re.compile(r"^\d+$"))
    expect(ouranos).to_have_attribute("data-badge", "matches")
    ouranos_id = ouranos.get_attribute("data-resource-id")
    assert "ouranos" in live_app.tree(service_id, merged=False)["thredds"]["children"]
    assert "read-allow-match" in permissions_of(live_app, "user", "alice", ouranos_id)
    assert page.locator("#tree-page").get_attribute("data-tree-loads") == "2"  # no reload

    # An error is said in place and the control keeps the saved value.
    live_app.call("DELETE", f"/resources/{ouranos_id}")
    control(page, "write", "thredds", "ouranos").select_option("deny-match")
    expect(node(page, "thredds", "ouranos").locator(":scope > .row .perm-status")).to_contain_text("Not saved:")
    expect(control(page, "write", "thredds", "ouranos")).to_have_value("none")

    # Deny on a child, then effective access: denied below it, allowed beside it.
    expand(page, "thredds", "birdhouse", "testdata")
    control(page, "read", "birdhouse", "testdata").select_option("deny-recursive")
    expect(node(page, "birdhouse", "testdata").locator(":scope > .row .perm-status")).to_contain_text("Saved")
    page.locator('[data-action="effective"]').check()
    wait_for_tree(page, loads=3)
    ta_read = control(page, "read", "testdata", "ta.nc")
    expect(ta_read).to_have_attribute("data-effective", "deny")
    expect(control(page, "read", "birdhouse", "old.nc")).to_have_attribute("data-effective", "allow")
    expect(node(page, "testdata", "ta.nc").locator(":scope > .row label.perm").first).to_have_attribute(
        "title", "browse denied: no permission")
    expect(page.get_by_text("read is denied: own permission").first).to_be_attached()
    page.screenshot(path=str(screenshot_path("tree-permissions-1280")), full_page=True)
    control(page, "read", "birdhouse", "testdata").select_option("none")
    wait_for_tree(page, loads=4)
    expect(control(page, "read", "testdata", "ta.nc")).to_have_attribute("data-effective", "allow")
    expect(status(page)).to_contain_text("Saved: read removed on thredds/birdhouse/testdata.")
    assert permissions_of(live_app, "user", "alice", testdata) == []

    # Clean: the dialog lists the permissions that go, and asks once.
    page.locator('[data-action="clean"]').click()
    dialog = page.locator("#clean-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#clean-list > li")).to_have_count(1)
    expect(dialog.locator("#clean-list > li .path")).to_have_text("thredds/birdhouse/old.nc")
    expect(dialog.locator("[data-lost-permission]")).to_have_text([
        "group researchers: read-allow-recursive on thredds/birdhouse/old.nc",
        "group researchers: write-deny-match on thredds/birdhouse/old.nc"])
    expect(page.locator("#clean-summary")).to_contain_text("and with them the 2 permissions listed")
    dialog.get_by_role("button", name="Remove 1 resource and 2 permissions").click()
    expect(status(page)).to_contain_text("Removed 1 resource, with 2 permissions.")
    wait_for_tree(page, loads=5)
    expect(node(page, "birdhouse", "old.nc")).to_have_count(0)
    assert "old.nc" not in live_app.tree(service_id, merged=False)["thredds"]["children"]["birdhouse"]["children"]

    # The audit page: newest first, filtered by user and by service.
    page.goto("/ui/audit")
    rows = page.locator("#audit-table tbody tr")
    expect(rows.first).to_have_attribute("data-audit-action", "resource.clean")
    page.get_by_label("User (about or by)").fill("alice")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#audit-status")).to_contain_text("Page 1:")
    actions = [rows.nth(i).get_attribute("data-audit-action") for i in range(rows.count())]
    assert actions[-1] == "user.create" and "membership.add" in actions and "permission.grant" in actions[:3]
    assert all(row.inner_text().count("alice") for row in rows.all())
    page.get_by_label("User (about or by)").fill("")
    page.get_by_label("Service").select_option(label="thredds")
    page.get_by_label("From (day, UTC)").fill("2000-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#audit-status")).to_contain_text("Page 1:")
    expect(rows.first).to_have_attribute("data-audit-action", "resource.clean")
    assert "user.create" not in [rows.nth(i).get_attribute("data-audit-action") for i in range(rows.count())]
