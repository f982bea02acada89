"""Figures of issue 15 (hardening) against the app served by waitress on 127.0.0.1:

- the sign-in flood: threads posting wrong passwords for one account, then bodies of 160 KB with
  extra fields; how many were answered 401 / 429 / 400, and /health latency meanwhile;
- sign-in time of a known and an unknown user name (the timing oracle the dummy hash closes);
- Schemathesis over the whole API, all checks, for a bounded time (cases, failures);
- the SSRF list tried at registration (each should be refused);
- the security headers of an API answer, a page and /api/docs.

    .venv/bin/python -m bench.security_bench                 # SQLite
    .venv/bin/python -m bench.security_bench --database postgresql --flood-seconds 20 --st-seconds 120

Nothing here asserts; it prints.
"""
import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from bench.sync_benchmark import temp_database
from magpie.sync.remote import addresses
from tests.functional.api.test_ssrf import INTERNAL_URLS
from tests.support.live_app import ADMIN_PASSWORD, ADMIN_USER, LiveApp, app_settings

ST = Path(sys.executable).with_name("st")
HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else float("nan")


def flood(app: LiveApp, seconds: float, threads: int, body_for) -> tuple:
    """(Counter of statuses, /health latencies in ms) while ``threads`` post ``body_for()``."""
    stop = time.monotonic() + seconds
    statuses: Counter = Counter()
    latencies = []
    lock = threading.Lock()

    def attack():
        with requests.Session() as client:
            while time.monotonic() < stop:
                status = client.post(app.url + "/signin", data=body_for(), timeout=120,
                                     headers={"Content-Type": "application/json"}).status_code
                with lock:
                    statuses[status] += 1

    def probe():
        with requests.Session() as client:
            while time.monotonic() < stop:
                started = time.perf_counter()
                client.get(app.url + "/health", timeout=300)
                latencies.append((time.perf_counter() - started) * 1000)
                time.sleep(0.2)

    workers = [threading.Thread(target=attack) for _ in range(threads)] + [threading.Thread(target=probe)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return statuses, latencies


def print_flood(title: str, statuses: Counter, latencies: list) -> None:
    total = sum(statuses.values())
    print(f"{title}: {total} requests, " + ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items())))
    print(f"  /health during it: {len(latencies)} probes, median {statistics.median(latencies):.1f} ms, "
          f"p95 {percentile(latencies, 0.95):.1f} ms, max {max(latencies):.1f} ms")


def signin_times(app: LiveApp, user_name: str, tries: int) -> float:
    times = []
    with requests.Session() as client:
        for _ in range(tries):
            started = time.perf_counter()
            client.post(app.url + "/signin", json={"user_name": user_name, "password": "wrong-password"}, timeout=60)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def schemathesis(app: LiveApp, seconds: int) -> None:
    spec = requests.get(app.url + "/api/openapi.json", timeout=30).json()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spec.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        # runSync would crawl the (fictitious) URLs services get: left out, as in the test.
        command = [str(ST), "run", str(path), "--url", app.url, "--auth", f"{ADMIN_USER}:{ADMIN_PASSWORD}",
                   "--workers", "1", "--max-time", str(seconds), "--request-timeout", "60", "--no-shrink",
                   "--exclude-operation-id", "runSync", "--seed", "20261207"]
        done = subprocess.run(command, capture_output=True, text=True, cwd=folder, timeout=seconds * 3 + 300,
                              env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"})
    cases = re.search(r"Test cases:\s*\n?\s*(.*)", done.stdout)
    failures = re.findall(r"❌ (.*)", done.stdout)
    print(f"schemathesis, all checks, {seconds} s budget: exit {done.returncode}; "
          f"{cases.group(1).strip() if cases else 'no summary'}; failures: {failures or 'none'}")


def ssrf(app: LiveApp) -> None:
    refused = 0
    for number, url in enumerate(INTERNAL_URLS):
        answer = app.api.post(app.url + "/services", timeout=30, json={
            "service_name": f"ssrf-{number}", "service_type": "thredds", "service_url": url})
        refused += answer.status_code == 403
        detail = answer.json().get("detail", "") if answer.status_code != 201 else "accepted"
        print(f"  {url:40} {answer.status_code} {detail.split(' refused: ')[-1][:90]}")
    print(f"SSRF list: {refused}/{len(INTERNAL_URLS)} refused at registration")


def headers(app: LiveApp) -> None:
    for label, path, auth in (("API answer GET /services", "/services", True), ("page GET /ui/signin", "/ui/signin", False),
                              ("GET /api/docs", "/api/docs", False)):
        answer = (app.api if auth else requests).get(app.url + path, timeout=30)
        print(f"{label} ({answer.status_code}):")
        for name in HEADERS:
            print(f"  {name}: {answer.headers.get(name, 'MISSING')}")


def run(args) -> int:
    os.environ.pop(addresses.ALLOWED_NETWORKS_VARIABLE, None)  # the SSRF list is tried as in production
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(temp_database(args.database))
        app = LiveApp(app_settings(url, **{"magpie.api.validate_responses": "false"})).start()
        stack.callback(app.stop)
        app.call("POST", "/users", 201, json={"user_name": "alice", "email": "alice@example.org",
                                              "password": "alice-long-password"})
        wrong = json.dumps({"user_name": "alice", "password": "wrong-password"})
        print_flood(f"sign-in flood, wrong passwords, {args.threads} threads, {args.flood_seconds:g} s",
                    *flood(app, args.flood_seconds, args.threads, lambda: wrong))
        big = json.dumps({"user_name": "alice", "password": "x", "extra": list(range(26_000))})
        print_flood(f"sign-in flood, {len(big) // 1024} KB bodies with extra fields, {args.threads} threads, "
                    f"{args.flood_seconds:g} s", *flood(app, args.flood_seconds, args.threads, lambda: big))
        ssrf(app)
        headers(app)
        timing = LiveApp(app_settings(url, **{"magpie.api.validate_responses": "false",
                                              "magpie.signin.rate_limit": "1000000/minute",
                                              "magpie.signin.max_failures": "1000000"})).start()
        stack.callback(timing.stop)
        timing.call("POST", "/users", 201, json={"user_name": "bob", "email": "bob@example.org",
                                                 "password": "bob-long-password"})  # alice is locked by now
        print(f"sign-in with a wrong password, median of {args.tries}: known user "
              f"{signin_times(timing, 'bob', args.tries):.1f} ms, unknown user "
              f"{signin_times(timing, 'nobody-here', args.tries):.1f} ms")
        if args.st_seconds:
            schemathesis(timing, args.st_seconds)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--flood-seconds", type=float, default=15)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--tries", type=int, default=20)
    parser.add_argument("--st-seconds", type=int, default=90, help="0 skips Schemathesis")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
