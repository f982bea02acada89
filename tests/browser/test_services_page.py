"""Sign-in and the services list in Chromium: every sync status, the error on hover, the links."""
import datetime

import pytest
import sqlalchemy as sa

from magpie import db, models
from tests.browser.helpers import expect, wait_for_tree
from tests.support.live_app import ADMIN_PASSWORD, ADMIN_USER, NARROW, WIDE, screenshot_path, sign_in
from tests.support.thredds_catalogs import catalog_xml

pytestmark = pytest.mark.browser


def test_signin_signout_with_the_keyboard(browser_page, live_app):
    page = browser_page
    page.goto("/ui/services")
    page.wait_for_url("**/ui/signin?next=%2Fui%2Fservices")
    expect(page).to_have_title("Sign in · Magpie")
    page.get_by_label("User name").fill(ADMIN_USER)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    page.screenshot(path=str(screenshot_path("signin-error-1280")))
    # Keyboard only: the user name has the focus, Tab to the password, Enter sends.
    page.get_by_label("User name").focus()
    page.keyboard.press("Tab")
    page.keyboard.type(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/services")
    expect(page.locator(".session")).to_contain_text(f"Signed in as {ADMIN_USER}")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/ui/signin?signed_out=1")
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto("/ui/services")
    page.wait_for_url("**/ui/signin?next=*")


def test_every_status_and_the_error_on_hover(browser_page, live_app, remote):
    page = browser_page
    remote.add("/good/catalog.xml", catalog_xml("good", files=[("a.nc", "data/a.nc")]))
    remote.add("/bad/catalog.xml", b"<html>not a catalog</html>", content_type="text/html")
    synced = live_app.create_service("synced-service", remote.url + "/good")
    stale = live_app.create_service("stale-service", remote.url + "/good")
    failed = live_app.create_service("failed-service", remote.url + "/bad")
    never = live_app.create_service("never-service", remote.url + "/good")
    plain = live_app.create_service("plain-service", "http://127.0.0.1:9/wps", sync_type=None, service_type="wps")
    live_app.sync(synced)
    live_app.sync(stale)
    live_app.sync(failed, expect=502)
    five_hours_ago = models.utcnow() - datetime.timedelta(hours=5, minutes=10)
    with db.get_engine(live_app.settings).begin() as connection:
        connection.execute(sa.update(models.RemoteResourcesSyncInfo.__table__)
                           .where(models.RemoteResourcesSyncInfo.service_id == stale)
                           .values(last_sync=five_hours_ago))

    sign_in(page)
    rows = {service_id: page.locator(f'tr[data-service-id="{service_id}"]')
            for service_id in (synced, stale, failed, never, plain)}
    expected = {synced: ("synced", "synced", "just now"), stale: ("out-of-sync", "out of sync", "5 hours ago"),
                failed: ("failed", "failed", "never"), never: ("never-synced", "never synced", "never"),
                plain: ("no-sync-type", "no sync type", "never")}
    for service_id, (status, label, last_sync) in expected.items():
        row = rows[service_id]
        expect(row).to_have_attribute("data-status", status)
        expect(row.locator("[data-status-badge]")).to_have_text(label)
        expect(row.locator('td[data-label="Last sync"]')).to_have_text(last_sync)
    expect(rows[plain].locator('td[data-label="Sync type"]')).to_have_text("none")
    expect(rows[plain].locator('td[data-label="Type"]')).to_have_text("wps")

    tip = rows[failed].locator("[data-sync-error]")
    expect(tip).to_be_hidden()
    rows[failed].locator("[data-status-badge]").hover()
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("/bad/catalog.xml: expected a THREDDS XML catalog")
    expect(tip).to_contain_text("last attempt just now")
    page.screenshot(path=str(screenshot_path("services-1280")), full_page=True)
    page.mouse.move(0, 0)
    expect(tip).to_be_hidden()
    rows[failed].locator("[data-status-badge]").focus()  # keyboard users get the error too
    expect(tip).to_be_visible()

    page.set_viewport_size(NARROW)
    page.screenshot(path=str(screenshot_path("services-400")), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    page.set_viewport_size(WIDE)

    rows[stale].get_by_role("link", name="Open tree").click()
    page.wait_for_url(f"**/ui/services/{stale}")
    wait_for_tree(page)
    expect(page.locator("#sync-warning")).to_be_visible()
    expect(page.locator("#sync-warning")).to_contain_text("older than 3 hours")
    expect(page.locator("#last-sync")).to_have_text("5 hours ago")
    expect(page.locator("#service-status")).to_have_text("out of sync")
