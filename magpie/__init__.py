"""magpie: keeps an access-control resource tree in step with the remote services it protects."""
import logging

from pyramid.config import Configurator

__version__ = "0.1.0"

LOGGER = logging.getLogger(__name__)


def _prepare_database(raw_settings: dict, settings) -> None:
    """Migrate (when asked), create the special groups, register the providers file and apply the
    permissions file (when set), prune the audit log and create or update the administrator (when
    configured) before serving."""
    import transaction

    from magpie import audit, db
    from magpie.accounts.groups import SpecialGroups, ensure_special_groups
    from magpie.accounts.users import ensure_admin
    from magpie.services.providers import register_providers_file

    audit.configure_retention(settings.audit_retention_days)  # writes prune once a day from now on
    if settings.migrate_on_startup:
        db.migrate(raw_settings)
    elif not db.is_database_ready(raw_settings):
        LOGGER.warning("the database is not at the newest schema: run magpie-migrate")
        return  # /health says so; nothing can be written to it meanwhile
    manager = transaction.TransactionManager(explicit=True)
    session = db.get_db_session_from_settings(raw_settings, manager)
    with manager:
        ensure_special_groups(session, SpecialGroups.of(settings))
        if settings.providers_config:
            register_providers_file(settings.providers_config, session)
        if settings.permissions_config:  # after the providers: it names their services
            from magpie.setup_files.commands import apply_permissions_file
            apply_permissions_file(settings.permissions_config, session, audit.SYSTEM, settings)
        audit.prune(session, settings.audit_retention_days)
        if settings.admin_user and settings.admin_password:
            ensure_admin(session, settings.admin_user, settings.admin_password, settings.admin_group)
    session.close()


def main(global_config, **raw_settings):
    """The WSGI application (``egg:magpie`` in an ini file)."""
    from magpie.api.headers import SecurityHeaders
    from magpie.api.limits import RequestLimits
    from magpie.config import apply_env_overrides, load_settings
    from magpie.sync.remote import addresses

    raw_settings = apply_env_overrides(raw_settings)
    settings = load_settings(raw_settings)  # refuse unusable settings before touching the database
    from magpie import crypto
    crypto.install(settings.secrets_keys)
    addresses.configure(settings.remote_allowed_networks)
    raw_settings.setdefault("retry.attempts", 3)
    _prepare_database(raw_settings, settings)
    with Configurator(settings=raw_settings) as config:
        config.registry["magpie.settings"] = settings
        config.include("pyramid_retry")
        config.include("magpie.db")
        config.include("magpie.jobs")
        config.include("magpie.accounts")
        config.include("magpie.api")
        config.include("magpie.ui")
    return SecurityHeaders(RequestLimits(config.make_wsgi_app(), settings.max_body_bytes))
