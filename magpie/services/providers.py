"""Register services from Magpie's providers files (read by :mod:`magpie.services.providers_file`).

Registering again updates the services in place (matched by name) and never wipes what the file
does not set: a title, sync type, configuration or credentials set through the API stay unless
the file sets them. The whole file is checked before anything is written, so a bad file changes
nothing.
"""
import argparse
import logging
import sys
from typing import Dict, List

import sqlalchemy as sa
import transaction
from sqlalchemy.orm import Session

from magpie import crypto, db, models
from magpie.errors import ConflictError, InvalidInput
from magpie.services import credentials as service_credentials
from magpie.services import crud as services
from magpie.services.providers_file import (  # noqa: F401 - the names callers import from here
    Provider, ProvidersError, load_providers_file, parse_providers,
)
from magpie.sync.credentials import open_credentials

LOGGER = logging.getLogger(__name__)

#: The actor of the audit entries this command writes.
ACTOR = "magpie-register-providers"

_FIELD_COLUMNS = {"sync_type": "sync_type", "title": "resource_display_name", "configuration": "configuration"}


def _credentials_unchanged(session: Session, service: models.Service, provider: Provider) -> bool:
    row = service_credentials.get_credentials(session, service)
    if row is None:
        return False
    try:
        return open_credentials(row) == provider.credentials
    except crypto.SecretsKeyError:
        return False  # sealed with a key we no longer have: the file's replace them


def _apply(session: Session, service: models.Service, provider: Provider) -> bool:
    """Set on ``service`` what the provider sets; whether anything changed."""
    values = {"url": provider.url, "type": provider.type}
    values.update({column: getattr(provider, field) for field, column in _FIELD_COLUMNS.items()
                   if field in provider.fields})
    sync_type = values.get("sync_type", service.sync_type)  # column names: sync_type, configuration
    configuration = values.get("configuration", service.configuration)
    try:  # a sync type from the file with a configuration set through the API must still fit
        services.validate_configuration(configuration, sync_type)
    except InvalidInput as exc:
        raise ProvidersError(f"service {provider.name!r}: {exc.field}: {exc} (with its stored configuration)") \
            from None
    changed = {key: value for key, value in values.items() if getattr(service, key) != value}
    for key, value in changed.items():
        setattr(service, key, value)
    return bool(changed)


def register_providers(providers: List[Provider], session: Session) -> Dict[str, str]:
    """Create or update one service per provider; returns ``{name: "created"|"updated"|"unchanged"}``."""
    existing = {service.resource_name: service for service in session.execute(
        sa.select(models.Service).where(models.Service.resource_name.in_([p.name for p in providers]))
    ).scalars()}
    outcome = {}
    for provider in providers:
        service = existing.get(provider.name)
        if service is None:
            service = models.Service(resource_name=provider.name, url=provider.url, type=provider.type,
                                     sync_type=provider.sync_type, configuration=provider.configuration,
                                     resource_display_name=provider.title)
            session.add(service)
            session.flush()
            outcome[provider.name] = "created"
        else:
            outcome[provider.name] = "updated" if _apply(session, service, provider) else "unchanged"
        if provider.credentials is not None and not _credentials_unchanged(session, service, provider):
            try:
                service_credentials.store_credentials(session, service, provider.credentials, ACTOR)
            except ConflictError as exc:  # no secrets key to seal them with
                raise ProvidersError(f"service {provider.name!r}: {exc}") from None
            outcome[provider.name] = outcome[provider.name].replace("unchanged", "updated")
    session.flush()
    for name, what in outcome.items():
        LOGGER.info("service %r %s", name, what)
    return outcome


def register_providers_file(path: str, session: Session, strict: bool = False) -> Dict[str, str]:
    return register_providers(load_providers_file(path, strict), session)


def main(argv=None) -> int:
    """``magpie-register-providers FILE``: exit 0 when registered, 2 for a bad file or database."""
    from magpie.config import SettingsError, settings_from_cli

    parser = argparse.ArgumentParser(prog="magpie-register-providers",
                                     description="Create or update services from Magpie's providers files.")
    parser.add_argument("file", help="providers file (YAML, 'providers:' mapping), or a directory of them")
    parser.add_argument("--db", help="database URL (wins over --config and MAGPIE_DB_URL)")
    parser.add_argument("--config", help="ini file holding sqlalchemy.url (and magpie.secrets_key)")
    parser.add_argument("--strict", action="store_true", help="a sync type that cannot be synced is an error")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stdout)
    try:
        providers = load_providers_file(args.file, args.strict)
        settings = settings_from_cli(args.db, args.config)
        crypto.install(crypto.parse_keys(settings.get("magpie.secrets_key")))
        if not db.is_database_ready(settings):
            raise SettingsError("the database is unreachable or not migrated (run magpie-migrate)")
        manager = transaction.TransactionManager(explicit=True)
        session = db.get_db_session_from_settings(settings, manager)
        with manager:
            register_providers(providers, session)
        session.close()
    except (ProvidersError, SettingsError, crypto.SecretsKeyError, sa.exc.SQLAlchemyError) as exc:
        print(f"magpie-register-providers: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
