"""The permissions file applied at start-up (after the providers file) and by the installed
``magpie-register-permissions`` command, in a subprocess as an operator would run it."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

import magpie
from magpie import models
from magpie.setup_files import commands
from magpie.setup_files.permissions_file import PermissionsFileError
from tests.functional.permissions_file.conftest import ALICE_PASSWORD, EXAMPLE, snapshot

BIN = Path(sys.executable).parent
PROVIDERS = """providers:
  thredds: {url: "http://127.0.0.1:9/thredds", type: thredds, sync_type: thredds}
  geoserver: {url: "http://127.0.0.1:9/geoserver/rest", type: geoserver}
"""


@pytest.fixture
def start(settings, tmp_path):
    """Start the application (its database preparation) with these extra settings."""
    providers = tmp_path / "providers.yml"
    providers.write_text(PROVIDERS, encoding="utf-8")

    def run(**extra):
        return magpie.main({}, **{**settings, "magpie.environment": "test", "magpie.secret": "s" * 40,
                                  "magpie.providers_config": str(providers), **extra})

    return run


def test_startup_applies_the_file_after_the_providers_then_changes_nothing(session, tm, start, alice_password):
    start(**{"magpie.permissions_config": str(EXAMPLE)})
    state = snapshot(session, tm)
    assert ("alice", "thredds/birdhouse/private", "read-deny-recursive") in state["user_permissions"]
    assert ("researchers", "geoserver/public/roads", "getmap-allow-recursive") in state["group_permissions"]
    with tm:
        actors = set(session.execute(sa.select(models.AuditEntry.actor)
                                     .where(models.AuditEntry.action == "permission.grant")).scalars())
    assert actors == {"system"}
    start(**{"magpie.permissions_config": str(EXAMPLE)})
    assert snapshot(session, tm) == state


def test_the_environment_names_the_file(session, tm, start, alice_password, monkeypatch):
    monkeypatch.setenv("MAGPIE_PERMISSIONS_CONFIG", str(EXAMPLE))
    start()
    assert "alice" in snapshot(session, tm)["users"]


def test_a_bad_file_stops_startup_and_changes_nothing(session, tm, start, tmp_path):
    path = tmp_path / "permissions.cfg"
    path.write_text("groups:\n  - {name: staff}\npermissions:\n  - {service: thredds, group: staff, permission: read}\n"
                    "  - {service: thredds2, group: staff, permission: read}\n", encoding="utf-8")
    before = snapshot(session, tm)
    with pytest.raises(PermissionsFileError, match=r"permissions\.cfg: permissions\[1\]: unknown service 'thredds2'"):
        start(**{"magpie.permissions_config": str(path)})
    assert snapshot(session, tm) == before  # not even the providers of the same start-up


def run_command(*args, **env):
    base = {key: value for key, value in os.environ.items() if not key.startswith("MAGPIE_")}
    return subprocess.run([str(BIN / "magpie-register-permissions"), *args], capture_output=True, text=True,
                          env={**base, **env}, timeout=120)


def test_the_command_applies_then_says_unchanged(db_url, session, tm, services, tmp_path):
    ini = tmp_path / "magpie.ini"
    ini.write_text(f"[app:main]\nuse = egg:magpie\nsqlalchemy.url = {db_url}\n", encoding="utf-8")
    first = run_command(str(EXAMPLE), "--config", str(ini), ALICE_PASSWORD=ALICE_PASSWORD)
    assert first.returncode == 0, first.stderr
    assert f"{EXAMPLE}: users[0]: user 'alice' created in group(s) researchers" in first.stdout
    assert first.stdout.splitlines()[-1].startswith(f"{EXAMPLE}: ") and "change(s)" in first.stdout
    assert ALICE_PASSWORD not in first.stdout + first.stderr
    state = snapshot(session, tm)
    assert ("alice", "researchers") in state["memberships"] and ("alice", "users") in state["memberships"]
    with tm:
        actors = set(session.execute(sa.select(models.AuditEntry.actor)).scalars())
    assert actors == {"magpie-register-permissions"}

    second = run_command(str(EXAMPLE), "--db", db_url, ALICE_PASSWORD=ALICE_PASSWORD)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-1] == f"{EXAMPLE}: unchanged"
    assert snapshot(session, tm) == state


def test_the_command_refuses_a_bad_file_with_exit_2_and_changes_nothing(db_url, session, tm, services, tmp_path):
    path = tmp_path / "permissions.cfg"
    path.write_text("users:\n  - {username: zoe, password: zoe-password-12}\npermissions:\n"
                    "  - {service: thredds, user: zoe, permission: read}\n"
                    "  - {service: thredds, user: zoe, permission: read, action: revoke}\n", encoding="utf-8")
    before = snapshot(session, tm)
    run = run_command(str(path), "--db", db_url)
    assert run.returncode == 2
    assert run.stderr.strip() == (f"magpie-register-permissions: {path}: permissions[1]: unknown action 'revoke' "
                                  f"(expected create or remove)")
    assert "zoe-password-12" not in run.stdout + run.stderr
    assert snapshot(session, tm) == before


def test_the_command_refuses_an_unset_variable_and_a_bad_database(tmp_path, services, db_url):
    missing = run_command(str(EXAMPLE), "--db", db_url)  # ALICE_PASSWORD is not set
    assert missing.returncode == 2 and "users[0]: 'password': environment variable 'ALICE_PASSWORD' is not set" \
        in missing.stderr
    empty = tmp_path / "empty.cfg"
    empty.write_text("", encoding="utf-8")
    assert commands.main([str(empty), "--db", "postgresql://nobody@127.0.0.1:9/none"]) == 2
    assert commands.main([str(empty), "--db", f"sqlite:///{tmp_path}/not-migrated.sqlite"]) == 2
    assert commands.main([str(empty), "--config", str(tmp_path / "missing.ini")]) == 2
    assert commands.main([str(empty), "--db", db_url]) == 0


def test_magpies_anonymous_user_is_our_anonymous_group(db_url, session, tm, services, tmp_path, capsys):
    path = tmp_path / "permissions.cfg"
    path.write_text("permissions:\n  - {service: thredds, user: anonymous, permission: browse}\n", encoding="utf-8")
    before = snapshot(session, tm)
    assert commands.main([str(path), "--db", db_url]) == 2
    assert f"{path}: permissions[0]: public access is given to the group 'anonymous', not to a user" \
        in capsys.readouterr().err
    assert snapshot(session, tm) == before
    path.write_text("permissions:\n  - {service: thredds, group: anonymous, permission: browse}\n", encoding="utf-8")
    assert commands.main([str(path), "--db", db_url]) == 0
    assert ("anonymous", "thredds", "browse-allow-recursive") in snapshot(session, tm)["group_permissions"]
