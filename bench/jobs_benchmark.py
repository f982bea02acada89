"""Jobs benchmark (issue 14): syncs as procrastinate jobs on PostgreSQL, against the cron command.

    .venv/bin/python -m bench.jobs_benchmark                # both parts
    .venv/bin/python -m bench.jobs_benchmark --skip-latency # the ten services only
    .venv/bin/python -m bench.jobs_benchmark --skip-ten     # the latency part only

(1) Ten services of 10,100 nodes each (depth 2, fan-out 10, 90 files per catalog) from the
synthetic THREDDS server, first syncs: the cron command with ``--jobs 2``, one worker, two
workers (each started and ready before the jobs are queued). (2) The p95 latency of
``GET /services`` (a client in this process, the app served by waitress in a process of its own)
while a ~1,000,000-node sync runs: as a job in a worker, and with ``?wait=true`` inside the web
process. Wall-clock figures on this machine, which is shared: they move between runs.
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import sqlalchemy as sa

from bench.sync_benchmark import add_service, temp_database
from bench.synthetic_thredds import SyntheticThredds
from magpie import db, jobs
from magpie.jobs import runs
from magpie.jobs.engines import ProcrastinateEngine
from tests.support.live_app import ADMIN_PASSWORD, ADMIN_USER
from tests.support.workers import Workers, clear_queue

CRON = str(Path(sys.executable).with_name("magpie-sync-resources"))


def line(label, value):
    print(f"  {label:<66} {value:>14}")


def reset(url: str) -> None:
    """Forget every stored tree and run: the next syncs are first syncs again."""
    with db.get_engine({"sqlalchemy.url": url}).begin() as connection:
        connection.execute(sa.text("TRUNCATE sync_runs, remote_resources_sync_info, remote_resources CASCADE"))
    clear_queue(url)


def ready_workers(url: str, folder: Path, count: int) -> Workers:
    pool = Workers(url, folder)
    for _ in range(count):
        pool.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        logs = [path.read_text(errors="replace") for path in folder.glob("worker*.log")]
        if len(logs) == count and all("Starting worker" in log for log in logs):
            return pool
        time.sleep(0.1)
    raise RuntimeError("the workers did not start")


def wait_all(url: str, service_runs) -> None:
    engine = db.get_engine({"sqlalchemy.url": url})
    pending = list(service_runs)
    while pending:
        pending = [(sid, rid) for sid, rid in pending if runs.get_run(engine, sid, rid)["status"] in runs.ACTIVE]
        time.sleep(0.05)


def bench_ten(url: str) -> None:
    print("\n(1) ten services of 10,100 nodes each, first syncs")
    with SyntheticThredds(depth=2, fanout=10, files=90) as server:
        ids = [add_service(url, f"svc{index}", server.url, {"max_depth": 3}) for index in range(10)]
        reset(url)
        started = time.monotonic()
        subprocess.run([CRON, "--db", url, "--jobs", "2", "--log-level", "WARNING"], check=True)
        line("cron command, --jobs 2", f"{time.monotonic() - started:.2f} s")
        engine = db.get_engine({"sqlalchemy.url": url})
        for count in (1, 2):
            reset(url)
            with tempfile.TemporaryDirectory() as folder:
                pool = ready_workers(url, Path(folder), count)
                try:
                    queue = ProcrastinateEngine(engine)
                    started = time.monotonic()
                    queued = [(sid, jobs.start(queue, sid, origin="bench")["id"]) for sid in ids]
                    wait_all(url, queued)
                    elapsed = time.monotonic() - started
                    queue.close()
                finally:
                    pool.stop_all()
            statuses = {runs.get_run(engine, sid, rid)["status"] for sid, rid in queued}
            line(f"{count} worker{'s' if count > 1 else ''} (queued to all ended; {', '.join(sorted(statuses))})",
                 f"{elapsed:.2f} s")


def measure(base: str, until, auth) -> list:
    """GET /services in a loop until ``until()``, signed in with a session cookie (HTTP Basic would
    measure the password hash of every request): latencies in ms."""
    latencies = []
    with requests.Session() as client:
        client.post(f"{base}/signin", json={"user_name": auth[0], "password": auth[1]}, timeout=60).raise_for_status()
        while not until():
            started = time.perf_counter()
            client.get(base + "/services", timeout=60).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def p95(values) -> str:
    return f"{statistics.quantiles(values, n=20)[18]:.1f} ms (n={len(values)})"


def bench_latency(url: str) -> None:
    print("\n(2) p95 of GET /services while a ~1,000,000-node sync runs (waitress, 4 threads)")
    auth = (ADMIN_USER, ADMIN_PASSWORD)
    with SyntheticThredds(depth=2, fanout=40, files=608) as server, tempfile.TemporaryDirectory() as folder:
        service_id = add_service(url, "big", server.url, {"max_depth": 3, "time_budget": 3600})
        serve = subprocess.Popen([sys.executable, "-m", "bench.permissions_serve", url, "strict"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            port = json.loads(serve.stdout.readline())["port"]
            base = f"http://127.0.0.1:{port}"
            count = [0]

            def two_hundred():
                count[0] += 1
                return count[0] > 200

            line("idle", p95(measure(base, two_hundred, auth)))
            engine = db.get_engine({"sqlalchemy.url": url})
            reset(url)
            pool = ready_workers(url, Path(folder), 1)
            try:
                run = requests.post(f"{base}/services/{service_id}/sync", auth=auth, timeout=60).json()["run"]
                latencies = measure(base, lambda: runs.get_run(engine, service_id, run["id"])["status"]
                                    not in runs.ACTIVE, auth)
                done = runs.get_run(engine, service_id, run["id"])
                line(f"the sync as a job in a worker ({done['status']}, {done['progress']['nodes']} nodes)",
                     p95(latencies))
            finally:
                pool.stop_all()
            reset(url)
            finished = threading.Event()

            def in_web_process():
                requests.post(f"{base}/services/{service_id}/sync?wait=true", auth=auth, timeout=3600)
                finished.set()

            thread = threading.Thread(target=in_web_process)
            thread.start()
            latencies = measure(base, finished.is_set, auth)
            thread.join()
            line("the sync with ?wait=true inside the web process", p95(latencies))
        finally:
            serve.stdin.close()
            serve.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-latency", action="store_true", help="only the ten services")
    parser.add_argument("--skip-ten", action="store_true", help="only the latency during a large sync")
    args = parser.parse_args()
    with temp_database("postgresql") as url:
        if not args.skip_ten:
            bench_ten(url)
        if not args.skip_latency:
            bench_latency(url)


if __name__ == "__main__":
    main()
