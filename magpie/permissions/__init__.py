"""Access control on the resource tree.

- pure: which permission names each service type carries on the service and on each resource
  type (``names``), applied permission values in Magpie's string and JSON forms (``values``),
  and Magpie's resolution of effective access along a resource's branch (``resolution``);
- stored: applied permissions of users and groups, granted and revoked with an audit entry
  (``applied``, ``listing``, ``answers``);
- decisions: an in-memory index per database, kept fresh by the access-control version and, on
  PostgreSQL, LISTEN/NOTIFY (``index*``), and the decisions a proxy asks for (``decisions``).

It imports ``accounts``, ``sync``, ``db``, ``audit`` and ``models``; never ``services``,
``resources``, ``api``, ``ui`` or ``helpers``, which call it.
"""
from magpie.permissions.names import (
    ALL_PERMISSION_NAMES,
    RESOURCE_TYPES,
    SERVICE_TYPES,
    permissions_by_resource_type,
    resource_permissions,
    service_permissions,
)
from magpie.permissions.resolution import (
    ADMINISTRATORS,
    ANONYMOUS,
    AUTHENTICATED,
    REASON_ADMINISTRATOR,
    REASON_MULTIPLE,
    REASON_NO_PERMISSION,
    AppliedPermission,
    Decision,
    Level,
    Principal,
    inherited,
    resolve,
    resolve_all,
)
from magpie.permissions.values import (
    PERMISSION_TYPES,
    Access,
    InvalidPermission,
    Permission,
    Scope,
    format_permissions,
)

__all__ = [
    "ADMINISTRATORS", "ALL_PERMISSION_NAMES", "ANONYMOUS", "AUTHENTICATED", "PERMISSION_TYPES",
    "REASON_ADMINISTRATOR", "REASON_MULTIPLE", "REASON_NO_PERMISSION", "RESOURCE_TYPES",
    "SERVICE_TYPES", "Access", "AppliedPermission", "Decision", "InvalidPermission", "Level",
    "Permission", "Principal", "Scope", "format_permissions", "inherited",
    "permissions_by_resource_type", "resolve", "resolve_all", "resource_permissions",
    "service_permissions",
]
