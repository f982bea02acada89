"""Access control, pure: which permission names each service type carries on the service and on
each resource type under it (``names``), the applied permission values and their Magpie string
and JSON forms (``values``), and the resolution of a user's effective access along a resource's
branch (``resolution``); decisions and their audit log will live here too. This package may
import ``magpie.models`` and ``magpie.db`` only (and so far needs neither), never ``api``, ``ui``
or ``helpers``: those call it, so access rules stay testable without a request or a database.
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
