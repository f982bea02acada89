"""Services: find one by id or name, create, change and delete them, and tell their sync status.

The REST API and the admin pages call these so that a rule (unique names, names that cannot be
mistaken for ids, known sync types, usable limits) holds whichever way a service was changed.
Errors are the exceptions below; each carries the field or the thing that failed.
"""
import re
from typing import Dict, Iterable, Mapping, Optional, Union

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models
from magpie.helpers.sync_resources import _get_sync_info, is_out_of_sync
from magpie.helpers.sync_services import get_sync_type

#: Largest id a client may name (the ids are 32-bit integers on PostgreSQL).
MAX_ID = 2 ** 31 - 1

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: Numeric limits of a service's configuration and their bounds (see SyncServiceInterface).
_NUMERIC_LIMITS = {
    "timeout": (float, 0.0, 3600.0),
    "time_budget": (float, 0.0, 86400.0),
    "max_bytes": (int, 1, 2 ** 40),
    "max_nodes": (int, 1, 10 ** 8),
    "pool_size": (int, 1, 64),
    "retries": (int, 0, 10),
    "retry_backoff": (float, 0.0, 60.0),
    "max_pages": (int, 1, 100000),
    "history_size": (int, 0, 100000),
}

SERVICE_FIELDS = ("service_name", "service_type", "service_url", "service_sync_type", "configuration")


class NotFoundError(LookupError):
    """No such service or resource."""


class ConflictError(Exception):
    """The request contradicts what is stored: a duplicate name, a child its parent cannot hold."""


class InvalidInput(ValueError):
    """A value the caller sent cannot be used; ``field`` names it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text))


def parse_id(value: Union[int, str]) -> Optional[int]:
    """The integer id ``value`` spells, or None when it is not one a row could have."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def find_service(session: Session, ref: Union[int, str]) -> models.Service:
    """The service whose id or unique name is ``ref`` (names are never only digits)."""
    service_id = parse_id(ref)
    if service_id is not None:
        service = session.get(models.Service, service_id)
    elif isinstance(ref, str) and ref and not has_control_characters(ref):
        service = session.execute(
            sa.select(models.Service).where(models.Service.resource_name == ref)
        ).scalar_one_or_none()
    else:
        service = None
    if service is None:
        raise NotFoundError(f"no service {ref!r}")
    return service


def list_services(session: Session) -> list:
    return list(session.execute(sa.select(models.Service).order_by(models.Service.resource_name)).scalars())


def service_as_dict(service: models.Service) -> dict:
    return {
        "resource_id": service.resource_id,
        "service_name": service.resource_name,
        "service_type": service.type,
        "service_url": service.url,
        "service_sync_type": service.sync_type,
        "configuration": service.configuration,
    }


def validate_name(name: object, field: str = "resource_name", what: str = "resource") -> str:
    """A name is one path segment: not empty, no '/', no control character, not too long."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(field, f"a {what} name must be a non-empty string")
    if "/" in name or has_control_characters(name):
        raise InvalidInput(field, f"a {what} name cannot hold '/' nor control characters")
    if len(name) > models.NAME_LENGTH:
        raise InvalidInput(field, f"a {what} name has at most {models.NAME_LENGTH} characters")
    return name


def validate_service_name(name: object) -> str:
    """A name, and not only digits: ``{service}`` in routes reads digits as an id."""
    if isinstance(name, str) and name.isascii() and name.isdigit():
        raise InvalidInput("service_name", f"service name {name!r} is only digits: it would read as an id")
    return validate_name(name, "service_name", "service")


def validate_sync_type(sync_type: object) -> Optional[str]:
    if sync_type is None:
        return None
    if not isinstance(sync_type, str):
        raise InvalidInput("service_sync_type", "the sync type must be a string or null")
    try:
        get_sync_type(sync_type)
    except ValueError as exc:
        raise InvalidInput("service_sync_type", str(exc)) from None
    return sync_type


def validate_configuration(configuration: object, sync_type: Optional[str]) -> Optional[dict]:
    """Refuse a configuration the sync or the merge could not use, before it is stored."""
    if configuration is None:
        return None
    if not isinstance(configuration, dict):
        raise InvalidInput("configuration", "the configuration must be a JSON object or null")
    for name, (kind, low, high) in _NUMERIC_LIMITS.items():
        if name not in configuration:
            continue
        value = configuration[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (kind is int and not float(value).is_integer()) or not low <= value <= high:
            raise InvalidInput(f"configuration/{name}", f"{name} must be a number from {low} to {high}")
    if "max_depth" in configuration:
        depth = configuration["max_depth"]
        if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 0):
            raise InvalidInput("configuration/max_depth", "max_depth must be a non-negative integer or null")
    if sync_type is not None:
        get_sync_type(sync_type).effective_max_depth(configuration)
    return configuration


def _ensure_name_free(session: Session, name: str, except_id: Optional[int] = None) -> None:
    found = session.execute(
        sa.select(models.Service.resource_id).where(models.Service.resource_name == name)
    ).scalars().first()
    if found is not None and found != except_id:
        raise ConflictError(f"a service named {name!r} already exists")


def _flush_unique(session: Session, name: str) -> None:
    try:
        session.flush()
    except sa.exc.IntegrityError:
        # Another request took the name between our check and our write.
        raise ConflictError(f"a service named {name!r} already exists") from None


def create_service(session: Session, service_name: str, service_type: str, service_url: str,
                   service_sync_type: Optional[str] = None, configuration: Optional[dict] = None) -> models.Service:
    """Register a service; its name must be free and its sync type registered."""
    name = validate_service_name(service_name)
    sync_type = validate_sync_type(service_sync_type)
    configuration = validate_configuration(configuration, sync_type)
    _ensure_name_free(session, name)
    service = models.Service(resource_name=name, type=service_type, url=service_url.rstrip("/") or service_url,
                             sync_type=sync_type, configuration=configuration)
    session.add(service)
    _flush_unique(session, name)
    return service


def update_service(session: Session, service: models.Service, changes: Mapping[str, object]) -> models.Service:
    """Apply the given fields (those of :data:`SERVICE_FIELDS`), validated as a whole."""
    unknown = sorted(set(changes) - set(SERVICE_FIELDS))
    if unknown:
        raise InvalidInput(unknown[0], f"unknown field {unknown[0]!r}")
    name = validate_service_name(changes.get("service_name", service.resource_name))
    sync_type = validate_sync_type(changes.get("service_sync_type", service.sync_type))
    configuration = validate_configuration(changes.get("configuration", service.configuration), sync_type)
    if name != service.resource_name:
        _ensure_name_free(session, name, except_id=service.resource_id)
        service.resource_name = name
    if "service_type" in changes:
        service.type = changes["service_type"]
    if "service_url" in changes:
        url = str(changes["service_url"])
        service.url = url.rstrip("/") or url
    service.sync_type = sync_type
    service.configuration = configuration
    _flush_unique(session, name)
    return service


def delete_service(session: Session, service: models.Service) -> dict:
    """Delete a service; the database cascades to its local tree, remote tree and sync info."""
    answer = service_as_dict(service)
    session.delete(service)
    session.flush()
    return answer


def require_sync_type(service: models.Service) -> str:
    if not service.sync_type:
        raise ConflictError(f"service {service.resource_name!r} has no sync type")
    return service.sync_type


def get_sync_status(service: models.Service, session: Session) -> dict:
    """Times of the last success and attempt (UTC), the last error and counts, whether the service
    is out of sync, and the depth its sync looks at."""
    return _sync_status(service, _get_sync_info(service.resource_id, session))


def get_sync_statuses(services: Iterable[models.Service], session: Session) -> Dict[int, dict]:
    """:func:`get_sync_status` of many services (service id -> status) in one query, for lists."""
    services = list(services)
    infos = {info.service_id: info for info in session.execute(
        sa.select(models.RemoteResourcesSyncInfo)
        .where(models.RemoteResourcesSyncInfo.service_id.in_([s.resource_id for s in services]))
    ).scalars()}
    return {service.resource_id: _sync_status(service, infos.get(service.resource_id)) for service in services}


def _sync_status(service: models.Service, info: Optional[models.RemoteResourcesSyncInfo]) -> dict:
    max_depth = None
    if service.sync_type:
        try:
            max_depth = get_sync_type(service.sync_type).effective_max_depth(service.configuration)
        except ValueError:  # an unknown type or a bad depth stored by other means: nothing to show
            max_depth = None

    def iso(value):
        return value.isoformat() if value is not None else None

    return {
        "last_sync": iso(info.last_sync) if info else None,
        "last_attempt": iso(info.last_attempt) if info else None,
        "last_error": info.last_error if info else None,
        "last_duration": info.last_duration if info else None,
        "added": info.added if info else None,
        "removed": info.removed if info else None,
        "kept": info.kept if info else None,
        "out_of_sync": is_out_of_sync(info.last_sync if info else None),
        "max_depth": max_depth,
    }
