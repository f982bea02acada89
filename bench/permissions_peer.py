"""The other process of the freshness run of ``bench.permissions_benchmark``.

    python -m bench.permissions_peer DATABASE_URL strict|notify SERVICE_ID USER_ID PATH

It decides ``read`` on PATH for the user over and over (every ~0.2 ms, a sample per decision:
start, end, answer) and, between two, answers JSON lines on stdin: ``decide`` (one decision now),
``report`` (the samples and the index rebuilds), ``stop``. Times are ``time.monotonic()``, the
system-wide clock the writing process uses too.
"""
import json
import os
import select
import sys
import time

import transaction

from magpie import db, models
from magpie.config import load_settings
from magpie.permissions import decisions, index


def main(url: str, freshness: str, service_id: int, user_id: int, path: str) -> None:
    settings = load_settings({"magpie.environment": "test", "magpie.secret": "s" * 40})
    engine = db.get_engine({"sqlalchemy.url": url})
    acl_index = index.configure(engine, freshness)
    manager = transaction.TransactionManager(explicit=True)
    session = db.get_db_session_from_settings({"sqlalchemy.url": url}, manager)
    with manager:
        service, user = session.get(models.Service, service_id), session.get(models.User, user_id)

    def decide():
        started = time.monotonic()
        answer = decisions.authorize(session, settings, service, path, "read", user)
        return started, time.monotonic(), answer["allowed"], answer["version"]

    decide()
    samples, buffer, stdin = [], b"", sys.stdin.fileno()
    os.write(1, b'{"ready": true}\n')
    for _ in range(10_000_000):  # bounded: a run takes well under this many samples
        started, ended, allowed, _ = decide()
        samples.append((started, ended, allowed))
        readable, _, _ = select.select([stdin], [], [], 0.0002)
        if not readable:
            continue
        chunk = os.read(stdin, 65536)
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            request = json.loads(line)
            if request["op"] == "decide":
                started, ended, allowed, version = decide()
                reply = {"started": started, "ended": ended, "allowed": allowed, "version": version}
            elif request["op"] == "report":
                reply = {"samples": samples, "refreshes": list(acl_index.refreshes)}
            else:
                index.forget(engine)
                os.write(1, b'{"stopped": true}\n')
                return
            os.write(1, json.dumps(reply).encode() + b"\n")
    index.forget(engine)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
