"""Apply a checked permissions configuration in the caller's transaction, after resolving all of
it against the database: services must exist, every resource path must be creatable with types
the service allows, every permission must be one its resource can carry. Only then is anything
written, so a bad entry changes nothing; a failure while writing raises too, and the caller's
transaction takes everything back.

Applying the same configuration again changes nothing: existing users and groups are kept as they
are (a password in the file is only used to create the user), a permission already applied is
left alone, a permission to remove that is not there is "unchanged". Users and groups that
permissions name but that do not exist are created, as Magpie does (a user with a random
password, to be set by an administrator).
"""
import secrets
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models
from magpie.accounts.groups import get_group_by_name
from magpie.accounts.manage import add_membership, create_group, create_user
from magpie.accounts.users import get_user_by_name
from magpie.errors import ConflictError, InvalidInput, NotFoundError
from magpie.permissions import InvalidPermission, resource_permissions, service_permissions
from magpie.permissions.applied import NameNotCarried, applied_permissions, check_name, describe, grant, revoke
from magpie.resources.actions import allowed_child_types, create_local_resource, find_child
from magpie.setup_files.permissions_file import PermissionEntry, PermissionsConfig, PermissionsFileError

#: Email of users created without one (``.invalid``: a domain that never receives mail).
DEFAULT_EMAIL_DOMAIN = "magpie.invalid"

PathKey = Tuple[int, Tuple[str, ...]]  # (service id, names below it)


@dataclass
class Outcome:
    """What one item of the configuration did; ``changed`` False means "unchanged"."""
    where: str
    what: str
    changed: bool

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class Plan:
    services: Dict[str, models.Service] = field(default_factory=dict)
    types: Dict[PathKey, str] = field(default_factory=dict)  # type of each resource to create


def _types_below(service: models.Service, parent_type: str) -> Tuple[str, ...]:
    if parent_type == "service":
        return allowed_child_types(service, service)
    return tuple(models.RESOURCE_TYPES[parent_type].child_resource_types)


def _new_type(entry: PermissionEntry, service: models.Service, parent_type: str, name: str, last: bool) -> str:
    """The type of a resource the path needs but the tree lacks: ``type`` for the last segment,
    else the one type the parent may hold (a directory, a workspace, a route ...)."""
    allowed = _types_below(service, parent_type)
    if not allowed:
        raise PermissionsFileError(f"{entry.where}: a {parent_type} cannot hold resources ({name!r})")
    if last:
        chosen = entry.type or (allowed[0] if len(allowed) == 1 else None)
        if chosen is None:
            raise PermissionsFileError(f"{entry.where}: {name!r} does not exist and could be a "
                                       f"{' or a '.join(allowed)}: give its 'type'")
    else:
        containers = [kind for kind in allowed if models.RESOURCE_TYPES[kind].child_resource_types]
        if not containers:
            raise PermissionsFileError(f"{entry.where}: {name!r} would be a {' or a '.join(allowed)}, "
                                       f"which cannot hold resources")
        chosen = containers[0] if len(containers) == 1 else entry.type if entry.type in containers else None
        if chosen is None:
            raise PermissionsFileError(f"{entry.where}: {name!r} does not exist and could be a "
                                       f"{' or a '.join(containers)}: create it first")
    if chosen not in allowed:
        raise PermissionsFileError(f"{entry.where}: a {parent_type} cannot hold a {chosen} ({name!r}); "
                                   f"it may hold: {', '.join(allowed)}")
    return chosen


def _resolve_path(session: Session, plan: Plan, entry: PermissionEntry, service: models.Service) -> Optional[str]:
    """The type of the resource ``entry`` names (created or not), planning what is missing; None
    when a removal names a resource that does not exist."""
    node, node_type = service, "service"
    for depth, name in enumerate(entry.path, start=1):
        key, last = (service.resource_id, entry.path[:depth]), depth == len(entry.path)
        child = find_child(session, node.resource_id, name) if node is not None else None
        if child is not None:
            node, node_type = child, child.resource_type
        elif key in plan.types:
            node, node_type = None, plan.types[key]
        elif entry.action == "remove":
            return None
        else:
            node, node_type = None, _new_type(entry, service, node_type, name, last)
            plan.types[key] = node_type
            continue
        if last and entry.type and node_type != entry.type:
            raise PermissionsFileError(f"{entry.where}: {entry.target!r} is a {node_type}, not a {entry.type}")
    return node_type


def resolve(session: Session, config: PermissionsConfig, settings=None) -> Plan:
    """Check every permission entry against the database; writes nothing."""
    anonymous = getattr(settings, "anonymous_group", None)
    for entry in config.permissions:
        if anonymous is not None and entry.user == anonymous:  # Magpie's anonymous user is our group
            raise PermissionsFileError(f"{entry.where}: public access is given to the group {anonymous!r}, "
                                       f"not to a user: write 'group: {anonymous}'")
    plan = Plan()
    names = {entry.service for entry in config.permissions}
    plan.services = {service.resource_name: service for service in session.execute(
        sa.select(models.Service).where(models.Service.resource_name.in_(names))).scalars()} if names else {}
    for entry in config.permissions:
        service = plan.services.get(entry.service)
        if service is None:
            raise PermissionsFileError(f"{entry.where}: unknown service {entry.service!r}")
        target_type = _resolve_path(session, plan, entry, service)
        if target_type is None:
            continue
        allowed = service_permissions(service.type) if target_type == "service" else \
            resource_permissions(service.type, target_type)
        try:
            check_name(allowed, entry.permission, target_type, service.type)
        except NameNotCarried as exc:
            raise PermissionsFileError(f"{entry.where}: {exc}") from None
    return plan


class Applier:
    """Writes a resolved configuration; every change is recorded by the functions it calls."""

    def __init__(self, session: Session, config: PermissionsConfig, plan: Plan, actor: str, settings=None):
        self.session, self.config, self.plan, self.actor, self.settings = session, config, plan, actor, settings
        self.outcomes: List[Outcome] = []
        self.where = ", ".join(config.sources)  # the item being applied, for errors

    def note(self, where: str, what: str, changed: bool = True) -> None:
        self.outcomes.append(Outcome(where, what, changed))

    def group(self, name: str, where: str, create: bool = True) -> Optional[models.Group]:
        group = get_group_by_name(self.session, name)
        if group is None and create:
            definition = self.config.groups.get(name)
            group = create_group(self.session, self.actor, name, definition.description if definition else "")
            self.note(definition.where if definition else where, f"group {name!r} created")
        return group

    def user(self, name: str, where: str, create: bool = True) -> Optional[models.User]:
        user = get_user_by_name(self.session, name)
        if user is None and create:
            definition = self.config.users.get(name)
            groups = definition.groups if definition else ()
            for group_name in groups:
                self.group(group_name, definition.where)
            email = (definition.email if definition else None) or f"{name}@{DEFAULT_EMAIL_DOMAIN}"
            password = (definition.password if definition else None) or secrets.token_urlsafe(32)
            user = create_user(self.session, self.actor, name, email, password, group_names=groups,
                               settings=self.settings)
            self.note(definition.where if definition else where, f"user {name!r} created" + (
                f" in group(s) {', '.join(groups)}" if groups else ""))
        return user

    def sections(self) -> None:
        for name, definition in self.config.groups.items():
            self.where = definition.where
            if get_group_by_name(self.session, name) is None:
                self.group(name, definition.where)
            else:
                self.note(definition.where, f"group {name!r} unchanged", changed=False)
        for name, definition in self.config.users.items():
            self.where = definition.where
            user, joined = get_user_by_name(self.session, name), []
            if user is None:
                self.user(name, definition.where)
                continue
            for group_name in definition.groups:
                if add_membership(self.session, self.actor, user, self.group(group_name, definition.where)):
                    joined.append(group_name)
            self.note(definition.where, f"user {name!r} " + (f"added to group(s) {', '.join(joined)}"
                                                               if joined else "unchanged"), changed=bool(joined))

    def resource(self, entry: PermissionEntry) -> Optional[models.Resource]:
        service = self.plan.services[entry.service]
        node: models.Resource = service
        for depth, name in enumerate(entry.path, start=1):
            child = find_child(self.session, node.resource_id, name)
            if child is None:
                if entry.action == "remove":
                    return None
                planned = self.plan.types.get((service.resource_id, entry.path[:depth]))
                if planned is None:  # it existed when the file was checked
                    raise ConflictError(f"{name!r} was removed while the file was applied")
                child = create_local_resource(self.session, service, name, planned, parent_id=node.resource_id,
                                              actor=self.actor)
                self.note(entry.where, f"{child.resource_type} {'/'.join((entry.service,) + entry.path[:depth])!r} "
                                       f"created")
            node = child
        return node

    def permission(self, entry: PermissionEntry) -> None:
        self.where = entry.where
        resource = self.resource(entry)
        create = entry.action == "create"
        for kind, name in (("user", entry.user), ("group", entry.group)):
            if name is None:
                continue
            find = self.user if kind == "user" else self.group
            principal = find(name, entry.where, create)
            if principal is None:
                self.note(entry.where, f"{entry.permission.name} on {entry.target!r} for {kind} {name!r}: "
                                       f"unchanged (no such {kind})", changed=False)
                continue
            about = f"{entry.permission.explicit} on {entry.target!r} for {describe(principal)}"
            current = None if resource is None else next(
                (p for p in applied_permissions(self.session, principal, resource) if p.name == entry.permission.name),
                None)
            if entry.action == "remove":
                if current is None:
                    self.note(entry.where, f"{about}: unchanged (not applied)", changed=False)
                else:
                    revoke(self.session, self.actor, principal, resource, current)
                    self.note(entry.where, f"{current.explicit} on {entry.target!r} for {describe(principal)} removed")
            elif current == entry.permission:
                self.note(entry.where, f"{about}: unchanged", changed=False)
            else:
                result = grant(self.session, self.actor, principal, resource, entry.permission)
                self.note(entry.where, f"{about}: " + (f"replaced {result.replaced.explicit}" if result.replaced
                                                       else "created"))


def _redact(message: str, config: PermissionsConfig) -> str:
    for user in config.users.values():
        if user.password:
            message = message.replace(user.password, "***")
    return message


def apply_permissions_config(session: Session, config: PermissionsConfig, actor: str,
                             settings=None) -> List[Outcome]:
    """Resolve, then apply ``config`` in the caller's transaction (which must be taken back when
    this raises :class:`PermissionsFileError`). Given the :class:`magpie.config.Settings`, new users
    join the users group, as users created through the API do."""
    plan = resolve(session, config, settings)
    applier = Applier(session, config, plan, actor, settings)
    try:
        applier.sections()
        for entry in config.permissions:
            applier.permission(entry)
    except (InvalidInput, ConflictError, NotFoundError, InvalidPermission) as exc:
        raise PermissionsFileError(_redact(f"{applier.where}: {exc}", config)) from None
    return applier.outcomes
