"""The cron command and providers registration, in-process and as the installed console scripts."""
import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from magpie import models
from magpie.helpers import sync_resources
from magpie.services.providers import ProvidersError, load_providers_file, register_providers_file
from tests.functional.sync.helpers import names, stored_tree
from tests.support.thredds_catalogs import catalog_xml

BIN = Path(sys.executable).parent


def providers_file(tmp_path, text):
    path = tmp_path / "providers.yml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def sync_info(session, tm, name):
    with tm:
        return session.execute(
            sa.select(models.RemoteResourcesSyncInfo).join(
                models.Service, models.Service.resource_id == models.RemoteResourcesSyncInfo.service_id)
            .where(models.Service.resource_name == name)).scalar_one_or_none()


@pytest.fixture
def two_thredds(remote, add_service):
    remote.add("/good/catalog.xml", catalog_xml(files=[("a.nc", "a.nc")]))
    remote.add("/bad/catalog.xml", b"down", status=500, content_type="text/plain")
    good = add_service(name="good", url=remote.url + "/good")
    bad = add_service(name="bad", url=remote.url + "/bad")
    return good, bad


def test_one_failing_service_does_not_stop_the_others(db_url, session, tm, two_thredds, capsys):
    # Defects of the anchor: one failure aborted the run, and all services shared one transaction.
    good, bad = two_thredds
    assert sync_resources.main(["--db", db_url]) == 1
    with tm:
        assert names(stored_tree(session, good)) == {"good": {"a.nc": {}}}
        assert stored_tree(session, bad) == {}
    assert "HTTP 500" in sync_info(session, tm, "bad").last_error
    assert sync_info(session, tm, "good").last_sync is not None
    out = capsys.readouterr().out
    assert "service 'good' synced" in out and "2 added, 0 removed, 0 kept" in out
    assert "sync of service 'bad' failed" in out and "1 service(s) synced, 1 failed: bad" in out


def test_each_run_records_who_asked_for_it(db_url, session, tm, two_thredds):
    good, _ = two_thredds
    assert sync_resources.main(["--db", db_url, "--service", "good"]) == 0
    sync_resources.fetch({"sqlalchemy.url": db_url}, service_names=["good"])  # in-process, after the cron
    with tm:
        origins = [run["origin"] for run in sync_resources.get_sync_history(good, session)]
    assert origins == ["in-process", "cron"]


def test_services_are_chosen_by_sync_type_not_by_service_type(db_url, session, tm, remote, add_service):
    # Defect of the anchor: the cron selected services by their type, so most were never synced.
    remote.add("/t/catalog.xml", catalog_xml(files=[("x.nc", "x.nc")]))
    odd = add_service(name="odd", url=remote.url + "/t", type_="wms-proxy", sync_type="thredds")
    unsynced = add_service(name="plain", url=remote.url + "/t", type_="thredds", sync_type=None)
    assert sync_resources.main(["--db", db_url, "--sync-type", "thredds"]) == 0
    with tm:
        assert names(stored_tree(session, odd)) == {"odd": {"x.nc": {}}}
        assert stored_tree(session, unsynced) == {}


def test_service_selection_dry_run_and_log_file(db_url, session, tm, two_thredds, tmp_path):
    good, bad = two_thredds
    log_file = tmp_path / "sync.log"
    assert sync_resources.main(["--db", db_url, "--service", "good", "--dry-run", "--log-file", str(log_file)]) == 0
    with tm:
        assert stored_tree(session, good) == {}
    assert "checked (dry run)" in log_file.read_text()
    assert sync_resources.main(["--db", db_url, "--service", "good", "--log-level", "warning"]) == 0
    with tm:
        assert names(stored_tree(session, good)) == {"good": {"a.nc": {}}}
    assert sync_info(session, tm, "bad") is None


@pytest.mark.parametrize("argv", [
    ["--service", "nope"],
    ["--sync-type", "nope"],
])
def test_bad_arguments_exit_2(db_url, two_thredds, argv):
    assert sync_resources.main(["--db", db_url, *argv]) == 2


def test_unreachable_or_unmigrated_database_exits_2(tmp_path):
    assert sync_resources.main(["--db", "postgresql://nobody@127.0.0.1:9/none"]) == 2
    assert sync_resources.main(["--db", f"sqlite:///{tmp_path}/empty.sqlite"]) == 2
    assert sync_resources.main(["--config", str(tmp_path / "missing.ini")]) == 2
    with pytest.raises(SystemExit) as exit_:
        sync_resources.main(["--log-level", "loud"])
    assert exit_.value.code == 2


def test_setup_cron_logger_writes_stdout_and_rotating_file(tmp_path, capsys):
    log_file = tmp_path / "cron.log"
    logger = sync_resources.setup_cron_logger("INFO", str(log_file))
    logger.getChild("test").info("hello cron")
    sync_resources.setup_cron_logger("INFO")  # set up again: no duplicated handlers
    logger.getChild("test").info("second")
    assert capsys.readouterr().out.count("hello cron") == 1
    assert "hello cron" in log_file.read_text()
    assert len([h for h in logger.handlers if getattr(h, "_magpie_cron", False)]) == 1


def test_fetch_all_services_by_type(session, tm, two_thredds):
    with tm:
        results = sync_resources.fetch_all_services_by_type("thredds", session)
    assert {result.service_name: result.ok for result in results} == {"good": True, "bad": False}


# --- providers -------------------------------------------------------------------------------

PROVIDERS = """
providers:
  thredds:
    url: {url}/thredds/
    title: Our THREDDS
    public: true
    type: thredds
    sync_type: thredds
    configuration:
      max_depth: 2
  geoserver:
    url: http://127.0.0.1:9/geoserver/rest
    type: geoserver
"""


def test_register_providers_creates_then_updates_without_duplicates(session, tm, tmp_path):
    path = providers_file(tmp_path, PROVIDERS.format(url="http://127.0.0.1:9"))
    with tm:
        assert register_providers_file(path, session) == {"thredds": "created", "geoserver": "created"}
    with tm:
        assert register_providers_file(path, session) == {"thredds": "unchanged", "geoserver": "unchanged"}
    path = providers_file(tmp_path, PROVIDERS.format(url="http://127.0.0.1:10"))
    with tm:
        assert register_providers_file(path, session)["thredds"] == "updated"
    with tm:
        services = session.execute(sa.select(models.Service).order_by(models.Service.resource_name)).scalars().all()
        assert [(s.resource_name, s.url, s.sync_type) for s in services] == [
            ("geoserver", "http://127.0.0.1:9/geoserver/rest", None),
            ("thredds", "http://127.0.0.1:10/thredds", "thredds")]
        assert services[1].configuration == {"max_depth": 2}
        assert services[1].resource_display_name == "Our THREDDS"


@pytest.mark.parametrize("text, match", [
    ("providers:\n  svc:\n    type: thredds\n", "service 'svc': 'url' is missing"),
    ("providers:\n  svc:\n    url: http://x\n    type: thredds\n    sync_type: nope\n",
     "service 'svc': unknown sync type 'nope'"),
    ("providers:\n  svc:\n    url: http://x\n", "service 'svc': 'type' is missing"),
    ("providers:\n  '123':\n    url: http://x\n    type: thredds\n", "only digits"),
    ("providers:\n  svc:\n    url: http://x\n    type: thredds\n    colour: red\n", "unknown setting"),
    ("providers:\n  svc:\n    url: http://x\n    type: thredds\n    configuration: {max_depth: -1}\n",
     "service 'svc': max_depth must be an integer from 0 to 100 or null"),
    ("providers:\n  a/b:\n    url: http://x\n    type: thredds\n", "cannot hold '/'"),
    ("providers: [\n", "not valid YAML"),
    ("services: {}\n", "expected a mapping 'providers:'"),
])
def test_bad_providers_files_name_the_problem(tmp_path, text, match):
    with pytest.raises(ProvidersError, match=match):
        load_providers_file(providers_file(tmp_path, text))


def test_bad_file_changes_nothing(session, tm, tmp_path):
    text = PROVIDERS.format(url="http://127.0.0.1:9") + "  broken:\n    type: thredds\n"
    with pytest.raises(ProvidersError):
        with tm:
            register_providers_file(providers_file(tmp_path, text), session)
    with tm:
        assert session.execute(sa.select(sa.func.count(models.Service.resource_id))).scalar() == 0


def test_console_scripts_register_and_sync_from_the_command_line(db_url, session, tm, remote, tmp_path):
    """The installed commands, as cron would run them, on this database."""
    remote.add("/thredds/catalog.xml", catalog_xml(files=[("a.nc", "d/a.nc")]))
    path = providers_file(tmp_path, PROVIDERS.format(url=remote.url))
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAGPIE_")}
    register = subprocess.run([str(BIN / "magpie-register-providers"), path, "--db", db_url],
                              capture_output=True, text=True, env=env, timeout=60)
    assert register.returncode == 0, register.stderr
    run = subprocess.run([str(BIN / "magpie-sync-resources"), "--db", db_url, "--service", "thredds"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "service 'thredds' synced" in run.stdout and "3 added" in run.stdout
    with tm:
        service_id = session.execute(sa.select(models.Service.resource_id)
                                     .where(models.Service.resource_name == "thredds")).scalar()
        assert names(stored_tree(session, service_id)) == {"thredds": {"d": {"a.nc": {}}}}
    failing = subprocess.run([str(BIN / "magpie-sync-resources"), "--db", db_url],
                             capture_output=True, text=True, env=env, timeout=60)
    assert failing.returncode == 0  # geoserver has no sync type: not synced, not a failure
    bad = subprocess.run([str(BIN / "magpie-register-providers"), str(tmp_path / "none.yml"), "--db", db_url],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 2 and "cannot read" in bad.stderr


def test_the_cron_command_pauses_the_collector_for_the_whole_crawl(db_url, remote, add_service):
    """A process that only syncs saves the collector's passes over the growing tree; the
    in-process way (a web process) must not pause it across network waits (test_thredds)."""
    seen = []

    def answer() -> bytes:
        seen.append(gc.isenabled())  # the remote server runs in this process
        return catalog_xml(files=[("a.nc", "a.nc")])

    remote.add("/cron/catalog.xml", answer)
    add_service(name="cron", url=remote.url + "/cron")
    assert sync_resources.main(["--db", db_url, "--service", "cron"]) == 0
    assert seen == [False] and gc.isenabled()
