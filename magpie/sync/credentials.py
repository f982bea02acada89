"""The credentials a sync sends: a service's stored ones, opened with the secrets key."""
from typing import Optional

from sqlalchemy.orm import Session

from magpie import crypto, models
from magpie.sync.remote.auth import Credentials


def stored_credentials(session: Session, service_id: int) -> Optional[Credentials]:
    """The service's credentials, or None; :class:`magpie.crypto.SecretsKeyError` (a ValueError)
    when they are stored but no configured key opens them."""
    row = session.get(models.ServiceCredential, service_id)
    return open_credentials(row) if row is not None else None


def open_credentials(row: models.ServiceCredential) -> Credentials:
    return Credentials.from_json(crypto.current_box().open(row.sealed))
