"""magpie: keeps an access-control resource tree in step with the remote services it protects."""
import logging

from pyramid.config import Configurator

__version__ = "0.1.0"

LOGGER = logging.getLogger(__name__)


def _prepare_database(settings: dict, admin=None) -> None:
    """Migrate (when asked), register the providers file (when set) and create or update the
    administrator (when configured) before serving."""
    import transaction

    from magpie import db
    from magpie.helpers.providers import register_providers_file
    from magpie.helpers.users import ensure_admin
    from magpie.settings import as_bool

    if as_bool(settings.get("magpie.migrate_on_startup", False), "magpie.migrate_on_startup"):
        db.migrate(settings)
    elif not db.is_database_ready(settings):
        LOGGER.warning("the database is not at the newest schema: run magpie-migrate")
    providers_file = settings.get("magpie.providers_config")
    has_admin = admin is not None and admin.user_name and admin.password
    if providers_file or has_admin:
        manager = transaction.TransactionManager(explicit=True)
        session = db.get_db_session_from_settings(settings, manager)
        with manager:
            if providers_file:
                register_providers_file(providers_file, session)
            if has_admin:
                ensure_admin(session, admin.user_name, admin.password)
        session.close()


def main(global_config, **settings):
    """The WSGI application (``egg:magpie`` in an ini file)."""
    from magpie.api.limits import DEFAULT_MAX_BODY_BYTES, BodySizeLimit
    from magpie.helpers.users import load_admin_settings
    from magpie.security import load_security_settings
    from magpie.settings import SettingsError, apply_env_overrides

    settings = apply_env_overrides(settings)
    # Refuse unusable settings before touching the database.
    settings["magpie.security_settings"] = load_security_settings(settings)
    admin = load_admin_settings(settings)
    try:
        max_body = int(settings.get("magpie.api.max_body_bytes", DEFAULT_MAX_BODY_BYTES))
    except (TypeError, ValueError):
        raise SettingsError("magpie.api.max_body_bytes: expected a number of bytes") from None
    settings.setdefault("retry.attempts", 3)
    _prepare_database(settings, admin)
    with Configurator(settings=settings) as config:
        config.include("pyramid_retry")
        config.include("magpie.renderers")
        config.include("magpie.db")
        config.include("magpie.security")
        config.include("magpie.views")
        config.include("magpie.api")
        config.include("magpie.ui")
    return BodySizeLimit(config.make_wsgi_app(), max_body)
