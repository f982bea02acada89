"""A change committed in this process is in the very next decision of another process (its own
index, its own connections), on SQLite and PostgreSQL; and on PostgreSQL in ``notify`` mode
once the other process has heard the notification."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from magpie import audit

#: PostgreSQL alone has notifications and commits ids out of order: these cases are its own.
PG_ONLY = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)

ROOT = Path(__file__).resolve().parents[3]


class Peer:
    """``tests.functional.decisions.peer`` in a subprocess, stopped by its handle."""

    def __init__(self, url: str, freshness: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.functional.decisions.peer", url, freshness], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.call_line() == {"ready": True}

    def call_line(self) -> dict:
        line = self.process.stdout.readline()
        assert line, f"the peer process ended (exit code {self.process.poll()})"
        return json.loads(line)

    def call(self, **request) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self.call_line()

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process.stdout.close()


@pytest.fixture
def peer_factory(db_url):
    peers = []

    def start(freshness: str = "strict") -> Peer:
        peers.append(Peer(db_url, freshness))
        return peers[-1]

    yield start
    for peer in peers:
        peer.stop()


@pytest.fixture
def shared(world):
    service_id = world.service()
    file_id = world.path(service_id, "a/b.nc")
    bob = world.user("bob")
    return service_id, file_id, bob.id


def test_the_next_decision_of_another_process_has_the_change(world, shared, peer_factory):
    service_id, file_id, bob_id = shared
    peer = peer_factory("strict")
    question = dict(op="authorize", service_id=service_id, path="a/b.nc", permission="read", user_id=bob_id)
    assert peer.call(**question)["allowed"] is False
    for _ in range(10):
        world.grant("user:bob", file_id, "read-allow-match")
        assert peer.call(**question)["allowed"] is True
        world.revoke("user:bob", file_id, "read-allow-match")
        assert peer.call(**question)["allowed"] is False
    world.path(service_id, "a/new.nc")  # a resource: the other process reloads that tree
    assert peer.call(**{**question, "path": "a/new.nc"})["resource"]["exact"] is True


@PG_ONLY
def test_notify_mode_answers_from_what_the_listener_heard(world, shared, peer_factory, session, tm, db_url):
    service_id, file_id, bob_id = shared
    peer = peer_factory("notify")
    question = dict(op="authorize", service_id=service_id, path="a/b.nc", permission="read", user_id=bob_id)
    assert peer.call(**question)["allowed"] is False
    for grant in (True, False, True):
        (world.grant if grant else world.revoke)("user:bob", file_id, "read-allow-match")
        with tm:
            committed = audit.acl_version(session)
        heard = peer.call(op="wait_version", version=committed, timeout=10)
        assert heard["version"] is not None and heard["version"] >= committed, "the peer never heard the change"
        answer = peer.call(**question)
        assert answer["allowed"] is grant and answer["version"] >= committed
