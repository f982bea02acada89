"""Sign-in abuse: failed sign-ins counted per account in the database, and per client address by a
rate limiter (the ``limits`` library). ``POST /signin``, the sign-in form and HTTP Basic all go
through :meth:`SignInGuard.authenticate`.

The per-account count lives in the database, so a lockout survives restarts and holds in every
app process (as Keycloak's brute-force detection does); it is written in a transaction of its own,
because the request's transaction is rolled back when the sign-in fails. Every write of a sign-in
(the count, forgetting it, upgrading an old hash) is such a short transaction made before the
request writes anything, so on SQLite the request never holds the write lock they wait for. While an account is
locked its password is not even checked. The per-address limit counts failures only, so scripts
that send the right Basic credentials on every call are never slowed; its counts live in memory
unless ``magpie.signin.rate_limit_storage`` names a Redis shared by every process.
"""
import datetime
import logging
import math
import time
from typing import Optional

import sqlalchemy as sa
from limits import parse, storage, strategies
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from magpie import audit, models
from magpie.accounts import users

LOGGER = logging.getLogger(__name__)

REGISTRY_KEY = "magpie.signin_guard"
_FAILURES = models.SignInFailures.__table__
_USERS = models.User.__table__


def _write(session: Session, statement) -> None:
    """Run ``statement`` in a transaction of its own, committed at once."""
    with session.get_bind().begin() as connection:
        connection.execute(statement)


class SignInThrottled(Exception):
    """Too many failed sign-ins: from this address, or for this account (locked)."""

    def __init__(self, retry_after: int, detail: str):
        super().__init__(detail)
        self.retry_after = max(1, int(retry_after))
        self.detail = detail


def locked_for(session: Session, user: models.User, now: Optional[datetime.datetime] = None) -> int:
    """Seconds the account stays locked (0: not locked)."""
    until = session.execute(sa.select(models.SignInFailures.locked_until)
                            .where(models.SignInFailures.user_id == user.id)).scalar()
    now = now or models.utcnow()
    return math.ceil((until - now).total_seconds()) if until is not None and until > now else 0


def lockout_state(session: Session, user: models.User) -> dict:
    row = session.get(models.SignInFailures, user.id, populate_existing=True)
    locked = locked_for(session, user)
    return {"user_name": user.user_name, "failed_sign_ins": row.failures if row is not None else 0,
            "locked": bool(locked), "retry_after": locked or None}


def lift_lockout(session: Session, actor: Optional[str], user: models.User) -> dict:
    """Forget the failed sign-ins of ``user`` (an administrator's decision, audited)."""
    before = lockout_state(session, user)
    session.execute(sa.delete(models.SignInFailures).where(models.SignInFailures.user_id == user.id))
    audit.record(session, actor, "user.unlock", user_name=user.user_name, before=before, changes_access=False)
    LOGGER.info("%s lifted the sign-in lockout of user %r", actor, user.user_name)
    return lockout_state(session, user)


def _upsert(connection):
    return (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(_FAILURES)


class SignInGuard:
    """One per app process: the address rate limiter and the lockout rules of the settings."""

    def __init__(self, settings):
        self.rate = parse(settings.signin_rate_limit)
        self.limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(settings.signin_rate_limit_storage))
        self.max_failures = settings.signin_max_failures
        self.lockout = datetime.timedelta(seconds=settings.signin_lockout_seconds)

    def _check_address(self, address: str) -> None:
        if not self.limiter.test(self.rate, "signin", address):
            reset, _ = self.limiter.get_window_stats(self.rate, "signin", address)
            LOGGER.debug("sign-in refused: too many failed sign-ins from %s", address)
            raise SignInThrottled(math.ceil(reset - time.time()), "too many failed sign-ins from this address; "
                                                                  "try again later")

    def authenticate(self, session: Session, user_name: str, password: str,
                     address: Optional[str]) -> Optional[models.User]:
        """The user with these credentials, None for wrong ones (counted), or
        :class:`SignInThrottled` when the address or the account may not try now."""
        address = address or "unknown"
        self._check_address(address)
        user = users.get_user_by_name(session, user_name) if user_name else None
        if user is not None:
            locked = locked_for(session, user)
            if locked:
                LOGGER.debug("sign-in refused: user %r is locked for %d s more", user.user_name, locked)
                raise SignInThrottled(locked, "this account is locked after too many failed sign-ins; try again later")
        signed_in, new_hash = users.check_password(user, user_name, password)
        if signed_in is not None:
            self._forget_failures(session, user)
            if new_hash:  # an old PBKDF2 hash becomes Argon2id
                _write(session, _USERS.update().where(_USERS.c.id == user.id).values(user_password=new_hash))
                set_committed_value(user, "user_password", new_hash)
            return user
        self.limiter.hit(self.rate, "signin", address)
        if not self.limiter.test(self.rate, "signin", address):  # logged once per window filled
            LOGGER.warning("sign-ins from %s throttled: %s failed", address, self.rate)
        if user is not None:
            self._count_failure(session, user)
        return None

    @staticmethod
    def _forget_failures(session: Session, user: models.User) -> None:
        if session.execute(sa.select(_FAILURES.c.user_id).where(_FAILURES.c.user_id == user.id)).first():
            _write(session, _FAILURES.delete().where(_FAILURES.c.user_id == user.id))  # usually no write

    def _count_failure(self, session: Session, user: models.User) -> None:
        """One more failure, atomically whatever the number of processes; a lockout that ran out
        starts the count again."""
        now = models.utcnow()
        expired = sa.and_(_FAILURES.c.locked_until.is_not(None), _FAILURES.c.locked_until <= now)
        with session.get_bind().begin() as connection:
            insert = _upsert(connection)
            connection.execute(insert.values(user_id=user.id, failures=1, last_failure=now).on_conflict_do_update(
                index_elements=[_FAILURES.c.user_id],
                set_={"failures": sa.case((expired, 1), else_=_FAILURES.c.failures + 1),
                      "locked_until": sa.case((expired, None), else_=_FAILURES.c.locked_until),
                      "last_failure": now}))
            failures, locked_until = connection.execute(
                sa.select(_FAILURES.c.failures, _FAILURES.c.locked_until).where(_FAILURES.c.user_id == user.id)).one()
            if failures >= self.max_failures and locked_until is None:
                connection.execute(_FAILURES.update().where(_FAILURES.c.user_id == user.id)
                                   .values(locked_until=now + self.lockout))
                LOGGER.warning("user %r locked for %d s after %d failed sign-ins", user.user_name,
                               self.lockout.total_seconds(), failures)


def signin_guard(registry) -> SignInGuard:
    return registry[REGISTRY_KEY]
