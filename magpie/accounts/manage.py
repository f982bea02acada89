"""Managing accounts, in one place to import from: users, groups and memberships.

The REST views and the permissions-file loader call these; each change is checked first, then
written and audited (:func:`magpie.audit.record`) in the caller's transaction, so a failure leaves
nothing behind once the caller aborts. ``actor`` is the name of whoever asks (``"system"`` when
None). Errors are those of :mod:`magpie.errors`: 404 for an unknown user or group, 409 for a
duplicate or a change the special groups forbid, 400 naming the bad field.
"""
from magpie.accounts.groups_admin import (
    GROUP_FIELDS, create_group, delete_group, group_as_dict, list_groups, special_kind, update_group,
)
from magpie.accounts.memberships import (
    add_membership, is_member, keep_an_administrator, member_count, member_names, remove_membership,
)
from magpie.accounts.users_admin import (
    SELF_SERVICE_FIELDS, USER_FIELDS, create_user, delete_user, is_settings_admin, list_users, update_user,
    user_as_dict,
)

__all__ = [
    "GROUP_FIELDS", "SELF_SERVICE_FIELDS", "USER_FIELDS", "add_membership", "create_group", "create_user",
    "delete_group", "delete_user", "group_as_dict", "is_member", "is_settings_admin", "keep_an_administrator",
    "list_groups", "list_users", "member_count", "member_names", "remove_membership", "special_kind",
    "update_group", "update_user", "user_as_dict",
]
