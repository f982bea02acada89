"""What the users and groups pages show of each account, and why a button is disabled: the same
rules the API enforces (``magpie.accounts``), read ahead so the page can say so instead of
letting an administrator press a button that can only fail."""
from typing import Dict, List, Optional

from sqlalchemy.orm import Session

from magpie.accounts import manage
from magpie.accounts.groups import SpecialGroups


def _last_admin_reason(user_name: str, admins: List[str]) -> Optional[str]:
    if admins == [user_name]:
        return f"{user_name} is the last administrator: make another user an administrator first"
    return None


def user_rows(session: Session, settings) -> List[dict]:
    """Each user with its groups, and per action the reason it is refused (None: allowed)."""
    special = SpecialGroups.of(settings)
    groups = {group.group_name: group for group in manage.list_groups(session)}
    members: Dict[str, List[str]] = {name: manage.member_names(session, group) for name, group in groups.items()}
    admins = members.get(special.admin, [])
    rows = []
    for user in manage.list_users(session):
        user_groups = sorted(name for name, names in members.items() if user.user_name in names)
        delete_reason = _last_admin_reason(user.user_name, admins)
        if manage.is_settings_admin(user, settings):
            delete_reason = f"{user.user_name} is the administrator of the settings (magpie.admin_user)"
        rows.append({
            "user_name": user.user_name,
            "email": user.email,
            "groups": [{"group_name": name, "leave_reason": leave_reason(user.user_name, name, special, admins)}
                       for name in user_groups],
            "other_groups": sorted(set(groups) - set(user_groups) - {special.anonymous}),
            "delete_reason": delete_reason,
        })
    return rows


def leave_reason(user_name: str, group_name: str, special: SpecialGroups, admins: List[str]) -> Optional[str]:
    """Why ``user_name`` may not leave ``group_name`` (None: it may)."""
    if group_name == special.users:
        return f"every user belongs to {group_name}"
    if group_name == special.admin:
        return _last_admin_reason(user_name, admins)
    return None


def group_rows(session: Session, settings) -> List[dict]:
    """Each group with its members, and the reason it may not be deleted or left (None: allowed)."""
    special = SpecialGroups.of(settings)
    user_names = [user.user_name for user in manage.list_users(session)]
    groups = manage.list_groups(session)
    admins = next((manage.member_names(session, group) for group in groups if group.group_name == special.admin), [])
    rows = []
    for group in groups:
        names = manage.member_names(session, group)
        kind = special.kind_of(group.group_name)
        rows.append({
            "group_name": group.group_name,
            "description": group.description or "",
            "kind": kind,
            "members": [{"user_name": name, "leave_reason": leave_reason(name, group.group_name, special, admins)}
                        for name in names],
            "others": sorted(set(user_names) - set(names)) if group.group_name != special.anonymous else [],
            "delete_reason": f"{group.group_name} is the special {kind} group" if kind else None,
            "join_reason": "everyone belongs to the anonymous group" if group.group_name == special.anonymous else None,
        })
    return rows
