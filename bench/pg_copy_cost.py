"""What the constraints of ``remote_resources`` cost a first sync on PostgreSQL.

    .venv/bin/python -m bench.pg_copy_cost

COPYs the 101,461 rows of the benchmark's 100,000-node tree into scratch tables shaped like
``remote_resources``, with and without each foreign key, and prints the seconds of each COPY.
Foreign keys are checked by a trigger per inserted row, which is most of a first sync's store
time there. The scratch tables are made in ``pg_temp`` and vanish with the connection.
"""
import time

import psycopg
import sqlalchemy as sa

from bench.sync_benchmark import POSTGRES_URL

SHAPES = [  # (label, service FK, parent FK)
    ("both foreign keys (the schema)", True, True),
    ("service_id foreign key only", True, False),
    ("parent_id foreign key only", False, True),
    ("no foreign key", False, False),
]


def tree_rows() -> list:
    rows = [(1, 1, None, 0, "root", None, "service")]
    for index in range(420):
        rows.append((index + 2, 1, 1, 0, f"d{index}", f"Directory {index}", "directory"))
    next_id = 422
    for parent in range(1, 422):
        for index in range(240):
            name = f"tas_day_model{index:04d}.nc"
            rows.append((next_id, 1, parent, 0, name, name, "file"))
            next_id += 1
    return rows


def main() -> None:
    url = sa.engine.make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    rows = tree_rows()
    print(f"COPY of {len(rows):,} rows into a table shaped like remote_resources")
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.cursor()
        for label, service_fk, parent_fk in SHAPES:
            cursor.execute("DROP TABLE IF EXISTS pg_temp.bench_nodes; DROP TABLE IF EXISTS pg_temp.bench_services")
            cursor.execute("CREATE TEMP TABLE bench_services (id int PRIMARY KEY); INSERT INTO bench_services VALUES (1)")
            cursor.execute(f"""CREATE TEMP TABLE bench_nodes (
                id int PRIMARY KEY,
                service_id int NOT NULL {'REFERENCES bench_services (id) ON DELETE CASCADE' if service_fk else ''},
                parent_id int {'REFERENCES bench_nodes (id) ON DELETE CASCADE' if parent_fk else ''},
                ordering int NOT NULL, name varchar(255) NOT NULL, display varchar(255), type varchar(30) NOT NULL,
                UNIQUE (service_id, parent_id, name))""")
            cursor.execute("CREATE INDEX ON bench_nodes (parent_id)")
            started = time.perf_counter()
            with connection.transaction():
                with cursor.copy("COPY bench_nodes (id, service_id, parent_id, ordering, name, display, type) "
                                 "FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            print(f"  {label:<40} {time.perf_counter() - started:6.3f} s")


if __name__ == "__main__":
    main()
