"""Scheduled syncs fire: from a real worker's periodic task on PostgreSQL, from the app's ticker
thread on SQLite; a service's own schedule overrides the setting, and a service whose lock
another sync holds (the cron command) is left alone."""
import pytest

from magpie import db
from tests.functional.jobs.conftest import wait_until
from tests.support.thredds_catalogs import catalog_xml

EVERY_SECOND = "* * * * * *"


@pytest.fixture
def app_settings(app_settings):  # noqa: F811 (the API's, with a schedule)
    return {**app_settings, "magpie.jobs.schedule": EVERY_SECOND, "magpie.jobs.schedule_tick": EVERY_SECOND}


def scheduled_runs(api, service_id: int) -> list:
    return [run for run in api.get(f"/services/{service_id}/sync/runs").json["runs"] if run["origin"] == "schedule"]


def test_the_schedule_fires_with_per_service_overrides(api, remote, workers, db_url, tmp_path):
    ids = {}
    for name, own in (("every", None), ("off", {"schedule": "off"}), ("yearly", {"schedule": "0 0 1 1 *"}),
                      ("locked", None)):
        remote.add(f"/{name}/catalog.xml", catalog_xml(files=[("x.nc", "x.nc")]))
        body = {"service_name": name, "service_type": "thredds", "service_url": f"{remote.url}/{name}",
                "service_sync_type": "thredds", "configuration": own}
        ids[name] = api.post("/services", body, status=201).json["service"]["resource_id"]
    engine = db.get_engine({"sqlalchemy.url": db_url})
    with db.sync_lock(engine, ids["locked"]):  # as the cron command holds it
        if engine.dialect.name == "postgresql":
            ini = tmp_path / "worker.ini"
            ini.write_text(f"[app:main]\nuse = egg:magpie\nsqlalchemy.url = {db_url}\n"
                           f"magpie.jobs.schedule = {EVERY_SECOND}\nmagpie.jobs.schedule_tick = {EVERY_SECOND}\n")
            workers.start_with("--config", str(ini))
        fired = wait_until(lambda: scheduled_runs(api, ids["every"]),
                           lambda runs: sum(run["status"] == "succeeded" for run in runs) >= 2, "scheduled syncs")
        assert all(run["status"] in ("queued", "running", "succeeded") for run in fired)
        assert scheduled_runs(api, ids["locked"]) == []
    assert scheduled_runs(api, ids["off"]) == [] and scheduled_runs(api, ids["yearly"]) == []
    later = wait_until(lambda: scheduled_runs(api, ids["locked"]),
                       lambda runs: any(run["status"] == "succeeded" for run in runs), "the scheduled sync once free")
    assert later


def test_a_bad_schedule_is_refused_with_its_field(api, remote):
    body = {"service_name": "bad", "service_type": "thredds", "service_url": f"{remote.url}/bad",
            "service_sync_type": "thredds", "configuration": {"schedule": "every day"}}
    answer = api.post("/services", body, status=400).json
    assert answer["fields"][0]["field"] == "configuration/schedule" and "cron expression" in answer["detail"]
