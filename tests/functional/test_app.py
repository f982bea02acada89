"""The WSGI app factory: start-up migration, providers registration, environment overrides."""
import sqlalchemy as sa
import webtest

import magpie
from magpie import db, models


def test_app_registers_providers_at_start_up_and_answers(db_url, tmp_path, monkeypatch):
    providers = tmp_path / "providers.yml"
    providers.write_text("providers:\n  thredds:\n    url: http://127.0.0.1:9/thredds\n    type: thredds\n"
                         "    sync_type: thredds\n")
    monkeypatch.setenv("MAGPIE_PROVIDERS_CONFIG", str(providers))
    monkeypatch.setenv("MAGPIE_DB_URL", db_url)
    app = webtest.TestApp(magpie.main({}, **{"sqlalchemy.url": "sqlite:///ignored-because-env-wins.sqlite",
                                             "magpie.migrate_on_startup": "true"}))
    assert app.get("/").json["name"] == "magpie"
    assert app.get("/health").json == {"database": "ready"}
    with db.get_engine({"sqlalchemy.url": db_url}).connect() as connection:
        names = connection.execute(sa.select(models.Service.resource_name)).scalars().all()
    assert names == ["thredds"]


def test_health_says_when_the_database_is_not_migrated(tmp_path):
    url = f"sqlite:///{tmp_path}/blank.sqlite"
    app = webtest.TestApp(magpie.main({}, **{"sqlalchemy.url": url}))
    assert app.get("/health", status=503).json == {"database": "not ready"}
    db.dispose_engine(url)
