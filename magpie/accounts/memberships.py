"""Memberships: who belongs to which group, and the rules that keep the special groups sound.

- the administrators group never loses its last member (removal or deletion of that user);
- every user belongs to the users group (``magpie.users_group``): nobody leaves it.

Checks that count members first lock the group row with a write (an ``UPDATE`` that changes
nothing): PostgreSQL then queues a second such change behind the first, and SQLite, which has one
writer at a time, reads the count inside its write transaction. Two administrators removed at the
same time thus leave one, never none.
"""
import logging
from typing import List, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import audit, models
from magpie.accounts.groups import SpecialGroups, get_group_by_name
from magpie.errors import ConflictError, NotFoundError

LOGGER = logging.getLogger(__name__)


def lock_group(session: Session, group_id: int) -> None:
    """Hold the group's row until the transaction ends (a no-op write: portable row lock)."""
    session.execute(sa.update(models.Group).where(models.Group.id == group_id)
                    .values(member_count=models.Group.member_count)
                    .execution_options(synchronize_session=False))


def is_member(session: Session, user: models.User, group: models.Group) -> bool:
    return session.execute(sa.select(models.UserGroup.user_id).where(
        models.UserGroup.user_id == user.id, models.UserGroup.group_id == group.id)).first() is not None


def member_names(session: Session, group: models.Group) -> List[str]:
    """The names of the group's members, sorted."""
    return list(session.execute(
        sa.select(models.User.user_name).join(models.UserGroup, models.UserGroup.user_id == models.User.id)
        .where(models.UserGroup.group_id == group.id).order_by(models.User.user_name)).scalars())


def member_count(session: Session, group: models.Group, excluding: Optional[models.User] = None) -> int:
    query = sa.select(sa.func.count()).select_from(models.UserGroup).where(models.UserGroup.group_id == group.id)
    if excluding is not None:
        query = query.where(models.UserGroup.user_id != excluding.id)
    return session.execute(query).scalar() or 0


def keep_an_administrator(session: Session, user: models.User, settings) -> None:
    """Refuse a change that would take the last member from the administrators group."""
    admins = get_group_by_name(session, settings.admin_group)
    if admins is None:
        return
    lock_group(session, admins.id)
    if is_member(session, user, admins) and member_count(session, admins, excluding=user) == 0:
        raise ConflictError(f"user {user.user_name!r} is the last member of the administrators group "
                            f"{admins.group_name!r}: make another user an administrator first")


def add_membership(session: Session, actor: Optional[str], user: models.User, group: models.Group) -> bool:
    """Make ``user`` a member of ``group``: True when the membership was created, False when it
    existed (so a file applied twice changes nothing). A membership created meanwhile by another
    transaction is a :class:`~magpie.errors.ConflictError`, never a duplicate."""
    if is_member(session, user, group):
        return False
    pair = {"user_name": user.user_name, "group_name": group.group_name}  # read before a failed flush expires them
    session.add(models.UserGroup(user_id=user.id, group_id=group.id))
    try:
        session.flush()
    except sa.exc.IntegrityError:
        raise ConflictError(f"user {pair['user_name']!r} already belongs to group {pair['group_name']!r}") from None
    audit.record(session, actor, "membership.add", user_name=pair["user_name"], group_name=pair["group_name"],
                 after=pair)
    LOGGER.info("%s added user %r to group %r", actor, pair["user_name"], pair["group_name"])
    return True


def remove_membership(session: Session, actor: Optional[str], user: models.User, group: models.Group,
                      settings) -> None:
    """Take ``user`` out of ``group`` (:class:`~magpie.errors.NotFoundError` if not a member),
    unless it is the users group or the last member of the administrators group."""
    special = SpecialGroups.of(settings)
    if group.group_name == special.users:
        raise ConflictError(f"every user belongs to the users group {group.group_name!r}: "
                            f"user {user.user_name!r} cannot leave it")
    if group.group_name == special.admin:
        keep_an_administrator(session, user, settings)
    removed = session.execute(sa.delete(models.UserGroup).where(
        models.UserGroup.user_id == user.id, models.UserGroup.group_id == group.id,
    ).execution_options(synchronize_session=False)).rowcount
    if not removed:
        raise NotFoundError(f"user {user.user_name!r} is not a member of group {group.group_name!r}")
    pair = {"user_name": user.user_name, "group_name": group.group_name}
    audit.record(session, actor, "membership.remove", user_name=user.user_name, group_name=group.group_name,
                 before=pair)
    LOGGER.info("%s removed user %r from group %r", actor, user.user_name, group.group_name)
