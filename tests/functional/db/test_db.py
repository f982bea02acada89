"""Migrations, readiness and per-service sync locks on both databases."""
import datetime

import pytest
import sqlalchemy as sa
import transaction

from magpie import db, models


def test_migrate_is_idempotent_and_database_is_ready(settings):
    assert db.is_database_ready(settings)
    db.migrate(settings)
    assert db.is_database_ready(settings)


def test_empty_or_unreachable_database_is_not_ready(tmp_path):
    assert not db.is_database_ready({"sqlite.url": "", "sqlalchemy.url": f"sqlite:///{tmp_path}/new.sqlite"})
    assert not db.is_database_ready({"sqlalchemy.url": "postgresql://nobody@127.0.0.1:9/none"})


def test_migrating_a_new_sqlite_file(tmp_path):
    settings = {"sqlalchemy.url": f"sqlite:///{tmp_path}/fresh.sqlite"}
    db.migrate(settings)
    assert db.is_database_ready(settings)
    tables = set(sa.inspect(db.get_engine(settings)).get_table_names())
    assert {"resources", "services", "remote_resources", "remote_resources_sync_info", "users"} <= tables
    db.dispose_engine(settings["sqlalchemy.url"])


def test_get_db_session_from_settings_joins_the_transaction_manager(settings, add_service):
    service_id = add_service(name="svc")
    manager = transaction.TransactionManager(explicit=True)
    session = db.get_db_session_from_settings(settings, manager)
    with manager:
        session.get(models.Service, service_id).url = "http://127.0.0.1:2/changed"
    with manager:
        assert session.get(models.Service, service_id).url == "http://127.0.0.1:2/changed"
    session.close()


def test_sync_lock_refuses_a_second_holder_until_the_first_transaction_ends(settings, add_service):
    service_id = add_service(name="svc")
    first_tm, second_tm = transaction.TransactionManager(explicit=True), transaction.TransactionManager(explicit=True)
    first = db.get_db_session_from_settings(settings, first_tm)
    second = db.get_db_session_from_settings(settings, second_tm)
    try:
        with first_tm:
            db.hold_sync_lock(first, service_id)
            with second_tm:
                with pytest.raises(db.SyncAlreadyRunning, match=f"sync already running for service {service_id}"):
                    db.hold_sync_lock(second, service_id)
        with second_tm:  # released when the first transaction committed
            db.hold_sync_lock(second, service_id)
        first_tm.begin()
        db.hold_sync_lock(first, service_id)  # and after the second's
        first_tm.abort()
        with second_tm:  # an aborted transaction releases too
            db.hold_sync_lock(second, service_id)
    finally:
        first.close()
        second.close()


def test_stale_sqlite_lock_row_is_taken_over(sqlite_template, tmp_path):
    """Lock rows are SQLite's (PostgreSQL's advisory locks die with their connection)."""
    path = tmp_path / "lock.sqlite"
    path.write_bytes(sqlite_template.read_bytes())
    settings = {"sqlalchemy.url": f"sqlite:///{path}"}
    engine = db.get_engine(settings)
    with engine.begin() as connection:
        service_id = connection.execute(models.Resource.__table__.insert().values(
            resource_name="svc", resource_type="service", ordering=0)).inserted_primary_key[0]
        connection.execute(models.Service.__table__.insert().values(
            resource_id=service_id, type="thredds", url="http://127.0.0.1:9"))
    old = models.utcnow() - datetime.timedelta(hours=5)
    with engine.begin() as connection:
        connection.execute(models.SyncLock.__table__.insert().values(
            service_id=service_id, owner="crashed-host:1:1", acquired_at=old))
    manager = transaction.TransactionManager(explicit=True)
    session = db.get_db_session_from_settings(settings, manager)
    with manager:
        db.hold_sync_lock(session, service_id)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(models.SyncLock.__table__)).scalar() == 0
    session.close()
    db.dispose_engine(settings["sqlalchemy.url"])


def test_allocate_ids_does_not_collide_with_database_ids(session, tm, add_service):
    service_id = add_service(name="svc")
    table = models.RemoteResource.__table__
    with tm:
        ids = list(db.allocate_ids(session, table, 3))
        assert len(set(ids)) == 3
        session.execute(table.insert(), [{"resource_id": rid, "service_id": service_id, "parent_id": None,
                                          "resource_name": f"n{rid}", "resource_type": "directory", "ordering": 0}
                                         for rid in ids])
        more = list(db.allocate_ids(session, table, 2))
        assert not set(more) & set(ids)
        assert list(db.allocate_ids(session, table, 0)) == []


def test_database_refuses_duplicate_service_names_and_sibling_names(session, tm, add_service):
    """The helpers check first; the database makes racing requests safe too."""
    service_id = add_service(name="svc")
    with pytest.raises(sa.exc.IntegrityError):
        with tm:
            session.add(models.Service(resource_name="svc", type="thredds", url="http://127.0.0.1:9"))
            session.flush()
    with tm:
        session.add(models.Directory(resource_name="d", parent_id=service_id, root_service_id=service_id))
    with pytest.raises(sa.exc.IntegrityError):
        with tm:
            session.add(models.Directory(resource_name="d", parent_id=service_id, root_service_id=service_id))
            session.flush()
    with tm:  # the same name elsewhere is fine
        session.add(models.Service(resource_name="other", type="thredds", url="http://127.0.0.1:9"))
        session.flush()
        session.add(models.Directory(resource_name="d", parent_id=session.execute(
            sa.select(models.Service.resource_id).where(models.Service.resource_name == "other")).scalar()))


def test_migrating_sqlite_to_autoincrement_ids_keeps_the_stored_trees(tmp_path):
    from alembic import command

    from magpie.db.migrations import migrate_config_for

    settings = {"sqlalchemy.url": f"sqlite:///{tmp_path / 'old.sqlite'}"}
    engine = db.get_engine(settings)
    with engine.begin() as connection:
        config = migrate_config_for(settings, connection)
        command.upgrade(config, "0005")
        connection.exec_driver_sql("INSERT INTO resources (resource_id, resource_name, resource_type, ordering) "
                                   "VALUES (1, 'svc', 'service', 0)")
        connection.exec_driver_sql("INSERT INTO services (resource_id, type, url) VALUES (1, 'thredds', 'http://x')")
        connection.exec_driver_sql(
            "INSERT INTO remote_resources (resource_id, service_id, parent_id, ordering, resource_name, resource_type)"
            " VALUES (5, 1, NULL, 0, 'svc', 'service'), (6, 1, 5, 0, 'a', 'directory'), (9, 1, 6, 0, 'f', 'file')")
        connection.exec_driver_sql("INSERT INTO remote_resources_sync_info (service_id, remote_resource_id) "
                                   "VALUES (1, 5)")
    db.migrate(settings)
    with engine.begin() as connection:
        rows = connection.exec_driver_sql("SELECT resource_id, parent_id, resource_name FROM remote_resources "
                                          "ORDER BY resource_id").all()
        assert [tuple(row) for row in rows] == [(5, None, "svc"), (6, 5, "a"), (9, 6, "f")]
        assert connection.exec_driver_sql("SELECT remote_resource_id FROM remote_resources_sync_info").scalar() == 5
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        connection.exec_driver_sql("DELETE FROM remote_resources WHERE resource_id = 9")
        ids = list(db.allocate_ids(sa.orm.Session(bind=connection), models.RemoteResource.__table__, 1))
        assert ids == [10]  # not 9 again
        # The cascades still hold on the rebuilt table.
        connection.exec_driver_sql("DELETE FROM remote_resources WHERE resource_id = 5")
        assert connection.exec_driver_sql("SELECT count(*) FROM remote_resources").scalar() == 0
    db.dispose_engine(settings["sqlalchemy.url"])
