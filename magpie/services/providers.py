"""Register services from a providers file in Magpie's YAML format::

    providers:
      thredds:
        url: https://example.org/thredds
        type: thredds
        sync_type: thredds        # optional: no sync without it
        title: THREDDS            # optional display name
        public: true              # optional, accepted for compatibility
        configuration: {max_depth: 4}

Registering again updates the services in place (matched by name); the whole file is validated
before anything is written, so a bad file changes nothing.
"""
import argparse
import logging
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional

import sqlalchemy as sa
import transaction
import yaml
from sqlalchemy.orm import Session

from magpie import db, models
from magpie.errors import InvalidInput
from magpie.services import crud as services

LOGGER = logging.getLogger(__name__)

KNOWN_KEYS = {"url", "type", "sync_type", "title", "public", "configuration", "c4i"}


class ProvidersError(ValueError):
    """The providers file cannot be used; the message names the file and the service."""


@dataclass(frozen=True)
class Provider:
    name: str
    url: str
    type: str
    sync_type: Optional[str]
    title: Optional[str]
    configuration: Optional[dict]


def parse_providers(document: object, source: str = "providers") -> List[Provider]:
    """Validate a loaded providers document and return its services."""
    if not isinstance(document, dict) or not isinstance(document.get("providers"), dict):
        raise ProvidersError(f"{source}: expected a mapping 'providers:' of service name to settings")
    providers = []
    for name, entry in document["providers"].items():
        where = f"{source}: service {name!r}"
        if not isinstance(entry, dict):
            raise ProvidersError(f"{where}: expected a mapping of settings")
        unknown = sorted(set(entry) - KNOWN_KEYS)
        if unknown:
            raise ProvidersError(f"{where}: unknown setting(s) {', '.join(unknown)}")
        url = entry.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ProvidersError(f"{where}: 'url' is missing or not an http(s) URL")
        service_type = entry.get("type")
        if not isinstance(service_type, str) or not service_type:
            raise ProvidersError(f"{where}: 'type' is missing")
        try:  # the same rules as a service created through the API
            services.validate_service_name(name)
            sync_type = services.validate_sync_type(entry.get("sync_type"))
            configuration = services.validate_configuration(entry.get("configuration"), sync_type)
            services.validate_service_url(url)
        except InvalidInput as exc:
            raise ProvidersError(f"{where}: {exc}") from None
        if "public" in entry and not isinstance(entry["public"], bool):
            raise ProvidersError(f"{where}: 'public' must be true or false")
        title = entry.get("title")
        providers.append(Provider(name=name, url=url.rstrip("/"), type=service_type, sync_type=sync_type,
                                  title=str(title) if title is not None else None, configuration=configuration))
    return providers


def load_providers_file(path: str) -> List[Provider]:
    try:
        with open(path, encoding="utf-8") as stream:
            document = yaml.safe_load(stream)
    except OSError as exc:
        raise ProvidersError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ProvidersError(f"{path}: not valid YAML ({exc})") from None
    return parse_providers(document, path)


def register_providers(providers: List[Provider], session: Session) -> Dict[str, str]:
    """Create or update one service per provider; returns ``{name: "created"|"updated"|"unchanged"}``."""
    existing = {service.resource_name: service for service in session.execute(
        sa.select(models.Service).where(models.Service.resource_name.in_([p.name for p in providers]))
    ).scalars()}
    outcome = {}
    for provider in providers:
        values = {"url": provider.url, "type": provider.type, "sync_type": provider.sync_type,
                  "configuration": provider.configuration, "resource_display_name": provider.title}
        service = existing.get(provider.name)
        if service is None:
            session.add(models.Service(resource_name=provider.name, **values))
            outcome[provider.name] = "created"
            continue
        changed = {key: value for key, value in values.items() if getattr(service, key) != value}
        for key, value in changed.items():
            setattr(service, key, value)
        outcome[provider.name] = "updated" if changed else "unchanged"
    session.flush()
    for name, what in outcome.items():
        LOGGER.info("service %r %s", name, what)
    return outcome


def register_providers_file(path: str, session: Session) -> Dict[str, str]:
    return register_providers(load_providers_file(path), session)


def main(argv=None) -> int:
    """``magpie-register-providers FILE``: exit 0 when registered, 2 for a bad file or database."""
    from magpie.config import SettingsError, settings_from_cli

    parser = argparse.ArgumentParser(prog="magpie-register-providers",
                                     description="Create or update services from a providers YAML file.")
    parser.add_argument("file", help="providers file (YAML, 'providers:' mapping)")
    parser.add_argument("--db", help="database URL (wins over --config and MAGPIE_DB_URL)")
    parser.add_argument("--config", help="ini file holding sqlalchemy.url")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stdout)
    try:
        providers = load_providers_file(args.file)
        settings = settings_from_cli(args.db, args.config)
        if not db.is_database_ready(settings):
            raise SettingsError("the database is unreachable or not migrated (run magpie-migrate)")
        manager = transaction.TransactionManager(explicit=True)
        session = db.get_db_session_from_settings(settings, manager)
        with manager:
            register_providers(providers, session)
        session.close()
    except (ProvidersError, SettingsError, sa.exc.SQLAlchemyError) as exc:
        print(f"magpie-register-providers: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
