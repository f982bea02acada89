"""Services: find one by id or name, create, change and delete them.

The REST API, the admin pages and the providers file call these so that a rule (unique names,
names that cannot be mistaken for ids, known sync types, usable configurations) holds whichever
way a service was changed. Errors are those of :mod:`magpie.errors`, each naming the field or the
thing that failed.
"""
from typing import Mapping, Optional, Union
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models
from magpie.errors import ConflictError, InvalidInput, RefusedInput
from magpie.names import find_by_id_or_name, validate_name
from magpie.sync.config import SyncConfig
from magpie.sync.remote.addresses import BlockedAddress, check_url
from magpie.sync.types import get_sync_type

SERVICE_FIELDS = ("service_name", "service_type", "service_url", "service_sync_type", "configuration")


def find_service(session: Session, ref: Union[int, str]) -> models.Service:
    """The service whose id or unique name is ``ref`` (names are never only digits)."""
    # The resource type lets the name lookup use the partial unique index of service names.
    return find_by_id_or_name(session, models.Service, models.Service.resource_name, ref, "service",
                              models.Resource.resource_type == "service")


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


def validate_service_name(name: object) -> str:
    """A name, and not only digits: ``{service}`` in routes reads digits as an id."""
    if isinstance(name, str) and name.isascii() and name.isdigit():
        raise InvalidInput("service_name", f"service name {name!r} is only digits: it would read as an id")
    return validate_name(name, "service_name", "service")


def refuse_user_info(url: str, field: str = "service_url") -> str:
    """A URL with ``user:password@`` would show its password in every answer, log and sync error:
    credentials have their own place, sealed."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:  # malformed (the crawler says so); user info is still looked for
        netloc = url.split("://", 1)[-1].split("/", 1)[0]
    if "@" in netloc:
        raise InvalidInput(field, "the URL carries user info (user:password@): remove it and set the "
                                  "service's credentials instead (PUT /services/{service}/credentials)")
    return url


def validate_service_url(url: str, field: str = "service_url") -> str:
    """``url``, unless it carries user info or leads to an internal address (server-side request
    forgery, see :mod:`magpie.sync.remote.addresses`)."""
    refuse_user_info(url, field)
    try:
        check_url(url)
    except BlockedAddress as exc:
        raise RefusedInput(field, f"{field} {url!r} refused: {exc}") from None
    return url


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
    """Refuse a configuration the sync or the merge could not use, before it is stored: the rules
    are those of :class:`magpie.sync.config.SyncConfig`, for the service's sync type."""
    if configuration is None:
        return None
    if sync_type is not None:
        get_sync_type(sync_type).parse_configuration(configuration)
    else:
        SyncConfig.parse(configuration)
    return dict(configuration)


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
    validate_service_url(service_url)
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
    if "service_url" in changes:
        url = validate_service_url(str(changes["service_url"]))
    if name != service.resource_name:
        _ensure_name_free(session, name, except_id=service.resource_id)
        service.resource_name = name
    if "service_type" in changes:
        service.type = changes["service_type"]
    if "service_url" in changes:
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
