"""The credentials form of a service page in Chromium: test the connection with typed
credentials, save them, and see the kind and when, never the value."""
import base64

import pytest
from cryptography.fernet import Fernet

from tests.browser.helpers import expect
from tests.support.live_app import sign_in
from tests.support.thredds_catalogs import catalog_xml

pytestmark = pytest.mark.browser

PASSWORD = "browser-form-Pa55word"
TIMEOUT = 30_000


def test_test_then_save_credentials(browser_page, live_app, remote, monkeypatch):
    monkeypatch.setenv("MAGPIE_SECRETS_KEY", Fernet.generate_key().decode())  # read when a secret is sealed
    remote.required_headers = {"Authorization": "Basic " + base64.b64encode(f"reader:{PASSWORD}".encode()).decode()}
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("tas.nc", "a/tas.nc")]))
    service_id = live_app.create_service("protected", remote.url + "/thredds")
    page = browser_page
    sign_in(page, path=f"/ui/services/{service_id}")
    expect(page.locator("#credentials-state")).to_have_text("None: the sync sends no credentials.", timeout=TIMEOUT)
    page.get_by_label("User name", exact=True).fill("reader")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#connection-test")).to_contain_text("Connected: THREDDS catalog 1.2", timeout=TIMEOUT)
    expect(page.locator("#credentials-state")).to_contain_text("None", timeout=TIMEOUT)  # tested, not saved
    page.get_by_label("User name", exact=True).fill("reader")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Set credentials").click()
    expect(page.locator("#credentials-state")).to_contain_text("HTTP basic, set", timeout=TIMEOUT)
    expect(page.get_by_label("Password", exact=True)).to_have_value("", timeout=TIMEOUT)
    assert PASSWORD not in page.content()
    assert live_app.api.post(f"{live_app.url}/services/{service_id}/sync?wait=true", timeout=60).status_code == 200
