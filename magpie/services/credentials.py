"""A service's credentials: set, replace, remove, and say what is set (the kind and when, never a
value). Values are sealed with the secrets key before they reach the session (:mod:`magpie.crypto`),
and the audit log records the kind only."""
from typing import Optional

from sqlalchemy.orm import Session

from magpie import audit, crypto, models
from magpie.errors import ConflictError
from magpie.sync.remote.auth import Credentials


def credentials_as_dict(row: Optional[models.ServiceCredential]) -> dict:
    """What the API and the pages show: the kind and when it was set, or that none is set."""
    if row is None:
        return {"kind": None, "set_at": None}
    return {"kind": row.kind, "set_at": row.set_at.isoformat()}


def get_credentials(session: Session, service: models.Service) -> Optional[models.ServiceCredential]:
    return session.get(models.ServiceCredential, service.resource_id)


def set_credentials(session: Session, service: models.Service, document: object,
                    actor: Optional[str] = None) -> models.ServiceCredential:
    """Check ``document`` (see :meth:`Credentials.parse`) and store it sealed, replacing what was set."""
    credentials = Credentials.parse(document)
    return store_credentials(session, service, credentials, actor)


def store_credentials(session: Session, service: models.Service, credentials: Credentials,
                      actor: Optional[str] = None) -> models.ServiceCredential:
    try:
        sealed = crypto.current_box().seal(credentials.to_json())
    except crypto.SecretsKeyError as exc:  # the server's settings are at fault, not the request
        raise ConflictError(str(exc)) from None
    row = get_credentials(session, service)
    before = credentials_as_dict(row) if row is not None else None
    if row is None:
        row = models.ServiceCredential(service_id=service.resource_id)
        session.add(row)
    row.kind, row.sealed, row.set_at = credentials.kind, sealed, models.utcnow()
    session.flush()
    audit.record(session, actor, "service.credentials.set", service_id=service.resource_id, before=before,
                 after={"kind": row.kind}, changes_access=False)
    return row


def delete_credentials(session: Session, service: models.Service, actor: Optional[str] = None) -> bool:
    """Remove the service's credentials; False when it had none."""
    row = get_credentials(session, service)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    audit.record(session, actor, "service.credentials.delete", service_id=service.resource_id,
                 before={"kind": row.kind}, changes_access=False)
    return True
