"""Server-side sessions: the signed cookie names a row of ``user_sessions``, so a session ends when
its row goes (sign-out, a new password, a disabled account) or expires, whatever a client replays.
The row keeps only the SHA-256 of the token: a copy of the table signs no one in."""
import datetime
import hashlib
import secrets
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, user_id: int, lifetime: int) -> str:
    """A new session of ``user_id`` lasting ``lifetime`` seconds at most; returns its token. The
    user's expired sessions are deleted on the way."""
    now = models.utcnow()
    session.execute(sa.delete(models.UserSession).where(models.UserSession.user_id == user_id,
                                                        models.UserSession.expires <= now))
    token = secrets.token_urlsafe(32)
    session.add(models.UserSession(token_hash=_hash(token), user_id=user_id, created=now,
                                   expires=now + datetime.timedelta(seconds=lifetime)))
    session.flush()
    return token


def is_open(session: Session, token: Optional[str], user_id: int) -> bool:
    """Whether ``token`` names an unexpired session of ``user_id``."""
    if not isinstance(token, str) or not token:
        return False
    expires = session.execute(sa.select(models.UserSession.expires).where(
        models.UserSession.token_hash == _hash(token), models.UserSession.user_id == user_id)).scalar()
    return expires is not None and expires > models.utcnow()


def close_session(session: Session, token: Optional[str]) -> None:
    if isinstance(token, str) and token:
        session.execute(sa.delete(models.UserSession).where(models.UserSession.token_hash == _hash(token)))


def close_user_sessions(session: Session, user_id: int) -> int:
    """End every session of ``user_id``; returns how many there were."""
    return session.execute(sa.delete(models.UserSession).where(models.UserSession.user_id == user_id)).rowcount
