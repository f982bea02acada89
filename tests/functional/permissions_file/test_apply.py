"""Applying permissions files to a real database (SQLite and PostgreSQL): what a good file
creates, that a second application changes nothing, and that a bad entry changes nothing."""
import logging

import pytest
import sqlalchemy as sa

from magpie import models
from magpie.accounts.users import authenticate
from magpie.setup_files.commands import apply_permissions_file
from magpie.setup_files.permissions_file import PermissionsFileError
from tests.functional.permissions_file.conftest import ALICE_PASSWORD, EXAMPLE, FIXTURES, snapshot

APPLIED = {
    "resources": {
        "thredds": "service", "geoserver": "service", "thredds/birdhouse": "directory",
        "thredds/birdhouse/cmip6": "directory", "thredds/birdhouse/cmip6/tas.nc": "file",
        "thredds/birdhouse/private": "directory", "geoserver/public": "workspace", "geoserver/public/roads": "layer"},
    "user_permissions": [("alice", "thredds/birdhouse/private", "read-deny-recursive"),
                         ("bob", "geoserver", "getcapabilities-allow-recursive")],
    "group_permissions": [("readers", "geoserver", "getcapabilities-allow-recursive"),
                          ("readers", "thredds/birdhouse", "browse-allow-match"),
                          ("researchers", "geoserver/public/roads", "getmap-allow-recursive"),
                          ("researchers", "thredds/birdhouse/cmip6/tas.nc", "read-allow-recursive")],
}


def apply(session, tm, path, actor="tester"):
    with tm:
        return apply_permissions_file(str(path), session, actor)


def test_the_example_creates_paths_accounts_and_permissions_then_changes_nothing(
        session, tm, services, alice_password, caplog):
    caplog.set_level(logging.DEBUG)
    outcomes = apply(session, tm, EXAMPLE)
    state = snapshot(session, tm)
    assert {key: state[key] for key in APPLIED} == APPLIED
    assert {"alice", "bob"} <= set(state["users"]) and {"readers", "researchers"} <= set(state["groups"])
    assert ("alice", "researchers") in state["memberships"]
    assert all(outcome.changed for outcome in outcomes)
    with tm:
        assert authenticate(session, "alice", ALICE_PASSWORD) is not None  # the password came from the environment
        actors = set(session.execute(sa.select(models.AuditEntry.actor)).scalars())
    assert actors == {"tester"}
    assert ALICE_PASSWORD not in caplog.text

    again = apply(session, tm, EXAMPLE)
    assert again and not any(outcome.changed for outcome in again)
    assert all(str(outcome).endswith("unchanged") for outcome in again)
    assert snapshot(session, tm) == state  # no row, no audit entry, no ACL version bump


def test_a_directory_is_applied_in_name_order(session, tm, services):
    apply(session, tm, FIXTURES / "conf.d")
    state = snapshot(session, tm)
    # 20-revoke.cfg came after 10-grant.cfg: write was given, then taken back
    assert state["group_permissions"] == [("editors", "thredds/data", "read-allow-match")]
    assert state["resources"]["thredds/data"] == "directory"


def test_replace_and_remove_and_removals_that_find_nothing(session, tm, services, alice_password, tmp_path):
    apply(session, tm, EXAMPLE)
    path = tmp_path / "changes.cfg"
    path.write_text("""
permissions:
  - {service: thredds, resource: /birdhouse/private, user: alice, permission: read-allow-match}
  - {service: thredds, resource: /birdhouse, group: readers, permission: browse, action: remove}
  - {service: thredds, resource: /nowhere/deeper, group: readers, permission: read, action: remove}
  - {service: thredds, group: nobody, permission: read, action: remove}
  - {service: thredds, user: nobody, permission: read, action: remove}
""", encoding="utf-8")
    before = snapshot(session, tm)
    outcomes = [str(outcome) for outcome in apply(session, tm, path)]
    after = snapshot(session, tm)
    assert ("alice", "thredds/birdhouse/private", "read-allow-match") in after["user_permissions"]
    assert ("readers", "thredds/birdhouse", "browse-allow-match") not in after["group_permissions"]
    assert after["resources"] == before["resources"]  # a removal creates no path
    assert (after["users"], after["groups"]) == (before["users"], before["groups"])  # nor a user or group
    assert outcomes == [
        f"{path}: permissions[0]: read-allow-match on 'thredds/birdhouse/private' for user 'alice': "
        f"replaced read-deny-recursive",
        f"{path}: permissions[1]: browse-allow-match on 'thredds/birdhouse' for group 'readers' removed",
        f"{path}: permissions[2]: read-allow-recursive on 'thredds/nowhere/deeper' for group 'readers': "
        f"unchanged (not applied)",
        f"{path}: permissions[3]: read on 'thredds' for group 'nobody': unchanged (no such group)",
        f"{path}: permissions[4]: read on 'thredds' for user 'nobody': unchanged (no such user)",
    ]


VALID_HEAD = """
groups:
  - name: staff
users:
  - {username: carol, password: carol-password-1, group: staff}
permissions:
  - {service: thredds, resource: /a/b.nc, type: file, group: staff, permission: read}
"""


@pytest.mark.parametrize("entry, message", [
    ("{service: thredds2, group: staff, permission: read}", "permissions[1]: unknown service 'thredds2'"),
    ("{service: thredds, resource: /a/c, group: staff, permission: read}",
     "permissions[1]: 'c' does not exist and could be a directory or a file: give its 'type'"),
    ("{service: thredds, resource: /a, group: staff, permission: getmap}",
     "permissions[1]: a directory of a 'thredds' service cannot carry 'getmap'; allowed: browse, read, write"),
    ("{service: thredds, permission: execute, user: carol}",
     "permissions[1]: a service of a 'thredds' service cannot carry 'execute'"),
    ("{service: thredds, resource: /a, type: file, group: staff, permission: read}",
     "permissions[1]: 'thredds/a' is a directory, not a file"),
    ("{service: thredds, resource: /a/b.nc/x, type: file, group: staff, permission: read}",
     "permissions[1]: a file cannot hold resources ('x')"),
    ("{service: thredds, resource: /x, type: layer, group: staff, permission: read}",
     "permissions[1]: a service cannot hold a layer ('x'); it may hold: directory, file"),
    ("{service: geoserver, resource: /ws/roads/deeper, group: staff, permission: getmap}",
     "permissions[1]: 'roads' would be a layer, which cannot hold resources"),
])
def test_a_bad_entry_is_named_and_changes_nothing(session, tm, services, tmp_path, entry, message):
    path = tmp_path / "permissions.cfg"
    path.write_text(VALID_HEAD + f"  - {entry}\n", encoding="utf-8")
    before = snapshot(session, tm)
    with pytest.raises(PermissionsFileError) as error:
        apply(session, tm, path)
    assert str(error.value).startswith(f"{path}: {message}")
    assert snapshot(session, tm) == before


def test_a_failure_while_writing_is_named_and_takes_everything_back(session, tm, services, tmp_path):
    with tm:
        session.add(models.User(user_name="dave", email="shared@example.org", status=1))
    path = tmp_path / "permissions.cfg"
    path.write_text(VALID_HEAD.replace("users:\n", "users:\n  - {username: erin, password: erin-password-1, "
                                                   "email: shared@example.org}\n"), encoding="utf-8")
    before = snapshot(session, tm)
    with pytest.raises(PermissionsFileError) as error:
        apply(session, tm, path)
    assert str(error.value) == f"{path}: users[0]: the email 'shared@example.org' is already used by another user"
    assert "erin-password-1" not in str(error.value)
    assert snapshot(session, tm) == before  # the group created before the failure is gone too
