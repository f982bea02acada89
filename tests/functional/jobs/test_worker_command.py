"""``magpie-worker`` refuses what it cannot work with, with exit status 2 and the reason, and
waits for a database it cannot reach yet."""
import time

from magpie.jobs.worker import main
from tests.functional.jobs.conftest import wait_until
from tests.support.workers import Workers


def test_the_worker_needs_postgresql(tmp_path, caplog, monkeypatch):
    monkeypatch.delenv("MAGPIE_DB_URL", raising=False)
    assert main(["--db", f"sqlite:///{tmp_path}/magpie.sqlite"]) == 2
    assert "needs PostgreSQL" in caplog.text
    assert main([]) == 2
    assert "no database" in caplog.text


def test_a_bad_schedule_stops_the_worker(tmp_path, caplog):
    ini = tmp_path / "worker.ini"
    ini.write_text("[app:main]\nuse = egg:magpie\nsqlalchemy.url = postgresql://127.0.0.1:9/none\n"
                   "magpie.jobs.schedule = every day\n")
    assert main(["--config", str(ini)]) == 2
    assert "not a cron expression" in caplog.text


def test_a_worker_waits_for_its_database_and_logs_it_once_a_minute(tmp_path):
    pool = Workers("unused", tmp_path)
    process = pool.start_with("--db", "postgresql://postgres@127.0.0.1:9/unreachable", name="waiting")
    log = tmp_path / "waiting.log"
    try:
        wait_until(lambda: log.read_text(errors="replace"), lambda text: "error connecting" in text,
                   "the worker's first attempt")
        time.sleep(4)  # psycopg's pool tries again after 1 s, 2 s ...: each attempt would be a line
        assert process.poll() is None  # still waiting, not exited
        assert log.read_text(errors="replace").count("error connecting") == 1
    finally:
        pool.stop_all()
