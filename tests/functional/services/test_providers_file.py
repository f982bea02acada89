"""Magpie's providers files as they are: variables, directories, Magpie's service and sync types,
its keys we do not use, credentials from the environment, and registering again without wiping
what the API set."""
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from magpie import crypto, models
from magpie.services import credentials as service_credentials
from magpie.services.providers import ProvidersError, load_providers_file, main, register_providers_file
from magpie.sync.credentials import stored_credentials

MAGPIE_SHAPED = Path(__file__).resolve().parents[2] / "fixtures" / "providers" / "magpie_shaped_providers.cfg"
PASSWORD = "providers-file-Pa55word"


@pytest.fixture(autouse=True)
def environment(monkeypatch):
    monkeypatch.setenv("HOSTNAME", "127.0.0.1")
    crypto.install([Fernet.generate_key().decode()])
    yield
    crypto.install(())


def write(tmp_path, text, name="providers.cfg") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def services_by_name(session) -> dict:
    return {s.resource_name: s for s in session.execute(sa.select(models.Service)).scalars()}


def test_magpie_shaped_file_registers_every_service(session, tm, caplog):
    with caplog.at_level(logging.INFO, logger="magpie"):
        with tm:
            outcome = register_providers_file(str(MAGPIE_SHAPED), session)
    assert set(outcome.values()) == {"created"} and len(outcome) == 9
    with tm:
        found = {name: (s.type, s.sync_type, s.url, s.resource_display_name)
                 for name, s in services_by_name(session).items()}
    assert found["thredds"] == ("thredds", "thredds", "http://127.0.0.1:8083/thredds", "Climate data")
    assert found["ncWMS2"][:3] == ("ncwms", "wms", "http://127.0.0.1:8080/ncWMS2")  # $VAR too
    assert found["geoserverwms"][1] == "wms" and found["geoserver"][1] == "wfs"
    assert found["geoserver-api"][1] == "geoserver-api" and found["project-api"][1] == "project-api"
    assert found["geoserver-web"][:2] == ("access", None) and found["ogc-processes"][:2] == ("api", None)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    for key in ("public", "c4i", "hooks"):
        assert len([w for w in warnings if f"Magpie's key {key!r} is not used" in w]) == 1
    assert any("'geoserver-web'" in w and "'access' cannot be synced here" in w for w in warnings)
    assert any("'ogc-processes'" in w and "'api' cannot be synced here" in w for w in warnings)
    assert any("'ncWMS2'" in r.getMessage() and "'ncwms' is synced as 'wms'" in r.getMessage()
               for r in caplog.records)


def test_strict_makes_an_unsyncable_type_an_error(session, tm, db_url, capsys):
    with pytest.raises(ProvidersError, match=r"service 'geoserver-web': sync type 'access' cannot be synced"):
        load_providers_file(str(MAGPIE_SHAPED), strict=True)
    assert main([str(MAGPIE_SHAPED), "--db", db_url, "--strict"]) == 2
    assert "--strict" in capsys.readouterr().err
    with tm:
        assert services_by_name(session) == {}


def test_an_unset_variable_is_an_error_naming_it(session, tm, tmp_path, monkeypatch):
    monkeypatch.delenv("HOSTNAME")
    with pytest.raises(ProvidersError, match=r"service 'pywps-catalog': 'url': environment variable 'HOSTNAME'"):
        load_providers_file(str(MAGPIE_SHAPED))
    path = write(tmp_path, "providers:\n  t:\n    url: http://127.0.0.1/t\n    type: thredds\n"
                           "    credentials: {kind: bearer, token: '${NO_SUCH_TOKEN}'}\n")
    with pytest.raises(ProvidersError, match="'NO_SUCH_TOKEN' is not set"):
        load_providers_file(path)


def test_a_directory_loads_every_file_in_name_order(session, tm, tmp_path):
    write(tmp_path, "providers:\n  a:\n    url: http://127.0.0.1/one\n    type: wps\n", "20-later.yml")
    write(tmp_path, "providers:\n  a:\n    url: http://127.0.0.1/zero\n    type: wps\n"
                    "  b:\n    url: http://127.0.0.1/b\n    type: wps\n", "10-first.cfg")
    write(tmp_path, "not: [yaml", "notes.txt")
    with tm:
        assert register_providers_file(str(tmp_path), session) == {"a": "created", "b": "created"}
        assert services_by_name(session)["a"].url == "http://127.0.0.1/one"


def test_registering_again_keeps_what_the_file_does_not_set(session, tm, tmp_path):
    path = write(tmp_path, "providers:\n  thredds:\n    url: http://127.0.0.1/thredds\n    type: thredds\n"
                           "    sync_type: thredds\n")
    with tm:
        register_providers_file(path, session)
    with tm:  # what an administrator set through the API
        service = services_by_name(session)["thredds"]
        service.configuration = {"max_depth": 7}
        service.resource_display_name = "Set in the API"
        service_credentials.set_credentials(session, service, {"kind": "bearer", "token": "api-token-1234"})
    with tm:
        assert register_providers_file(path, session) == {"thredds": "unchanged"}
    with tm:
        service = services_by_name(session)["thredds"]
        assert (service.configuration, service.resource_display_name) == ({"max_depth": 7}, "Set in the API")
        assert dict(stored_credentials(session, service.resource_id).values) == {"token": "api-token-1234"}
    path = write(tmp_path, "providers:\n  thredds:\n    url: http://127.0.0.1/thredds\n    type: thredds\n"
                           "    configuration: {max_depth: 2, skip_prefix: /twitcher}\n")
    with tm:
        assert register_providers_file(path, session) == {"thredds": "updated"}
        assert services_by_name(session)["thredds"].configuration == {"max_depth": 2}


def test_credentials_from_the_environment_are_sealed(session, tm, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("GS_PASSWORD", PASSWORD)
    path = write(tmp_path, "providers:\n  geoserver:\n    url: http://127.0.0.1/geoserver/rest\n"
                           "    type: geoserver\n    sync_type: geoserver-api\n"
                           "    credentials: {kind: basic, username: admin, password: '${GS_PASSWORD}'}\n")
    with caplog.at_level(logging.DEBUG):
        with tm:
            assert register_providers_file(path, session) == {"geoserver": "created"}
        with tm:
            row = session.execute(sa.select(models.ServiceCredential)).scalar_one()
            set_at, sealed = row.set_at, row.sealed
            assert dict(stored_credentials(session, row.service_id).values)["password"] == PASSWORD
        with tm:  # the same credentials again: nothing is re-sealed
            assert register_providers_file(path, session) == {"geoserver": "unchanged"}
            assert session.execute(sa.select(models.ServiceCredential)).scalar_one().set_at == set_at
    assert PASSWORD not in sealed and PASSWORD not in caplog.text


@pytest.mark.parametrize("text, match", [
    ("providers:\n  t:\n    url: http://u:p@127.0.0.1/t\n    type: thredds\n", "user info"),
    ("providers:\n  t:\n    url: http://127.0.0.1/t\n    type: thredds\n    credentials: {kind: basic, username: u}\n",
     "password must be a non-empty string"),
    ("providers:\n  t:\n    url: http://127.0.0.1/t\n    type: thredds\n    sync_type: nope\n", "unknown sync type"),
])
def test_bad_entries_change_nothing(session, tm, tmp_path, text, match):
    with tm:
        with pytest.raises(ProvidersError, match=match):
            register_providers_file(write(tmp_path, text), session)
    with tm:
        assert services_by_name(session) == {}
