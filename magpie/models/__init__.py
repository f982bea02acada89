"""Tables: ziggurat_foundations users, groups and resources, services, the stored remote trees,
sync runs, the access-control audit log, and service credentials (sealed).

Models describe data only; queries and behaviour live in the domain packages (accounts,
permissions, services, resources, sync). Every model class is importable from here.
"""
from ziggurat_foundations import ziggurat_model_init

from magpie.models.accounts import (
    ExternalIdentity, Group, GroupPermission, GroupResourcePermission, User, UserGroup, UserPermission,
    UserResourcePermission,
)
from magpie.models.audit import AclVersion, AuditEntry
from magpie.models.passwords import PasswordManager
from magpie.models.signin import SignInFailures, UserSession
from magpie.models.base import NAME_LENGTH, NAMING_CONVENTION, Base, UTCDateTime, utcnow
from magpie.models.credentials import ServiceCredential
from magpie.models.resources import (
    RESOURCE_TYPES, Collection, Directory, File, Layer, Process, Resource, Route, Service, Workspace,
)
from magpie.models.sync import RemoteResource, RemoteResourcesSyncInfo, SyncLock, SyncRun

ziggurat_model_init(
    User, Group, UserGroup, GroupPermission, UserPermission, UserResourcePermission,
    GroupResourcePermission, Resource, ExternalIdentity, passwordmanager=PasswordManager(),
)

__all__ = [
    "AclVersion", "AuditEntry", "Base", "Collection", "Directory", "ExternalIdentity", "File", "Group",
    "GroupPermission", "GroupResourcePermission", "Layer", "NAME_LENGTH", "NAMING_CONVENTION", "Process",
    "RESOURCE_TYPES", "RemoteResource", "RemoteResourcesSyncInfo", "Resource", "Route", "Service", "ServiceCredential", "SyncLock",
    "SyncRun", "UTCDateTime", "User", "UserGroup", "UserPermission", "UserResourcePermission", "Workspace",
    "utcnow",
    "PasswordManager", "SignInFailures", "UserSession",
]
