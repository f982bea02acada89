"""Bulk writes at the driver's speed: ids reserved up front, rows streamed by COPY or executemany.

A sync may write a million rows; SQLAlchemy's per-row work would cost more than the database.
"""
from typing import Iterable, Sequence

import sqlalchemy as sa
import zope.sqlalchemy
from sqlalchemy.orm import Session


def allocate_ids(session: Session, table: sa.Table, count: int) -> Sequence[int]:
    """Reserve ``count`` consecutive-or-not primary keys of ``table`` before a bulk insert, so rows
    can reference their parents without one round trip per row.

    PostgreSQL draws them from the table's sequence in one statement; SQLite takes them above the
    current maximum (and, for AUTOINCREMENT tables, above every id ever used), which is safe
    because the caller already holds SQLite's write lock.
    """
    if count <= 0:
        return range(0)
    pk = list(table.primary_key.columns)[0]
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        sequence = session.execute(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": pk.name},
        ).scalar()
        return session.execute(
            sa.text("SELECT nextval(:seq) FROM generate_series(1, :n)"), {"seq": sequence, "n": count}
        ).scalars().all()
    start = (session.execute(sa.select(sa.func.max(pk))).scalar() or 0) + 1
    if table.dialect_options["sqlite"].get("autoincrement"):
        # Above every id the table ever held, removed ones included (inserting them moves it on).
        used = session.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = :name"),
                               {"name": table.name}).scalar()
        start = max(start, (used or 0) + 1)
    return range(start, start + count)


def bulk_insert(session: Session, table: sa.Table, columns: Sequence[str], rows: Iterable[tuple],
                chunk: int = 5000) -> None:
    """Insert many rows at the driver's speed, in the session's transaction.

    A sync may insert a million rows: SQLAlchemy's per-row parameter processing would cost more
    than the database itself. PostgreSQL gets COPY, SQLite a plain executemany; rows are consumed
    ``chunk`` at a time so they never all sit in memory.
    """
    connection = session.connection()
    quote = connection.dialect.identifier_preparer
    column_list = ", ".join(quote.quote(name) for name in columns)
    table_name = quote.format_table(table)
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        statement = f"COPY {table_name} ({column_list}) FROM STDIN"
        cursor = connection.connection.driver_connection.cursor()
        dbapi = connection.dialect.loaded_dbapi
        try:
            with cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except dbapi.Error as exc:
            # COPY goes to the driver directly: wrap its errors the way SQLAlchemy wraps those of
            # the statements it runs, so callers catch every database error as one kind.
            raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi.Error, dialect=connection.dialect) from exc
    elif connection.dialect.name == "sqlite":
        statement = f"INSERT INTO {table_name} ({column_list}) VALUES ({', '.join('?' * len(columns))})"
        batch: list = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                connection.exec_driver_sql(statement, batch)
                batch = []
        if batch:
            connection.exec_driver_sql(statement, batch)
    else:
        insert = table.insert()
        batch = []
        for row in rows:
            batch.append(dict(zip(columns, row)))
            if len(batch) >= chunk:
                connection.execute(insert, batch)
                batch = []
        if batch:
            connection.execute(insert, batch)
    zope.sqlalchemy.mark_changed(session)
