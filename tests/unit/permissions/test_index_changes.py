"""What a rebuild reads again, decided from the audit entries since the last one (an in-memory
SQLite audit table: the statements are those the index runs)."""
import sqlite3

import pytest

from magpie.permissions.index_changes import AuditCursor, MAX_RESOURCES, read_changes, start_cursor
from magpie.permissions.index_load import Reader


@pytest.fixture
def log():
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, action TEXT, service_id INTEGER, "
                       "resource_id INTEGER)")
    yield connection
    connection.close()


def write(log, *entries):
    log.executemany("INSERT INTO audit_log (action, service_id, resource_id) VALUES (?, ?, ?)", entries)


def changes_after(log, *entries, bumps=None):
    reader = Reader(log.cursor(), "?", "sqlite")
    cursor = start_cursor(reader)
    write(log, *entries)
    moved, changes = read_changes(reader, cursor, len(entries) if bumps is None else bumps)
    assert moved.seen == cursor.seen + len(entries)
    return changes


def test_a_grant_reads_again_the_permissions_of_its_resource_only(log):
    write(log, ("resource.create", 1, 2))
    changes = changes_after(log, ("permission.grant", 1, 7), ("permission.revoke", 1, 8))
    assert (changes.trees, changes.resources, changes.names) == (set(), {7, 8}, False)


def test_memberships_read_names_users_and_groups_all_permissions(log):
    membership = changes_after(log, ("membership.add", None, None))
    assert (membership.trees, membership.resources, membership.names) == (set(), set(), True)
    changes = changes_after(log, ("group.delete", None, None))
    assert (changes.trees, changes.resources, changes.names) == (set(), None, True)


def test_a_resource_reloads_its_services_tree_and_an_unknown_action_every_tree(log):
    changes = changes_after(log, ("resource.create", 5, 40), ("permission.grant", 5, 40))
    assert (changes.trees, changes.resources, changes.names) == ({5}, None, True)
    assert changes_after(log, ("something.new", None, None)).trees is None


def test_entries_that_change_no_access_change_nothing(log):
    changes = changes_after(log, ("audit.prune", None, None))
    assert (changes.trees, changes.resources, changes.names) == (set(), set(), False)


def test_fewer_entries_than_version_bumps_reads_everything(log):
    changes = changes_after(log, ("permission.grant", 1, 7), bumps=2)
    assert (changes.trees, changes.resources, changes.names) == (None, None, True)
    many = [("permission.grant", 1, number) for number in range(MAX_RESOURCES + 1)]
    assert changes_after(log, *many).resources is None  # one statement for all beats a long IN list


def test_ids_reused_after_a_prune_read_everything(log):
    write(log, ("permission.grant", 1, 7), ("permission.grant", 1, 8))
    reader = Reader(log.cursor(), "?", "sqlite")
    cursor = start_cursor(reader)
    log.execute("DELETE FROM audit_log")
    write(log, ("resource.create", 1, 9))  # id 1 again: below what the cursor has seen
    moved, changes = read_changes(reader, cursor, 1)
    assert changes.trees is None and moved == AuditCursor(seen=1)
