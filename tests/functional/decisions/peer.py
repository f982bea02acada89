"""A second process with its own decision index, driven by JSON lines on stdin (one answer line
per request), so that freshness is tested across processes as it matters in production.

    python -m tests.functional.decisions.peer DATABASE_URL strict|notify
"""
import json
import sys
import time

import transaction

from magpie import db, models
from magpie.permissions import decisions, index
from tests.functional.decisions.conftest import decision_settings


def serve(url: str, freshness: str) -> None:
    settings = decision_settings()
    engine = db.get_engine({"sqlalchemy.url": url})
    acl_index = index.configure(engine, freshness)
    manager = transaction.TransactionManager(explicit=True)
    session = db.get_db_session_from_settings({"sqlalchemy.url": url}, manager)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "authorize":
            with manager:
                service = session.get(models.Service, request["service_id"])
                user = session.get(models.User, request["user_id"]) if request.get("user_id") else None
                answer = decisions.authorize(session, settings, service, request["path"], request["permission"], user)
        elif request["op"] == "wait_version":  # until the listener has rebuilt the index that far
            deadline = time.monotonic() + request["timeout"]
            while time.monotonic() < deadline:
                state = acl_index.state
                if state is not None and state.version is not None and state.version >= request["version"]:
                    break
                time.sleep(0.002)
            state = acl_index.state
            answer = {"version": None if state is None else state.version}
        else:
            answer = {"error": f"unknown op {request['op']!r}"}
        print(json.dumps(answer), flush=True)
    index.forget(engine)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
