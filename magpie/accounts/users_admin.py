"""Create, change and delete user accounts, each change audited in the caller's transaction.

The REST API and the permissions file call these, so a rule (valid names and emails, unique ones,
password length, the protected administrator of the settings) holds whichever way an account was
changed. Every check runs before the first write, and a write that another transaction beat to a
unique name ends in :class:`~magpie.errors.ConflictError`: nothing is ever half done, as the
caller's transaction is aborted on any error. Passwords are never logged, answered nor audited
(the audit log says ``"password": "changed"``).
"""
import logging
from typing import Dict, Iterable, List, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session
from ziggurat_foundations.models.services.user import UserService

from magpie import audit, models
from magpie.accounts import rules
from magpie.accounts.groups import ensure_group, get_group_by_name
from magpie.accounts.memberships import keep_an_administrator
from magpie.accounts.sessions import close_user_sessions
from magpie.accounts.users import get_user_by_name, group_names as group_names_of
from magpie.errors import ConflictError, InvalidInput, NotFoundError

LOGGER = logging.getLogger(__name__)

#: Fields of ``PATCH /users/{user}``; a user that is not an administrator may change only its own
#: :data:`SELF_SERVICE_FIELDS`.
USER_FIELDS = ("user_name", "email", "password", "status")
SELF_SERVICE_FIELDS = frozenset(["email", "password"])


def list_users(session: Session) -> List[models.User]:
    return list(session.execute(sa.select(models.User).order_by(models.User.user_name)).scalars())


def user_as_dict(user: models.User, group_names: Iterable[str]) -> dict:
    """Magpie's shape of a user (``status`` is ``OK`` or ``Locked``); never the password."""
    return {"user_id": user.id, "user_name": user.user_name, "email": user.email,
            "status": rules.status_name(user.status), "group_names": sorted(group_names)}


def is_settings_admin(user: models.User, settings) -> bool:
    """Whether ``user`` is the administrator created at start-up from ``magpie.admin_user``."""
    return settings is not None and bool(settings.admin_user) and user.user_name == settings.admin_user


def _ensure_free(session: Session, user_name: Optional[str], email: Optional[str],
                 except_id: Optional[int] = None) -> None:
    if user_name is not None:
        found = get_user_by_name(session, user_name)
        if found is not None and found.id != except_id:
            raise ConflictError(f"a user named {user_name!r} already exists")
    if email is not None:
        found = session.execute(sa.select(models.User.id).where(models.User.email == email)).scalar()
        if found is not None and found != except_id:
            raise ConflictError(f"the email {email!r} is already used by another user")


def _flush_unique(session: Session, user_name: str, email: str) -> None:
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:
        # Another transaction took the name or the email between our check and our write.
        if "email" in str(exc.orig).lower():
            raise ConflictError(f"the email {email!r} is already used by another user") from None
        raise ConflictError(f"a user named {user_name!r} already exists") from None


def _groups_to_join(session: Session, actor: Optional[str], group_names: Iterable[str], settings) -> List[models.Group]:
    """The groups a new user joins: the users group of the settings, then those asked for (each
    must exist)."""
    wanted: Dict[str, models.Group] = {}
    if settings is not None:
        wanted[settings.users_group] = ensure_group(session, settings.users_group, "Every signed-in user",
                                                    actor or audit.SYSTEM)
    for name in group_names:
        if not isinstance(name, str) or not name:
            raise InvalidInput("group_name", "a group name must be a non-empty string")
        if name not in wanted:
            group = get_group_by_name(session, name)
            if group is None:
                raise NotFoundError(f"no group {name!r}")
            wanted[name] = group
    return list(wanted.values())


def create_user(session: Session, actor: Optional[str], user_name: str, email: str, password: str,
                group_names: Iterable[str] = (), settings=None) -> models.User:
    """Create an active user who joins ``group_names`` and, given the ``settings``, the users group
    (as Magpie's new users do). Names and emails are unique (409), groups must exist (404)."""
    user_name = rules.validate_user_name(user_name)
    email = rules.validate_email(email)
    rules.validate_password(password)
    if isinstance(group_names, str):
        group_names = [group_names]
    _ensure_free(session, user_name, email)
    groups = _groups_to_join(session, actor, group_names, settings)
    user = models.User(user_name=user_name, email=email, status=rules.STATUSES["OK"])
    UserService.set_password(user, password)  # salted hash, and a fresh security code
    session.add(user)
    _flush_unique(session, user_name, email)
    for group in groups:
        session.add(models.UserGroup(user_id=user.id, group_id=group.id))
    session.flush()
    audit.record(session, actor, "user.create", user_name=user_name,
                 after=user_as_dict(user, [group.group_name for group in groups]))
    LOGGER.info("%s created user %r", actor, user_name)
    return user


def _protect_settings_admin(user: models.User, changes: Mapping[str, object], settings) -> None:
    if not is_settings_admin(user, settings):
        return
    if "user_name" in changes and changes["user_name"] != user.user_name:
        raise ConflictError(f"user {user.user_name!r} is the administrator of the settings (magpie.admin_user): "
                            f"it cannot be renamed")
    if "password" in changes:
        raise ConflictError(f"the password of user {user.user_name!r} comes from the settings "
                            f"(magpie.admin_password) and is set again at every start-up: change it there")
    if changes.get("status", "OK") != "OK":
        raise ConflictError(f"user {user.user_name!r} is the administrator of the settings: it cannot be locked")


def update_user(session: Session, actor: Optional[str], user: models.User, changes: Mapping[str, object],
                settings=None) -> models.User:
    """Apply ``changes`` (fields of :data:`USER_FIELDS`), all checked before any is written.

    A new password (or the status ``Locked``) ends the user's sessions: ziggurat regenerates the
    security code, which the security policy compares with the one each session was opened with.
    Given the ``settings``, the administrator they name can be neither renamed, locked, nor given a
    password other than the configured one.
    """
    unknown = sorted(set(changes) - set(USER_FIELDS))
    if unknown:
        raise InvalidInput(unknown[0], f"unknown field {unknown[0]!r}")
    checks = {"user_name": rules.validate_user_name, "email": rules.validate_email,
              "status": rules.parse_status, "password": rules.validate_password}
    for field, value in changes.items():
        if value != getattr(user, field, None):  # a stored name or email sent back unchanged passes
            checks[field](value)
    _protect_settings_admin(user, changes, settings)
    before: dict = {}
    after: dict = {}
    for field, current in (("user_name", user.user_name), ("email", user.email),
                           ("status", rules.status_name(user.status))):
        if field in changes and changes[field] != current:
            before[field], after[field] = current, changes[field]
    if "password" in changes:
        after["password"] = "changed"
    if not after:
        return user
    _ensure_free(session, after.get("user_name"), after.get("email"), except_id=user.id)
    old_name = user.user_name
    if "user_name" in after:
        user.user_name = after["user_name"]
    if "email" in after:
        user.email = after["email"]
    if "status" in after:
        user.status = rules.parse_status(after["status"])
    if "password" in after:
        UserService.set_password(user, changes["password"])
    if "password" in after or user.status != rules.STATUSES["OK"]:
        close_user_sessions(session, user.id)
    _flush_unique(session, user.user_name, user.email)
    audit.record(session, actor, "user.update", user_name=user.user_name, before=before, after=after,
                 changes_access=bool({"user_name", "status"} & set(after)))
    LOGGER.info("%s changed %s of user %r", actor, ", ".join(sorted(after)), old_name)
    return user


def delete_user(session: Session, actor: Optional[str], user: models.User, settings) -> dict:
    """Delete ``user`` with its memberships and applied permissions; answers what it was. The
    administrator of the settings and the last administrator stay."""
    if is_settings_admin(user, settings):
        raise ConflictError(f"user {user.user_name!r} is the administrator of the settings (magpie.admin_user): "
                            f"it cannot be deleted")
    keep_an_administrator(session, user, settings)
    gone = user_as_dict(user, group_names_of(session, user))
    session.delete(user)
    session.flush()
    audit.record(session, actor, "user.delete", user_name=gone["user_name"], before=gone)
    LOGGER.info("%s deleted user %r", actor, gone["user_name"])
    return gone
