"""Sync benchmark: prints the figures of issue "Sync at scale" for SQLite and PostgreSQL.

    .venv/bin/python -m bench.sync_benchmark                 # everything
    .venv/bin/python -m bench.sync_benchmark --databases sqlite --skip-rss

It starts its own synthetic THREDDS server (bench/synthetic_thredds.py) on 127.0.0.1 and its own
databases (a SQLite file, and a PostgreSQL database created beside MAGPIE_TEST_POSTGRES_URL and
dropped at the end). Figures are wall-clock seconds on this machine; nothing here asserts.
"""
import argparse
import base64
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid

import sqlalchemy as sa
import transaction
import webtest
import zope.sqlalchemy

import magpie
from bench.synthetic_thredds import SyntheticThredds
from magpie import db, models
from magpie.helpers import sync_resources
from magpie.helpers.sync_services import SYNC_SERVICES_TYPES
from magpie.resources.tree import get_service_tree
from magpie.sync import runner

POSTGRES_URL = os.environ.get("MAGPIE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ADMIN = ("bench-admin", "bench-password-1234")


@contextlib.contextmanager
def temp_database(kind: str):
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.sqlite"
            db.migrate({"sqlalchemy.url": url})
            yield url
            db.dispose_engine(url)
        return
    server = sa.engine.make_url(POSTGRES_URL)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"magpie_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        db.migrate({"sqlalchemy.url": url})
        yield url
    finally:
        db.dispose_engine(url)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class WriteCounter:
    """Rows changed by INSERT/UPDATE/DELETE statements on an engine, and the statements."""

    def __init__(self, engine):
        self.engine, self.rows, self.statements = engine, 0, 0

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.statements += 1
            self.rows += max(cursor.rowcount, 0)

    def __enter__(self):
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "after_cursor_execute", self._after)


def new_session(url):
    manager = transaction.TransactionManager(explicit=True)
    return db.get_db_session_from_settings({"sqlalchemy.url": url}, manager), manager


def add_service(url, name, service_url, configuration) -> int:
    session, manager = new_session(url)
    with manager:
        service = models.Service(resource_name=name, type="thredds", url=service_url, sync_type="thredds",
                                 configuration=configuration)
        session.add(service)
        session.flush()
        service_id = service.resource_id
    session.close()
    return service_id


def timed_sync(url, service_id, pause_gc=False):
    """One sync the in-process way (``fetch_single_service``), or the cron command's way with the
    collector paused for the whole crawl (``pause_gc``)."""
    session, manager = new_session(url)
    with WriteCounter(session.get_bind()) as writes:
        started = time.perf_counter()
        with manager:
            if pause_gc:
                result = runner.sync_service(service_id, session, pause_gc=True)
            else:
                result = sync_resources.fetch_single_service(service_id, session)
        elapsed = time.perf_counter() - started
    session.close()
    return elapsed, result, writes


def timed_crawl(service_url, configuration):
    started = time.perf_counter()
    tree = SYNC_SERVICES_TYPES["thredds"]("crawl-only", service_url, configuration).get_resources()
    return time.perf_counter() - started, tree


def line(label, value, target=""):
    print(f"  {label:<58} {value:>18}  {target}")


def bench_crawl(url, pool_sizes):
    print("\n(1) crawl + store, depth 3, fan-out 8, 20 files per catalog, 20 ms latency per request")
    with SyntheticThredds(depth=3, fanout=8, files=20, latency=0.02) as server:
        catalogs = sum(8 ** level for level in range(4))
        for pool in pool_sizes:
            service_id = add_service(url, f"crawl-{pool}", server.url, {"max_depth": 4, "pool_size": pool})
            elapsed, result, _ = timed_sync(url, service_id)
            floor = catalogs * 0.02 / pool  # every catalog waits its 20 ms, pool requests at a time
            line(f"{catalogs} catalogs, {result.added - 1} nodes, pool {pool}", f"{elapsed:.3f} s",
                 f"target < 1.0 s (latency alone: {floor:.2f} s)")


def bench_large(url, kind):
    print("\n(2) ~100,000-node tree: depth 2, fan-out 20, 240 files per catalog, no latency")
    with SyntheticThredds(depth=2, fanout=20, files=240) as server:
        configuration = {"max_depth": 3, "pool_size": 8}
        service_id = add_service(url, "large", server.url, configuration)
        crawl, _ = timed_crawl(server.url, configuration)
        first_target = "target < 1.0 s" if kind == "postgresql" else "target < 0.5 s"
        line(f"crawl alone ({server.nodes} nodes, 421 catalogs)", f"{crawl:.3f} s")
        elapsed, result, writes = timed_sync(url, service_id)
        line("first sync (crawl + store)", f"{elapsed:.3f} s", first_target)
        line("  of which store (sync minus crawl alone)", f"{elapsed - crawl:.3f} s", first_target)
        line("  tree rows inserted / other write statements", f"{result.added} / {writes.statements}")
        elapsed, result, writes = timed_sync(url, service_id)
        line("unchanged re-sync", f"{elapsed:.3f} s", "target < 1 s")
        line("  rows written to the tree (added, removed)", f"{result.added}, {result.removed}", "target 0")
        line("  write statements (sync info, history)", f"{writes.statements}")
        # Again: tells a one-off cost of the first read after the COPY from the machine's noise.
        elapsed, result, _ = timed_sync(url, service_id)
        line("unchanged re-sync, again", f"{elapsed:.3f} s", "target < 1 s")
        server.set_generation(1)
        elapsed, result, writes = timed_sync(url, service_id)
        line("re-sync with 1% of the files renamed", f"{elapsed:.3f} s")
        line("  tree rows added, removed (kept)", f"{result.added}, {result.removed} ({result.kept})")
        line("  write statements", f"{writes.statements}")
        print("\n(3) merge on 100,000-node local and remote trees")
        copy_remote_to_local(url, service_id)
        bench_merge(url, service_id)


def copy_remote_to_local(url, service_id) -> None:
    """Local resources with the names of the stored remote tree, so the merge has real work."""
    session, manager = new_session(url)
    remote = models.RemoteResource.__table__
    local = models.Resource.__table__
    with manager:
        rows = session.execute(sa.select(remote.c.resource_id, remote.c.parent_id, remote.c.resource_name,
                                         remote.c.resource_type).where(remote.c.service_id == service_id)
                               .order_by(remote.c.resource_id)).all()
        non_main = [row for row in rows if row.parent_id is not None]
        main_id = next(row.resource_id for row in rows if row.parent_id is None)
        ids = db.allocate_ids(session, local, len(non_main))
        local_of = {main_id: service_id}
        local_of.update({row.resource_id: new_id for row, new_id in zip(non_main, ids)})
        values = [{"resource_id": local_of[row.resource_id], "parent_id": local_of[row.parent_id],
                   "resource_name": row.resource_name, "resource_type": row.resource_type, "ordering": 0,
                   "root_service_id": service_id} for row in non_main]
        for start in range(0, len(values), 5000):
            session.execute(local.insert(), values[start:start + 5000])
        zope.sqlalchemy.mark_changed(session)  # Core writes only: else the manager rolls back
    session.close()


def bench_merge(url, service_id):
    session, manager = new_session(url)
    with manager:
        service = session.get(models.Service, service_id)
        started = time.perf_counter()
        local_tree = get_service_tree(service, session)
        line("load the local tree (one query)", f"{time.perf_counter() - started:.3f} s")
        started = time.perf_counter()
        remote_tree = sync_resources._query_remote_resources_in_database(service_id, session)
        line("load the stored remote tree (one query)", f"{time.perf_counter() - started:.3f} s")
        started = time.perf_counter()
        merged = sync_resources._merge_resources(local_tree, {service.resource_name: remote_tree["large"]}, 3)
        sync_resources._sort_resources(merged)
        line("_merge_resources + _sort_resources, with validation", f"{time.perf_counter() - started:.3f} s",
             "target < 0.3 s")
        started = time.perf_counter()
        sync_resources.merge_local_and_remote_resources(local_tree, "thredds", service_id, session)
        line("merge_local_and_remote_resources (reads remote tree too)", f"{time.perf_counter() - started:.3f} s")
    session.close()
    app = webtest.TestApp(magpie.main({}, **{"sqlalchemy.url": url, "magpie.admin_user": ADMIN[0],
                                             "magpie.admin_password": ADMIN[1],
                                             "magpie.secret": "bench-secret-" + "x" * 32}))
    token = base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode()
    headers = {"Authorization": f"Basic {token}"}
    app.get(f"/services/{service_id}", headers=headers)  # warm up: first request, password hash
    started = time.perf_counter()
    response = app.get(f"/services/{service_id}/resources?sync=true", headers=headers)
    line(f"GET /services/{{id}}/resources?sync=true ({len(response.body) // 1024} KiB)",
         f"{time.perf_counter() - started:.3f} s", "target < 1.5 s")


def bench_streaming_parse(megabytes: int = 50) -> None:
    """Parse a catalog of ``megabytes`` and report the parser's peak allocations."""
    import tracemalloc

    from bench.synthetic_thredds import catalog_body
    from magpie.sync.types.thredds import parse_catalog

    one = catalog_body(["d0"], 1, 0, 1000, 0)
    per_file = len(one) / 1000
    body = catalog_body(["d0"], 1, 0, int(megabytes * 1024 * 1024 / per_file), 0)
    chunks = [body[start:start + 65536] for start in range(0, len(body), 65536)]
    url = "http://127.0.0.1/thredds/catalog/d0/catalog.xml"
    started = time.perf_counter()
    content = parse_catalog(iter(chunks), url)
    elapsed = time.perf_counter() - started
    del content
    tracemalloc.start()  # a second pass, traced (tracing slows it down)
    content = parse_catalog(iter(chunks), url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    line(f"{len(body) / 1024 / 1024:.0f} MB catalog, {len(content.files)} datasets: parse",
         f"{elapsed:.2f} s")
    line("  peak allocations while parsing (the extracted names included)", f"{peak / 1024 / 1024:.0f} MB",
         f"body itself {len(body) / 1024 / 1024:.0f} MB, never parsed whole")


def bench_rss(kind, nodes_wanted):
    fanout, files = (40, 608) if nodes_wanted >= 1_000_000 else (20, max(nodes_wanted // 421, 1))
    with SyntheticThredds(depth=2, fanout=fanout, files=files) as server:
        for way in ("in-process", "cron"):
            with temp_database(kind) as url:
                child = subprocess.run([sys.executable, "-m", "bench.sync_benchmark", "--rss-child", url, server.url,
                                        way], capture_output=True, text=True, timeout=1800)
            if child.returncode != 0:
                print(child.stdout + child.stderr)
                return
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            line(f"{kind}, {way}: {figures['nodes']} nodes, sync {figures['seconds']:.1f} s, peak RSS",
                 f"{figures['max_rss_mb']:.0f} MB", "target < 1 GB")


def rss_child(url, service_url, way) -> None:
    """Runs in a fresh process so its peak RSS is the sync's alone. ``way``: ``in-process`` (the
    collector paused around tree building only, as in a web process) or ``cron`` (paused for the
    whole crawl, as the cron command does)."""
    service_id = add_service(url, "million", service_url, {"max_depth": 3, "pool_size": 8, "time_budget": 1800,
                                                           "max_nodes": 1_100_000})
    elapsed, result, _ = timed_sync(url, service_id, pause_gc=way == "cron")
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"nodes": result.added - 1, "seconds": elapsed, "max_rss_mb": max_rss_mb}))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pool-sizes", default="8,16,32", help="pool sizes for (1)")
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--rss-nodes", type=int, default=1_000_000)
    parser.add_argument("--rss-child", nargs=3, metavar=("DB_URL", "SERVICE_URL", "WAY"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_child:
        rss_child(*args.rss_child)
        return
    print(f"magpie sync benchmark, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for kind in args.databases.split(","):
        print(f"\n=== {kind} ===")
        with temp_database(kind) as url:
            bench_crawl(url, [int(p) for p in args.pool_sizes.split(",")])
            bench_large(url, kind)
    print("\n(streaming) one large catalog")
    bench_streaming_parse()
    if not args.skip_rss:
        print(f"\n(4) peak memory of a {args.rss_nodes:,}-node sync (fresh process)")
        for kind in args.databases.split(","):
            bench_rss(kind, args.rss_nodes)


if __name__ == "__main__":
    main()
