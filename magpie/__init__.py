"""magpie: keeps an access-control resource tree in step with the remote services it protects."""
import logging

from pyramid.config import Configurator

__version__ = "0.1.0"

LOGGER = logging.getLogger(__name__)


def _prepare_database(settings: dict) -> None:
    """Migrate (when asked) and register the providers file (when set) before serving."""
    import transaction

    from magpie import db
    from magpie.helpers.providers import register_providers_file
    from magpie.settings import as_bool

    if as_bool(settings.get("magpie.migrate_on_startup", False), "magpie.migrate_on_startup"):
        db.migrate(settings)
    elif not db.is_database_ready(settings):
        LOGGER.warning("the database is not at the newest schema: run magpie-migrate")
    providers_file = settings.get("magpie.providers_config")
    if providers_file:
        manager = transaction.TransactionManager(explicit=True)
        session = db.get_db_session_from_settings(settings, manager)
        with manager:
            register_providers_file(providers_file, session)
        session.close()


def main(global_config, **settings):
    """The WSGI application (``egg:magpie`` in an ini file)."""
    from magpie.settings import apply_env_overrides

    settings = apply_env_overrides(settings)
    _prepare_database(settings)
    with Configurator(settings=settings) as config:
        config.include("magpie.db")
        config.include("magpie.views")
    return config.make_wsgi_app()
