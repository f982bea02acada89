"""Server-side request forgery: service URLs to internal addresses are refused at registration and
when the crawler connects (after DNS), unless the allow-list names them.

The suite allows 127.0.0.0/8 for its local servers (tests/conftest.py); these tests take that away.
"""
import pytest
import webtest

import magpie
from magpie.services.providers import ProvidersError, parse_providers
from magpie.sync.remote import addresses
from magpie.sync.remote.http import HttpClient, HttpLimits, RemoteError

#: Each refused at registration (the list the bench prints too).
INTERNAL_URLS = [
    "http://127.0.0.1:6543/", "http://127.1.2.3/", "http://localhost:8080/", "http://0.0.0.0/",
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/",
    "http://100.64.0.1/", "http://[::1]/", "http://[fd00::1]/", "http://[fe80::1]/", "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/", "http://224.0.0.1/", "http://2130706433/",
]
LIMITS = HttpLimits(timeout=10, max_bytes=1_000_000, pool_size=1, retries=0, backoff=0)


@pytest.fixture
def no_allow_list(monkeypatch):
    monkeypatch.delenv(addresses.ALLOWED_NETWORKS_VARIABLE, raising=False)
    addresses.configure(())
    yield
    addresses.configure(())


@pytest.fixture
def guarded_api(no_allow_list, app_settings, admin_auth):
    """The API of an app started without any allow-list."""
    app = webtest.TestApp(magpie.main({}, **app_settings))
    return lambda method, url, **kw: getattr(app, method)(url, headers=admin_auth, **kw)


def service(url: str, name: str = "svc") -> dict:
    return {"service_name": name, "service_type": "thredds", "service_url": url, "service_sync_type": "thredds"}


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_registration_refuses_internal_addresses(guarded_api, url):
    answer = guarded_api("post_json", "/services", params=service(url), status=403).json
    assert answer["fields"][0]["field"] == "service_url"
    assert "refused" in answer["detail"] and "allowed_networks" in answer["detail"]


def test_global_addresses_and_unresolved_names_register_and_changes_are_checked(guarded_api):
    created = guarded_api("post_json", "/services", params=service("http://93.184.216.34/thredds"), status=201)
    guarded_api("post_json", "/services", params=service("https://no-such-host.invalid/thredds", "other"), status=201)
    guarded_api("post_json", "/services", params=service("http://[not-an-address/", "third"), status=201)
    svc = created.json["service"]["resource_id"]
    answer = guarded_api("patch_json", f"/services/{svc}", params={"service_url": "http://10.9.9.9/"}, status=403)
    assert "10.9.9.9 is a private address" in answer.json["detail"]
    assert guarded_api("get", f"/services/{svc}").json["service"]["service_url"] == "http://93.184.216.34/thredds"


def test_the_providers_file_refuses_them_too(no_allow_list):
    document = {"providers": {"meta": {"url": "http://169.254.169.254/latest", "type": "thredds"}}}
    with pytest.raises(ProvidersError, match="meta.*169.254.169.254 is a link-local address"):
        parse_providers(document)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_crawler_refuses_at_connect_time_after_dns(no_allow_list, remote, host):
    """A service registered before (or a name that now resolves inside) is refused when the
    client connects: the remote server never hears from it, and the error names no body."""
    remote.add("/secret", b"internal secret body", content_type="text/plain")
    url = f"http://{host}:{remote.port}/secret"
    with HttpClient(LIMITS) as client, pytest.raises(RemoteError) as error:
        client.get_bytes(url)
    assert remote.requests == []
    assert str(error.value).startswith(f"{url}: refused: ") and "loopback" in str(error.value)
    assert "secret body" not in str(error.value)


def test_the_allow_list_setting_lets_an_operator_use_internal_services(no_allow_list, app_settings, admin_auth,
                                                                        remote):
    remote.add("/data", b"inside", content_type="text/plain")
    app = webtest.TestApp(magpie.main({}, **app_settings, **{"magpie.remote.allowed_networks": "127.0.0.0/8"}))
    app.post_json("/services", service(remote.url + "/thredds"), headers=admin_auth, status=201)
    with HttpClient(LIMITS) as client:
        assert client.get_bytes(remote.url + "/data")[1] == b"inside"
    # The refusal names the status and the URL of an error answer, not its body.
    remote.add("/fails", b"stack trace of the remote", status=500, content_type="text/plain")
    with HttpClient(LIMITS) as client, pytest.raises(RemoteError) as error:
        client.get_bytes(remote.url + "/fails")
    assert str(error.value) == f"{remote.url}/fails: HTTP 500 Internal Server Error"
