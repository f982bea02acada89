"""Real ``magpie-worker`` processes for the tests of background syncs (PostgreSQL), each stopped
by its own handle, and an empty procrastinate queue to start from."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from magpie import db

WORKER = str(Path(sys.executable).with_name("magpie-worker"))


def clear_queue(db_url: str) -> None:
    """Empty procrastinate's queue: ids restart with each test's tables, so a job left by an
    earlier test must not run a run of this one."""
    engine = db.get_engine({"sqlalchemy.url": db_url})
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(sa.text("TRUNCATE procrastinate_jobs RESTART IDENTITY CASCADE"))


class Workers:
    """``magpie-worker`` processes on one database; logs in ``log_dir``."""

    def __init__(self, db_url: str, log_dir: Path):
        self.db_url, self.log_dir, self.processes = db_url, log_dir, []

    def start(self, name: str = "") -> subprocess.Popen:
        return self.start_with("--db", self.db_url, name=name)

    def start_with(self, *args: str, name: str = "") -> subprocess.Popen:
        name = name or f"worker{len(self.processes)}"
        log = open(self.log_dir / f"{name}.log", "wb")
        process = subprocess.Popen([WORKER, *args, "--name", name], stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
