"""Create, change and delete groups, each change audited in the caller's transaction.

The special groups (administrators, anonymous, users: their names come from the settings) can be
neither renamed nor deleted; their descriptions can change. As for users, every check runs before
the first write and a name another transaction took meanwhile is a 409, never a duplicate.
"""
import logging
from typing import Iterable, List, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import audit, models
from magpie.accounts import rules
from magpie.accounts.groups import SpecialGroups, get_group_by_name
from magpie.accounts.memberships import member_names
from magpie.errors import ConflictError, InvalidInput

LOGGER = logging.getLogger(__name__)

GROUP_FIELDS = ("group_name", "description")


def list_groups(session: Session) -> List[models.Group]:
    return list(session.execute(sa.select(models.Group).order_by(models.Group.group_name)).scalars())


def group_as_dict(group: models.Group, member_count: int, user_names: Optional[Iterable[str]] = None) -> dict:
    """Magpie's shape of a group; ``user_names`` (its members) when given."""
    answer = {"group_id": group.id, "group_name": group.group_name, "description": group.description or "",
              "member_count": member_count}
    if user_names is not None:
        answer["user_names"] = sorted(user_names)
    return answer


def special_kind(group: models.Group, settings) -> Optional[str]:
    """``administrators``, ``anonymous`` or ``authenticated`` for a special group, else None."""
    return SpecialGroups.of(settings).kind_of(group.group_name) if settings is not None else None


def _ensure_free(session: Session, group_name: str, except_id: Optional[int] = None) -> None:
    found = get_group_by_name(session, group_name)
    if found is not None and found.id != except_id:
        raise ConflictError(f"a group named {group_name!r} already exists")


def _flush_unique(session: Session, group_name: str) -> None:
    try:
        session.flush()
    except sa.exc.IntegrityError:
        raise ConflictError(f"a group named {group_name!r} already exists") from None


def create_group(session: Session, actor: Optional[str], group_name: str, description: str = "") -> models.Group:
    """Create a group; its name must be free (409)."""
    group_name = rules.validate_group_name(group_name)
    description = rules.validate_description(description)
    _ensure_free(session, group_name)
    group = models.Group(group_name=group_name, description=description, member_count=0)
    session.add(group)
    _flush_unique(session, group_name)
    audit.record(session, actor, "group.create", group_name=group_name, after=group_as_dict(group, 0),
                 changes_access=False)
    LOGGER.info("%s created group %r", actor, group_name)
    return group


def update_group(session: Session, actor: Optional[str], group: models.Group, changes: Mapping[str, object],
                 settings=None) -> models.Group:
    """Rename a group or change its description; given the ``settings``, a special group keeps
    its name (409)."""
    unknown = sorted(set(changes) - set(GROUP_FIELDS))
    if unknown:
        raise InvalidInput(unknown[0], f"unknown field {unknown[0]!r}")
    before: dict = {}
    after: dict = {}
    if "group_name" in changes and changes["group_name"] != group.group_name:
        name = rules.validate_group_name(changes["group_name"])
        kind = special_kind(group, settings)
        if kind is not None:
            raise ConflictError(f"group {group.group_name!r} is the special {kind} group of the settings: "
                                f"it cannot be renamed")
        _ensure_free(session, name, except_id=group.id)
        before["group_name"], after["group_name"] = group.group_name, name
    if "description" in changes and (changes["description"] or "") != (group.description or ""):
        before["description"] = group.description or ""
        after["description"] = rules.validate_description(changes["description"])
    if not after:
        return group
    old_name = group.group_name
    group.group_name = after.get("group_name", group.group_name)
    group.description = after.get("description", group.description)
    _flush_unique(session, group.group_name)
    audit.record(session, actor, "group.update", group_name=group.group_name, before=before, after=after,
                 changes_access="group_name" in after)
    LOGGER.info("%s changed %s of group %r", actor, ", ".join(sorted(after)), old_name)
    return group


def delete_group(session: Session, actor: Optional[str], group: models.Group, settings) -> dict:
    """Delete a group with its memberships and applied permissions; answers what it was. The
    special groups stay (409)."""
    kind = special_kind(group, settings)
    if kind is not None:
        raise ConflictError(f"group {group.group_name!r} is the special {kind} group of the settings: "
                            f"it cannot be deleted")
    names = member_names(session, group)
    gone = group_as_dict(group, len(names), names)
    session.delete(group)
    session.flush()
    audit.record(session, actor, "group.delete", group_name=gone["group_name"], before=gone)
    LOGGER.info("%s deleted group %r", actor, gone["group_name"])
    return gone
