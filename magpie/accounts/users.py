"""User accounts: find them, the administrator created at start-up, and checking credentials.

Accounts are ziggurat_foundations users; administrators are the members of the group named by
the ``magpie.admin_group`` setting (see :mod:`magpie.accounts.groups`). Passwords are stored as
Argon2id hashes (:mod:`magpie.models.passwords`); sign-in throttling is :mod:`magpie.accounts.signin`.
"""
import logging
from typing import List, Optional, Tuple, Union

import sqlalchemy as sa
from sqlalchemy.orm import Session
from ziggurat_foundations.models.services.user import UserService

from magpie import audit, models
from magpie.accounts.groups import ensure_group
from magpie.accounts.memberships import is_member
from magpie.models.passwords import burn_time
from magpie.names import find_by_id_or_name

LOGGER = logging.getLogger(__name__)


def get_user_by_name(session: Session, user_name: str) -> Optional[models.User]:
    return session.execute(sa.select(models.User).where(models.User.user_name == user_name)).scalar()


def find_user(session: Session, ref: Union[int, str]) -> models.User:
    """The user whose id or name is ``ref`` (a name of digits only is read as an id), else
    :class:`~magpie.errors.NotFoundError` naming it."""
    return find_by_id_or_name(session, models.User, models.User.user_name, ref, "user")


def ensure_admin(session: Session, user_name: str, password: str, admin_group: str) -> str:
    """Create the administrator, or give it the configured password and membership of
    ``admin_group``; returns ``created``, ``updated`` or ``unchanged``. Changing the password
    signs out its sessions."""
    group = ensure_group(session, admin_group, "Magpie administrators")
    user = get_user_by_name(session, user_name)
    outcome = "unchanged"
    if user is None:
        user = models.User(user_name=user_name, email=f"{user_name}@magpie.invalid", status=1)
        UserService.set_password(user, password)
        session.add(user)
        session.flush()
        outcome = "created"
    elif not UserService.check_password(user, password):
        UserService.set_password(user, password)
        outcome = "updated"
    if not is_member(session, user, group):
        session.add(models.UserGroup(user_id=user.id, group_id=group.id))
        outcome = "updated" if outcome == "unchanged" else outcome
    session.flush()
    if outcome != "unchanged":
        LOGGER.info("administrator %r %s", user_name, outcome)
        # Other processes' decision indexes must hear of a new or changed administrator.
        audit.record(session, audit.SYSTEM, f"user.{'create' if outcome == 'created' else 'update'}",
                     user_name=user_name, after={"administrator": True, "password": "set from settings"})
    return outcome


def authenticate(session: Session, user_name: str, password: str) -> Optional[models.User]:
    """The active user with these credentials, or None (and a logged warning); an old PBKDF2 hash
    is replaced by Argon2id in the caller's transaction. (Requests sign in through
    :mod:`magpie.accounts.signin`, which throttles.)"""
    user, new_hash = check_password(get_user_by_name(session, user_name) if user_name else None, user_name, password)
    if user is not None and new_hash:
        user.user_password = new_hash
    return user


def check_password(user: Optional[models.User], user_name: str,
                   password: str) -> Tuple[Optional[models.User], Optional[str]]:
    """(``user`` when it is active and ``password`` is its password, else None (logged); the hash
    that should replace its stored one, if any). An unknown name costs one password check too, so
    timing does not tell which names exist."""
    if user is None or not user.user_password:
        burn_time(password)
    else:
        verified, new_hash = user.passwordmanager.verify_and_update(password, user.user_password)
        if verified and user.status == 1:
            return user, new_hash
    LOGGER.warning("failed sign-in for user %r", user_name[:128] if user_name else user_name)
    return None, None


def get_active_user(session: Session, user_id: int) -> Optional[models.User]:
    user = session.get(models.User, user_id)
    return user if user is not None and user.status == 1 else None


def group_names(session: Session, user: models.User) -> List[str]:
    return list(session.execute(
        sa.select(models.Group.group_name).join(models.UserGroup, models.UserGroup.group_id == models.Group.id)
        .where(models.UserGroup.user_id == user.id)
    ).scalars())
