"""Jobs through the API: on SQLite the app's own threads run them, on PostgreSQL real
``magpie-worker`` processes (``workers``), against a THREDDS server on 127.0.0.1 that the test
can slow down."""
import time

import pytest

from magpie import db
import magpie
from tests.functional.api.conftest import Api, admin_auth, app, app_settings  # noqa: F401 (fixtures)
from tests.support.thredds_catalogs import catalog_xml
from tests.support.workers import Workers, clear_queue

#: Generous bound of every wait for a job (no test asserts on time).
PATIENCE = 60.0


@pytest.fixture
def wsgi_app(app_settings):  # noqa: F811
    """The app, its job engine closed afterwards (the in-process threads and schedule stop)."""
    application = magpie.main({}, **app_settings)
    yield application
    application.registry["magpie.jobs"].close()


@pytest.fixture
def fresh_queue(db_url):
    clear_queue(db_url)
    return db_url


@pytest.fixture
def workers(fresh_queue, tmp_path):
    pool = Workers(fresh_queue, tmp_path)
    yield pool
    pool.stop_all()


@pytest.fixture(scope="module")
def module_workers(tmp_path_factory):
    """Workers that outlive one test (a worker takes a second or two to start): those of a module."""
    pools = {}
    yield pools
    for pool in pools.values():
        pool.stop_all()


@pytest.fixture
def runner(fresh_queue, module_workers, tmp_path_factory):
    """Whatever runs jobs here: nothing to start on SQLite (the app's threads), a worker of the
    module on PostgreSQL."""
    if db.get_engine({"sqlalchemy.url": fresh_queue}).dialect.name != "postgresql":
        return None
    if fresh_queue not in module_workers:
        module_workers[fresh_queue] = Workers(fresh_queue, tmp_path_factory.mktemp("workers"))
        module_workers[fresh_queue].start()
    return module_workers[fresh_queue]


@pytest.fixture
def api(app, admin_auth):  # noqa: F811
    return Api(app, admin_auth)


@pytest.fixture
def slow_thredds(remote, api):
    """A service ``thredds`` whose root catalog lists ``CHILDREN`` catalogs of 2 files each; each
    child answers after ``slow.delay`` seconds, read one at a time (``pool_size`` 1)."""
    children = [(f"d{i}/catalog.xml", f"d{i}") for i in range(CHILDREN)]
    remote.add("/thredds/catalog.xml", catalog_xml(refs=children))
    for index in range(CHILDREN):
        remote.add(f"/thredds/d{index}/catalog.xml",
                   catalog_xml(files=[(f"f{n}.nc", f"d{index}/f{n}.nc") for n in range(2)]), delay=0.0)
    body = {"service_name": "thredds", "service_type": "thredds", "service_url": remote.url + "/thredds",
            "service_sync_type": "thredds", "configuration": {"pool_size": 1, "max_depth": None}}
    service = api.post("/services", body, status=201).json["service"]
    return Slow(remote, service)


CHILDREN = 20


class Slow:
    def __init__(self, remote, service):
        self.remote, self.service = remote, service

    def set_delay(self, seconds: float) -> None:
        for index in range(CHILDREN):
            self.remote.routes[f"/thredds/d{index}/catalog.xml"].delay = seconds


def wait_until(read, accept, what: str, patience: float = PATIENCE):
    """Call ``read`` until ``accept`` takes its value; fail naming ``what`` after ``patience`` s."""
    deadline = time.monotonic() + patience
    while True:
        value = read()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen; last seen: {value}")
        time.sleep(0.05)
