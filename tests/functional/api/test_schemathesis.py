"""Schemathesis over the served OpenAPI document: no 5xx, and answers that conform.

The app runs in waitress on 127.0.0.1 and Schemathesis' own command line drives it with the
administrator's credentials, one worker (several trip a CPython 3.11 bug in
Hypothesis' generation: "AST constructor recursion depth mismatch"), every check enabled (server errors, status codes, content types,
response schemas, negative data rejection, ...), a fixed seed and a bounded number of examples.

Two runs, so that no request ever leaves this machine:

1. every operation but ``runSync`` and the connection tests, positive and negative data, on the
   document as served (services may get any URL: nothing contacts them);
2. every operation but deleting and renaming services, in positive mode (fuzzing and stateful
   phases), on the served document with ``service_url`` (and
   ``allowed_origins``) restricted to a local server that answers every sync type, and the
   crawl limits kept usable, so each sync really runs and succeeds. Between the runs every
   service is deleted.

Figures (operations, cases, failures) are printed; run with ``-s`` to see them.
"""
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from magpie.helpers.sync_services import SYNC_SERVICES_TYPES
from tests.functional.api.conftest import ADMIN_PASSWORD, ADMIN_USER, basic
from tests.support.live_app import Served
from tests.support.remote_server import fixture_bytes
from tests.support.thredds_catalogs import catalog_xml

ST = Path(sys.executable).with_name("st")
MAX_EXAMPLES = {"sqlite": 20, "postgresql": 12}
SEED = 20261126


@pytest.fixture
def app_settings(app_settings):
    """Schemathesis signs in with drawn names and passwords from the address its administrator's
    Basic calls come from: sign-in throttling (tested in tests/functional/accounts) would soon
    answer them all 429, so it is set out of its reach here."""
    return {**app_settings, "magpie.signin.rate_limit": "1000000/minute", "magpie.signin.max_failures": "1000000"}


@pytest.fixture
def served_app(wsgi_app):
    served = Served(wsgi_app, threads=4).start()
    yield served.url
    served.stop()


@pytest.fixture
def every_sync_type(remote):
    """One URL that answers every built-in sync type with a small valid document."""
    base = "/svc"
    remote.add(f"{base}/catalog.xml", catalog_xml(files=[("x.nc", "a/x.nc")]))
    remote.add(f"{base}/workspaces", json.dumps({"workspaces": {"workspace": [{"name": "ws"}]}}),
               content_type="application/json")
    remote.add(f"{base}/workspaces/ws/layers", json.dumps({"layers": {"layer": [{"name": "ws:roads"}]}}),
               content_type="application/json")
    remote.add(f"{base}/Projects", json.dumps([{"id": 1, "name": "one"}]), content_type="application/json")
    remote.add(f"{base}/collections", json.dumps({"collections": [{"id": "c1", "title": "C1"}], "links": []}),
               content_type="application/json")
    for service, fixture in (("WPS", "wps/pywps-4.3_emu_getcapabilities_1.0.0.xml"),
                             ("WMS", "wms/geoserver_dov_wms_1.3.0.xml"),
                             ("WFS", "wfs/mapserver_wfs_1.0.0.xml")):
        remote.add(f"{base}?service={service}&request=GetCapabilities", fixture_bytes(fixture))
    return remote.url + base


def with_header_names(spec: dict) -> dict:
    """The document with credential header names drawn from valid ones: OpenAPI 3.0 cannot state
    the rule for an object's keys (propertyNames is 3.1), which the server checks."""
    spec = copy.deepcopy(spec)
    headers = spec["components"]["schemas"]["HeaderCredentials"]["properties"]["headers"]
    headers["properties"] = {"X-Api-Key": headers["additionalProperties"]}
    headers["additionalProperties"] = False
    return spec


def local_only(spec: dict, service_url: str, service_names: list) -> dict:
    """The document with service URLs pinned to ``service_url``, limits a sync can live with, and
    ``{service}`` drawn from ``service_names`` so that every service-scoped call, sync included,
    reaches a real service."""
    spec = copy.deepcopy(spec)
    spec["components"]["parameters"]["ServiceRef"]["schema"] = {"type": "string", "enum": service_names}
    schemas = spec["components"]["schemas"]
    schemas["ServiceUrl"] = {"type": "string", "enum": [service_url]}
    limits = schemas["Configuration"]["properties"]
    limits["timeout"].update(minimum=5, exclusiveMinimum=False)
    limits["time_budget"].update(minimum=30, exclusiveMinimum=False)
    limits["max_bytes"]["minimum"] = 10_000_000
    limits["max_nodes"]["minimum"] = 10_000
    limits["max_pages"]["minimum"] = 10
    limits["retry_backoff"]["maximum"] = 0.1
    limits["start_catalog"] = {"type": "string", "enum": ["catalog.xml"]}
    schemas["Configuration"]["additionalProperties"] = False
    return spec


def run_schemathesis(spec: dict, base_url: str, tmp_path: Path, name: str, *options: str) -> dict:
    spec_path = tmp_path / f"{name}.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    report = tmp_path / f"{name}-report.json"
    command = [str(ST), "run", str(spec_path), "--url", base_url, "--auth", f"{ADMIN_USER}:{ADMIN_PASSWORD}",
               "--seed", str(SEED), "--workers", "1", "--no-shrink", "--request-timeout", "30",
               "--report", "json", "--report-json-path", str(report), *options]
    # Run in tmp_path: Schemathesis keeps its example database in the working directory.
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path,
                               env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"})
    tail = completed.stdout[-6000:]
    print(f"\n--- schemathesis {name} ---\n{tail}")
    assert completed.returncode == 0, tail + completed.stderr[-3000:]
    return json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}


def test_schemathesis_finds_no_server_error_and_no_nonconforming_answer(served_app, every_sync_type, db_url,
                                                                          tmp_path):
    examples = str(MAX_EXAMPLES["postgresql" if db_url.startswith("postgresql") else "sqlite"])
    spec = requests.get(served_app + "/api/openapi.json", timeout=10).json()

    spec = with_header_names(spec)
    run_schemathesis(spec, served_app, tmp_path, "all-but-sync", "--max-examples", examples,
                     "--exclude-operation-id", "runSync", "--exclude-operation-id", "testConnection",
                     "--exclude-operation-id", "testServiceConnection")

    auth = basic(ADMIN_USER, ADMIN_PASSWORD)
    for service in requests.get(served_app + "/services", headers=auth, timeout=10).json()["services"]:
        requests.delete(f"{served_app}/services/{service['resource_id']}", headers=auth, timeout=10)
    names = []
    for sync_type in sorted(SYNC_SERVICES_TYPES):
        names.append(f"svc-{sync_type}")
        answer = requests.post(served_app + "/services", headers=auth, timeout=10, json={
            "service_name": names[-1], "service_type": sync_type, "service_url": every_sync_type,
            "service_sync_type": sync_type})
        assert answer.status_code == 201, answer.text

    # Deleting and renaming services were run above; here they would only take the services away.
    run_schemathesis(local_only(spec, every_sync_type, names), served_app, tmp_path, "local-sync",
                     "--max-examples", examples, "--mode", "positive", "--phases", "fuzzing,stateful",
                     "--exclude-operation-id", "deleteService", "--exclude-operation-id", "updateService")
    synced = []
    for name in names:
        status = requests.get(f"{served_app}/services/{name}/sync", headers=auth, timeout=10).json()["sync"]
        assert status["last_error"] is None, (name, status)
        if status["last_sync"] is not None:
            synced.append(name)
    print(f"services synced by schemathesis: {len(synced)}/{len(names)} ({', '.join(synced)})")
    assert synced, "schemathesis never reached a sync"
    # The local server answers every sync type: a sync Schemathesis drew could not fail for
    # want of a document, so a 5xx it met would have been ours.
    for name in sorted(set(names) - set(synced)):
        # A job Schemathesis queued waits for a worker on PostgreSQL (none runs here): cancel it.
        for run in requests.get(f"{served_app}/services/{name}/sync/runs", headers=auth, timeout=10).json()["runs"]:
            if run["status"] in ("queued", "running"):
                requests.post(f"{served_app}/services/{name}/sync/runs/{run['id']}/cancel", headers=auth, timeout=30)
        answer = requests.post(f"{served_app}/services/{name}/sync?wait=true", headers=auth, timeout=60)
        assert answer.status_code == 200, answer.text
