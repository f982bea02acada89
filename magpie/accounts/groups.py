"""Groups, and the three special ones every installation has.

- administrators: its members may do everything, without any permission being resolved;
- anonymous: everyone, signed in or not; a permission given to it is public access;
- users: every signed-in user belongs to it (Magpie's "users" group).

Their names come from settings (:class:`magpie.config.Settings`) and they are created at start-up.
"""
from dataclasses import dataclass
from typing import Dict, Optional, Union

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import audit, models
from magpie.names import find_by_id_or_name


@dataclass(frozen=True)
class SpecialGroups:
    admin: str
    anonymous: str
    users: str

    @classmethod
    def of(cls, settings) -> "SpecialGroups":
        """The special group names of a :class:`magpie.config.Settings`."""
        return cls(admin=settings.admin_group, anonymous=settings.anonymous_group, users=settings.users_group)

    def kind_of(self, group_name: str) -> Optional[str]:
        """``administrators``, ``anonymous``, ``authenticated`` for a special group, else None."""
        return {self.admin: "administrators", self.anonymous: "anonymous", self.users: "authenticated"}.get(group_name)


def get_group_by_name(session: Session, group_name: str) -> Optional[models.Group]:
    return session.execute(sa.select(models.Group).where(models.Group.group_name == group_name)).scalar()


def find_group(session: Session, ref: Union[int, str]) -> models.Group:
    """The group whose id or name is ``ref``, else :class:`~magpie.errors.NotFoundError`."""
    return find_by_id_or_name(session, models.Group, models.Group.group_name, ref, "group")


def ensure_group(session: Session, group_name: str, description: str, actor: str = audit.SYSTEM) -> models.Group:
    group = get_group_by_name(session, group_name)
    if group is None:
        group = models.Group(group_name=group_name, description=description)
        session.add(group)
        session.flush()
        audit.record(session, actor, "group.create", group_name=group_name, after={"description": description})
    return group


def ensure_special_groups(session: Session, special: SpecialGroups) -> Dict[str, models.Group]:
    """Create the special groups that are missing; returns them by kind."""
    return {
        "administrators": ensure_group(session, special.admin, "Magpie administrators: allowed everything"),
        "anonymous": ensure_group(session, special.anonymous, "Everyone, signed in or not"),
        "authenticated": ensure_group(session, special.users, "Every signed-in user"),
    }
