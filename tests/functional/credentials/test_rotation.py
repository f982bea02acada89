"""magpie-rotate-secrets: every stored secret re-encrypted with the first key, or nothing changed."""
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from magpie import crypto, db
from magpie.services.secrets_rotation import main
from magpie.sync.credentials import stored_credentials
from tests.functional.credentials.conftest import PASSWORD, SECRETS_KEY, TOKEN


def sealed_values(settings) -> list:
    with db.get_engine(settings).connect() as connection:
        return list(connection.execute(sa.text("SELECT sealed FROM service_credentials ORDER BY service_id")).scalars())


@pytest.fixture
def two_services(api, create_service):
    for name in ("thredds", "stac"):
        create_service(name, url=f"http://127.0.0.1:9/{name}")
    api.put("/services/thredds/credentials", {"kind": "basic", "username": "reader", "password": PASSWORD})
    api.put("/services/stac/credentials", {"kind": "bearer", "token": TOKEN})
    yield
    crypto.install(())


def test_rotation_re_encrypts_every_secret_with_the_first_key(two_services, settings, session, tm, monkeypatch,
                                                              capsys):
    before = sealed_values(settings)
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("MAGPIE_SECRETS_KEY", f"{new_key} {SECRETS_KEY}")
    assert main(["--db", settings["sqlalchemy.url"]]) == 0
    assert "2 secret(s) re-encrypted" in capsys.readouterr().out
    after = sealed_values(settings)
    assert len(after) == 2 and set(after).isdisjoint(before)
    with pytest.raises(crypto.SecretsKeyError):
        crypto.SecretBox([SECRETS_KEY]).open(after[0])
    crypto.install([new_key])  # the old key is gone: the sync still opens them
    with tm:
        ids = sorted(session.execute(sa.text("SELECT service_id FROM service_credentials")).scalars())
        opened = [stored_credentials(session, service_id) for service_id in ids]
    assert sorted(c.kind for c in opened) == ["basic", "bearer"]
    assert {dict(c.values).get("password") or dict(c.values).get("token") for c in opened} == {PASSWORD, TOKEN}


def test_a_secret_no_key_opens_changes_nothing(two_services, settings, monkeypatch, capsys):
    before = sealed_values(settings)
    monkeypatch.setenv("MAGPIE_SECRETS_KEY", Fernet.generate_key().decode())
    assert main(["--db", settings["sqlalchemy.url"]]) == 2
    assert "does not open with the configured secrets keys" in capsys.readouterr().err
    assert sealed_values(settings) == before


def test_new_key_prints_a_usable_key(capsys):
    assert main(["--new-key"]) == 0
    crypto.SecretBox(crypto.parse_keys(capsys.readouterr().out)).seal(b"x")
