"""Alembic migrations: bring a database to the newest schema, tell whether it is there, and the
``magpie-migrate`` command."""
import argparse
import functools
import logging
import os
import sys
from typing import Mapping

import sqlalchemy as sa

from magpie.db.engine import get_engine

LOGGER = logging.getLogger(__name__)

def _alembic_config(settings: Mapping[str, object]):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", os.path.join(os.path.dirname(__file__), "alembic"))
    # ConfigParser interpolation would choke on '%' in passwords of the URL.
    config.set_main_option("sqlalchemy.url", str(settings["sqlalchemy.url"]).replace("%", "%%"))
    return config


def migrate_config_for(settings: Mapping[str, object], connection):
    """The Alembic configuration that runs migrations on ``connection`` (for ``alembic.command``)."""
    config = _alembic_config(settings)
    config.attributes["connection"] = connection
    return config


def migrate(settings: Mapping[str, object]) -> None:
    """Bring the database of ``settings`` to the newest schema."""
    from alembic import command

    engine = get_engine(settings)
    with engine.begin() as connection:
        command.upgrade(migrate_config_for(settings, connection), "head")


@functools.lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration shipped with this code: read once, since /health asks on every call."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config({"sqlalchemy.url": ""})).get_current_head()


def is_database_ready(settings: Mapping[str, object]) -> bool:
    """True when the database answers and is at the newest schema."""
    from alembic.runtime.migration import MigrationContext

    try:
        with get_engine(settings).connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except sa.exc.SQLAlchemyError as exc:
        LOGGER.warning("database not ready: %s", exc)
        return False
    return current == head_revision()


def migrate_main(argv=None) -> int:
    """``magpie-migrate``: upgrade the database named by ``--db`` or the ini file."""
    from magpie.config import SettingsError, settings_from_cli

    parser = argparse.ArgumentParser(prog="magpie-migrate", description=migrate_main.__doc__)
    parser.add_argument("config", nargs="?", help="ini file holding sqlalchemy.url")
    parser.add_argument("--db", help="database URL (wins over the ini file)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        settings = settings_from_cli(args.db, args.config)
        migrate(settings)
    except (SettingsError, sa.exc.SQLAlchemyError) as exc:
        print(f"magpie-migrate: {exc}", file=sys.stderr)
        return 2
    LOGGER.info("database is at revision %s", head_revision())
    return 0


