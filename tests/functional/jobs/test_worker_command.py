"""``magpie-worker`` refuses what it cannot work with, with exit status 2 and the reason."""
from magpie.jobs.worker import main


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
