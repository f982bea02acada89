"""The "Register a service" form of the services page in Chromium: test the connection of a
protected THREDDS before saving (refused without credentials, its first children with them),
register it with its credentials, and never see the password on the page again."""
import base64

import pytest
from cryptography.fernet import Fernet

from tests.browser.helpers import expect
from tests.support.live_app import screenshot_path, sign_in
from tests.support.thredds_catalogs import catalog_xml

pytestmark = pytest.mark.browser

PASSWORD = "register-form-Pa55word"
TIMEOUT = 30_000


def test_test_then_register_a_protected_service(browser_page, live_app, remote, monkeypatch):
    monkeypatch.setenv("MAGPIE_SECRETS_KEY", Fernet.generate_key().decode())  # read when a secret is sealed
    remote.required_headers = {"Authorization": "Basic " + base64.b64encode(f"reader:{PASSWORD}".encode()).decode()}
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("tas.nc", "a/tas.nc"), ("pr.nc", "a/pr.nc")]))
    page = browser_page
    sign_in(page)
    form = page.locator("#service-form")
    status = page.locator("#service-form-status")
    form.get_by_label("Name", exact=True).fill("registered-here")
    form.get_by_label("Type", exact=True).fill("thredds")
    form.get_by_label("URL", exact=True).fill(remote.url + "/thredds")
    form.get_by_label("Sync type", exact=True).select_option("thredds")
    form.get_by_role("button", name="Test connection").click()
    expect(status).to_contain_text("The connection test failed (unauthorized)", timeout=TIMEOUT)

    form.get_by_label("Credentials", exact=True).select_option("basic")
    form.get_by_label("User name", exact=True).fill("reader")
    password = form.get_by_label("Password", exact=True)
    page.keyboard.press("Tab")  # from the user name, as a keyboard user would: the focus shows
    expect(password).to_be_focused(timeout=TIMEOUT)
    assert password.evaluate("field => getComputedStyle(field).outlineStyle") != "none"
    page.keyboard.type(PASSWORD)
    form.get_by_role("button", name="Test connection").click()
    expect(status).to_contain_text("Connected: THREDDS catalog 1.2", timeout=TIMEOUT)
    expect(status).to_contain_text("First children: tas.nc, pr.nc", timeout=TIMEOUT)
    page.screenshot(path=str(screenshot_path("services-register-form-1280")), full_page=True)
    assert live_app.call("GET", "/services", 200)["services"] == []  # tested, not saved

    form.get_by_role("button", name="Register").click()
    expect(page.locator('tr[data-service-name="registered-here"]')).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#service-form-status")).to_have_text("Registered registered-here with its credentials.",
                                                              timeout=TIMEOUT)
    (service,) = live_app.call("GET", "/services", 200)["services"]
    assert (service["service_name"], service["service_sync_type"]) == ("registered-here", "thredds")
    stored = live_app.call("GET", f"/services/{service['resource_id']}/credentials", 200)["credentials"]
    assert stored["kind"] == "basic"
    expect(page.locator("#service-form").get_by_label("Password", exact=True)).to_have_value("", timeout=TIMEOUT)
    assert PASSWORD not in page.content()

    form.get_by_label("Name", exact=True).fill("registered-here")  # the same name again: said in place
    form.get_by_label("Type", exact=True).fill("thredds")
    form.get_by_label("URL", exact=True).fill(remote.url + "/thredds")
    form.get_by_role("button", name="Register").click()
    expect(status).to_contain_text("Not registered:", timeout=TIMEOUT)
    assert len(live_app.call("GET", "/services", 200)["services"]) == 1
