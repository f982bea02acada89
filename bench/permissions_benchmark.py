"""Decisions benchmark: prints the figures of issue "Access control on the synced tree" (decisions
for a proxy) on SQLite and PostgreSQL, each beside its target.

    .venv/bin/python -m bench.permissions_benchmark
    .venv/bin/python -m bench.permissions_benchmark --databases sqlite --commits 200

It builds its own databases (bench.sync_benchmark.temp_database) holding the world of
bench/permissions_world.py, serves the app with waitress on a free port of 127.0.0.1, and starts
bench/permissions_peer.py as the second process of the freshness run. Nothing here asserts.
"""
import argparse
import http.client
import json
import random
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import requests
import transaction

from bench.permissions_world import build, count_rows
from bench.sync_benchmark import temp_database
from magpie import audit, db, models
from magpie.config import load_settings
from magpie.permissions import decisions, index
from magpie.resources.tree import get_service_tree
from magpie.sync.store import merged_tree
from tests.support.live_app import ADMIN_PASSWORD, ADMIN_USER

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = load_settings({"magpie.environment": "test", "magpie.secret": "s" * 40})


def line(label, value, target=""):
    print(f"  {label:<64} {value:>22}  {target}")


def pct(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else float("nan")


def session_for(url):
    manager = transaction.TransactionManager(explicit=True)
    return db.get_db_session_from_settings({"sqlalchemy.url": url}, manager), manager


def questions(world, count, seed=7):
    """(path, user id or None): files (80%), paths below what is registered (10%), anonymous (10%)."""
    rng = random.Random(seed)
    asked = []
    for _ in range(count):
        roll = rng.random()
        path = rng.choice(world.files) if roll < 0.9 else rng.choice(world.dirs) + "/not/synced.nc"
        asked.append((path, None if 0.8 <= roll < 0.9 else rng.choice(world.user_ids)))
    return asked


def bench_in_process(url, world, freshness, count):
    session, manager = session_for(url)
    with manager:
        service = session.get(models.Service, world.service_id)
        users = {uid: session.get(models.User, uid) for uid in world.user_ids}
    engine = session.get_bind()
    index.forget(engine)
    acl_index = index.configure(engine, freshness)
    started = time.perf_counter()
    decisions.authorize(session, SETTINGS, service, world.files[0], "read", None)
    line("index build (100k-node tree, 10,000 permissions, 1,000 users)", f"{time.perf_counter() - started:.3f} s")
    if acl_index.listener is not None:
        for _ in range(1000):  # bounded: the listener connects within milliseconds
            if acl_index.listener.connected:
                break
            time.sleep(0.005)
    asked = questions(world, count)
    latencies, allowed = [], 0
    clock = time.perf_counter
    begin = clock()
    for path, user_id in asked:
        before = clock()
        allowed += decisions.authorize(session, SETTINGS, service, path, "read", users.get(user_id))["allowed"]
        latencies.append(clock() - before)
    total = clock() - begin
    line(f"in-process decisions ({freshness}), {count:,} on one thread", f"{count / total:,.0f} /s",
         "target >= 20,000 /s")
    line("  p50 / p99 latency", f"{pct(latencies, .5) * 1e6:.0f} / {pct(latencies, .99) * 1e6:.0f} us",
         "target p99 < 1 ms")
    line("  share allowed", f"{allowed / count:.1%}")
    session.close()


def bench_http(url, world, count_per_thread, freshness, threads=4):
    server = subprocess.Popen([sys.executable, "-m", "bench.permissions_serve", url, freshness], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{json.loads(server.stdout.readline())['port']}"
        names = {uid: f"user{n:04d}" for n, uid in enumerate(world.user_ids)}
        for label, signed_in in (("anonymous (public access)", False), ("admin cookie + user=", True)):
            asked = questions(world, count_per_thread * threads, seed=11)
            if not signed_in:
                asked = [(path, None) for path, _ in asked]
            latencies, errors = http_run(base, asked, names, signed_in, threads)
            total = latencies.pop()
            line(f"HTTP decisions ({freshness}), {threads} client threads, {label}", f"{len(asked) / total:,.0f} /s",
                 "target >= 1,000 /s")
            line("  p50 / p99 latency", f"{pct(latencies, .5) * 1e3:.2f} / {pct(latencies, .99) * 1e3:.2f} ms",
                 "target p99 < 10 ms")
            line("  answers other than 200", f"{len(errors)}", "target 0")
    finally:
        server.stdin.close()
        server.wait(timeout=30)


def http_run(base, asked, names, signed_in, threads):
    """Latencies of every request, then the wall-clock total; and the statuses other than 200.
    Clients are plain keep-alive ``http.client`` connections (a proxy's own client is that
    light), so that the 2 cores go to the server rather than to ``requests``."""
    latencies, errors = [], []
    headers = {}
    if signed_in:  # a proxy signs in once and sends the session cookie with every question
        with requests.Session() as browser:
            browser.post(f"{base}/signin", json={"user_name": ADMIN_USER, "password": ADMIN_PASSWORD},
                         timeout=30).raise_for_status()
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    host, port = base.rsplit("/", 1)[1].split(":")

    def client(part):
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine = []
        try:
            for path, user_id in part:
                params = {"path": path, "permission": "read"}
                if user_id is not None:
                    params["user"] = names[user_id]
                before = time.perf_counter()
                connection.request("GET", "/services/thredds/authorize?" + urllib.parse.urlencode(params),
                                   headers=headers)
                answer = connection.getresponse()
                answer.read()
                mine.append(time.perf_counter() - before)
                if answer.status != 200:
                    errors.append(answer.status)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(repr(exc))
        finally:
            connection.close()
        latencies.extend(mine)

    workers = [threading.Thread(target=client, args=(asked[n::threads],)) for n in range(threads)]
    begin = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    latencies.append(time.perf_counter() - begin)
    return latencies, errors


def bench_freshness(url, world, freshness, commits):
    peer = subprocess.Popen([sys.executable, "-m", "bench.permissions_peer", url, freshness, str(world.service_id),
                             str(world.probe_user_id), world.probe_path], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)

    def call(request):
        peer.stdin.write(json.dumps(request).encode() + b"\n")
        peer.stdin.flush()
        return json.loads(peer.stdout.readline())

    try:
        assert json.loads(peer.stdout.readline()) == {"ready": True}
        session, manager = session_for(url)
        table, changes, stale_later = models.UserResourcePermission, [], 0
        for number in range(commits):
            grant = number % 2 == 0
            begin = time.monotonic()
            with manager:
                if grant:
                    session.add(table(user_id=world.probe_user_id, resource_id=world.probe_file_id,
                                      perm_name="read-allow-match"))
                else:
                    session.query(table).filter_by(user_id=world.probe_user_id, resource_id=world.probe_file_id).delete()
                audit.record(session, "bench", "permission.grant" if grant else "permission.revoke",
                             service_id=world.service_id, resource_id=world.probe_file_id)
                version = audit.acl_version(session)
            ack = time.monotonic()
            time.sleep(max(0.0, ack + 0.010 - time.monotonic()))
            stale_later += call({"op": "decide"})["allowed"] is not grant
            changes.append((begin, ack, version, grant))
        report = call({"op": "report"})
        call({"op": "stop"})
        session.close()
    finally:
        peer.stdin.close()
        peer.wait(timeout=60)
    summarize_freshness(freshness, commits, changes, report, stale_later)


def summarize_freshness(freshness, commits, changes, report, stale_later):
    samples, refreshes = report["samples"], report["refreshes"]
    stale, lags, heard = 0, [], []
    position = 0
    for number, (begin, ack, version, grant) in enumerate(changes):
        window_end = changes[number + 1][0] if number + 1 < len(changes) else float("inf")
        while position < len(samples) and samples[position][0] < begin:
            position += 1
        first = None
        for started, ended, allowed in samples[position:]:
            if started >= window_end:
                break
            if started >= ack and allowed is not grant:
                stale += 1
            if first is None and allowed is grant and ended >= ack:
                first = ended
        if first is not None:
            lags.append(first - ack)
        rebuilt = next((at for v, at in refreshes if v is not None and v >= version), None)
        if rebuilt is not None:
            heard.append(rebuilt - ack)
    line(f"freshness ({freshness}): {commits} grant/revoke commits, a decision 10 ms after each",
         f"{stale_later} stale", "target 0 stale")
    line("  decisions begun after a commit returned that answered older", f"{stale} of {len(samples):,}",
         "strict: 0 by design")
    if lags:
        line("  lag commit -> first decision answering it, p50/p90/p99/max",
             "/".join(f"{pct(lags, q) * 1e3:.2f}" for q in (.5, .9, .99, 1.0)) + " ms")
    if heard:
        line("  lag commit -> index rebuilt in the other process, p50/p99/max",
             "/".join(f"{pct(heard, q) * 1e3:.2f}" for q in (.5, .99, 1.0)) + " ms")


def bench_merged(url, world):
    session, manager = session_for(url)
    with manager:
        service = session.get(models.Service, world.service_id)
        user = session.get(models.User, world.user_ids[0])
        begin = time.perf_counter()
        local = get_service_tree(service, session)
        merged = merged_tree(local, service.sync_type, service.resource_id, session)
        middle = time.perf_counter()
        decisions.annotate_tree(session, SETTINGS, service, merged, user)
        end = time.perf_counter()
    nodes, stack = 0, list(merged.values())
    while stack:
        node = stack.pop()
        nodes += "effective" in node
        stack.extend(node["children"].values())
    line(f"merged tree with effective permissions for one user ({nodes:,} nodes)", f"{end - begin:.3f} s",
         "target < 2 s")
    line("  of which local tree + merge / annotate_tree", f"{middle - begin:.3f} / {end - middle:.3f} s")
    session.close()


def run(kind, args):
    print(f"\n=== {kind} ===")
    with temp_database(kind) as url:
        started = time.perf_counter()
        world = build(url)
        counts = count_rows(url)
        line("world built (bulk inserts)", f"{time.perf_counter() - started:.1f} s")
        line("  resources / users / groups / memberships", f"{counts['resources']:,} / {counts['users']:,} / "
             f"{counts['groups']:,} / {counts['users_groups']:,}")
        line("  applied permissions (users + groups)",
             f"{counts['users_resources_permissions'] + counts['groups_resources_permissions']:,}")
        modes = ["strict", "notify"] if kind == "postgresql" else ["strict"]
        for mode in modes:
            bench_in_process(url, world, mode, args.decisions)
        bench_http(url, world, args.http_requests, "strict")
        for mode in modes:
            bench_freshness(url, world, mode, args.commits)
        bench_merged(url, world)
        db.dispose_engine(url)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--decisions", type=int, default=100_000, help="in-process decisions per mode")
    parser.add_argument("--http-requests", type=int, default=1500, help="HTTP decisions per client thread")
    parser.add_argument("--commits", type=int, default=1000, help="grant/revoke commits of the freshness run")
    args = parser.parse_args(argv)
    for kind in args.databases.split(","):
        run(kind.strip(), args)


if __name__ == "__main__":
    main()
