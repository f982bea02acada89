"""Credentials as the crawl sends them: the rules of each kind (never quoting a value), the
headers they become, and text cleaned of them."""
import pytest

from magpie.errors import InvalidInput
from magpie.sync.remote.auth import REDACTED, Credentials

SECRET = "an-unguessable-secret"


@pytest.mark.parametrize("document, field", [
    ({"kind": "basic", "username": "a:b", "password": SECRET}, "credentials/username"),
    ({"kind": "basic", "username": "a", "password": "tab\there" + SECRET}, "credentials/password"),
    ({"kind": "bearer", "token": "with space" + SECRET}, "credentials/token"),
    ({"kind": "bearer", "token": "caf\u00e9" + SECRET}, "credentials/token"),
    ({"kind": "headers", "headers": {"X-Key": "\u2603" + SECRET}}, "credentials/headers/X-Key"),
    ({"kind": "bearer", "token": SECRET, "username": "x"}, "credentials/username"),
    ({"kind": "headers", "headers": {}}, "credentials/headers"),
    ({"kind": "headers", "headers": {"Bad Name": SECRET}}, "credentials/headers"),
    ({"kind": "digest", "token": SECRET}, "credentials/kind"),
    ({"kind": ["basic"]}, "credentials/kind"),
])
def test_each_kind_refuses_what_it_cannot_send(document, field):
    with pytest.raises(InvalidInput) as refused:
        Credentials.parse(document)
    assert refused.value.field == field and SECRET not in str(refused.value)


def test_headers_and_redaction():
    basic = Credentials.parse({"kind": "basic", "username": "reader", "password": SECRET})
    assert basic.request_headers() == {"Authorization": "Basic cmVhZGVyOmFuLXVuZ3Vlc3NhYmxlLXNlY3JldA=="}
    assert basic.redact(f"at http://h/?p={SECRET} with cmVhZGVyOmFuLXVuZ3Vlc3NhYmxlLXNlY3JldA==") == \
        f"at http://h/?p={REDACTED} with {REDACTED}"
    assert Credentials.parse({"kind": "bearer", "token": SECRET}).request_headers() == \
        {"Authorization": f"Bearer {SECRET}"}
    keyed = Credentials.parse({"kind": "headers", "headers": {"X-Api-Key": SECRET}})
    assert keyed.request_headers() == {"X-Api-Key": SECRET} and Credentials.from_json(keyed.to_json()) == keyed
