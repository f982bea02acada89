"""Read Magpie's permissions configuration (YAML; a file, or a directory of ``.cfg`` files read in
name order) into checked entries, without a database::

    permissions:
      - service: thredds                 # must exist
        resource: /birdhouse/ncml        # optional: a path below the service, created if missing
        type: directory                  # optional: the type of the last segment if it is created
        user: alice                      # user and/or group
        group: researchers
        permission: read-allow-recursive # a string, or {name, access, scope}
        action: create                   # create (default) or remove
    users:
      - {username: alice, password: "${ALICE_PASSWORD}", email: alice@example.org, group: researchers}
    groups:
      - {name: researchers, description: Read access to the archive}

Every entry is checked before anything is applied; an error names the file and the entry's
position (``permissions.cfg: permissions[3]: ...``, counted from 0). ``$VAR`` and ``${VAR}`` are
replaced by environment variables, as Magpie does, but an unset variable is an error rather than
left in place (it would otherwise become a password), and ``$$`` writes a ``$``.
"""
import os
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

import yaml

from magpie import models
from magpie.variables import UnsetVariable, expand_variables
from magpie.accounts import rules
from magpie.errors import ConflictError, InvalidInput
from magpie.names import validate_name
from magpie.permissions import InvalidPermission, Permission

ACTIONS = ("create", "remove")
PERMISSION_KEYS = {"service", "resource", "type", "user", "group", "permission", "action"}
USER_KEYS = {"username", "password", "email", "group"}
GROUP_KEYS = {"name", "description", "discoverable"}
#: Sections of Magpie's combined configuration that other commands apply.
IGNORED_SECTIONS = {"providers", "webhooks"}



class PermissionsFileError(ValueError):
    """The file cannot be applied; the message names the file and the entry (never a password)."""


@dataclass(frozen=True)
class PermissionEntry:
    where: str  # "permissions.cfg: permissions[3]"
    service: str
    path: Tuple[str, ...]  # resource names below the service; empty: the service itself
    type: Optional[str]
    user: Optional[str]
    group: Optional[str]
    permission: Permission
    action: str

    @property
    def target(self) -> str:
        return "/".join((self.service,) + self.path)


@dataclass(frozen=True)
class UserEntry:
    where: str
    user_name: str
    email: Optional[str]
    password: Optional[str] = field(repr=False)
    groups: Tuple[str, ...]


@dataclass(frozen=True)
class GroupEntry:
    where: str
    group_name: str
    description: str


@dataclass
class PermissionsConfig:
    """Entries of one or more files, in the order they are applied."""
    permissions: List[PermissionEntry] = field(default_factory=list)
    users: Dict[str, UserEntry] = field(default_factory=dict)
    groups: Dict[str, GroupEntry] = field(default_factory=dict)
    sources: List[str] = field(default_factory=list)


def expand(value: str, where: str, environ: Mapping[str, str]) -> str:
    """``$VAR`` and ``${VAR}`` from the environment, ``$$`` as ``$``; an unset variable is an error."""
    try:
        return expand_variables(value, environ)
    except UnsetVariable as exc:
        raise PermissionsFileError(f"{where}: environment variable {exc.name!r} is not set") from None


def _text(entry: dict, key: str, where: str, environ: Mapping[str, str], required: bool = False) -> Optional[str]:
    value = entry.get(key)
    if value is None:
        if required:
            raise PermissionsFileError(f"{where}: {key!r} is missing")
        return None
    if not isinstance(value, str):
        raise PermissionsFileError(f"{where}: {key!r} must be a string")
    return expand(value, f"{where}: {key!r}", environ)


def _checked(rule, value: Optional[str], where: str) -> Optional[str]:
    """``value`` through one of :mod:`magpie.accounts.rules` (the API's rules); their messages
    never quote a password."""
    if value is None:
        return None
    try:
        return rule(value)
    except (InvalidInput, ConflictError) as exc:
        raise PermissionsFileError(f"{where}: {exc}") from None


def _mapping(entry: object, known: set, where: str) -> dict:
    if not isinstance(entry, dict):
        raise PermissionsFileError(f"{where}: expected a mapping")
    unknown = sorted(str(key) for key in entry if key not in known)
    if unknown:
        raise PermissionsFileError(f"{where}: unknown key(s) {', '.join(unknown)} "
                                   f"(expected {', '.join(sorted(known))})")
    return entry


def parse_path(value: Optional[str], where: str) -> Tuple[str, ...]:
    """``/a/b/c`` (slashes at either end optional) as its names; empty for the service itself."""
    text = (value or "").strip("/")
    if not text:
        return ()
    names = tuple(text.split("/"))
    for name in names:
        try:
            validate_name(name)
        except InvalidInput as exc:
            raise PermissionsFileError(f"{where}: 'resource' {value!r}: {exc}") from None
    return names


def parse_permission_entry(entry: object, where: str, environ: Mapping[str, str]) -> PermissionEntry:
    entry = _mapping(entry, PERMISSION_KEYS, where)
    service = _text(entry, "service", where, environ, required=True)
    path = parse_path(_text(entry, "resource", where, environ), where)
    resource_type = _text(entry, "type", where, environ)
    if resource_type is not None:
        if resource_type not in models.RESOURCE_TYPES:
            raise PermissionsFileError(f"{where}: unknown resource type {resource_type!r} "
                                       f"(expected one of {', '.join(models.RESOURCE_TYPES)})")
        if not path:
            raise PermissionsFileError(f"{where}: 'type' is the type of the last segment of 'resource', "
                                       f"which is missing")
    user = _checked(rules.validate_user_name, _text(entry, "user", where, environ), where)
    group = _checked(rules.validate_group_name, _text(entry, "group", where, environ), where)
    if user is None and group is None:
        raise PermissionsFileError(f"{where}: give 'user' and/or 'group'")
    if "permission" not in entry or entry["permission"] is None:
        raise PermissionsFileError(f"{where}: 'permission' is missing")
    try:
        permission = Permission.parse(entry["permission"])
    except InvalidPermission as exc:
        raise PermissionsFileError(f"{where}: {exc}") from None
    action = _text(entry, "action", where, environ) or "create"
    if action not in ACTIONS:
        raise PermissionsFileError(f"{where}: unknown action {action!r} (expected create or remove)")
    return PermissionEntry(where=where, service=service, path=path, type=resource_type, user=user, group=group,
                           permission=permission, action=action)


def parse_user_entry(entry: object, where: str, environ: Mapping[str, str]) -> UserEntry:
    entry = _mapping(entry, USER_KEYS, where)
    user_name = _checked(rules.validate_user_name, _text(entry, "username", where, environ, required=True), where)
    groups = entry.get("group")
    if groups is None:
        groups = []
    elif isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list) or not all(isinstance(name, str) for name in groups):
        raise PermissionsFileError(f"{where}: 'group' must be a group name or a list of them")
    groups = tuple(_checked(rules.validate_group_name, expand(name, f"{where}: 'group'", environ), where)
                   for name in groups)
    password = entry.get("password")
    if password is not None and not isinstance(password, str):
        raise PermissionsFileError(f"{where}: 'password' must be a string (quote it)")
    if password is not None:
        password = _checked(rules.validate_password, expand(password, f"{where}: 'password'", environ), where)
    return UserEntry(where=where, user_name=user_name,
                     email=_checked(rules.validate_email, _text(entry, "email", where, environ), where),
                     password=password, groups=tuple(dict.fromkeys(groups)))


def parse_group_entry(entry: object, where: str, environ: Mapping[str, str]) -> GroupEntry:
    entry = _mapping(entry, GROUP_KEYS, where)
    name = _checked(rules.validate_group_name, _text(entry, "name", where, environ, required=True), where)
    if "discoverable" in entry and not isinstance(entry["discoverable"], bool):
        raise PermissionsFileError(f"{where}: 'discoverable' must be true or false")
    description = _checked(rules.validate_description, _text(entry, "description", where, environ), where)
    return GroupEntry(where=where, group_name=name, description=description or "")


def _section(document: dict, key: str, source: str) -> list:
    value = document.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise PermissionsFileError(f"{source}: {key!r} must be a list of entries")
    return value


def _keep_one(entries: dict, name: str, entry, what: str) -> None:
    """A user or group may be listed again (across files) only with the same definition."""
    previous = entries.get(name)
    if previous is None:
        entries[name] = entry
    elif {**vars(previous), "where": ""} != {**vars(entry), "where": ""}:
        raise PermissionsFileError(f"{entry.where}: {what} {name!r} is already defined differently at {previous.where}")


def parse_document(document: object, source: str, config: Optional[PermissionsConfig] = None,
                   environ: Optional[Mapping[str, str]] = None) -> PermissionsConfig:
    """Add the entries of one loaded YAML document to ``config`` (a new one when None)."""
    environ = os.environ if environ is None else environ
    config = PermissionsConfig() if config is None else config
    config.sources.append(source)
    if document is None:
        return config
    if not isinstance(document, dict):
        raise PermissionsFileError(f"{source}: expected a mapping with 'permissions', 'users' and/or 'groups'")
    unknown = sorted(str(key) for key in document if key not in {"permissions", "users", "groups"} | IGNORED_SECTIONS)
    if unknown:
        raise PermissionsFileError(f"{source}: unknown section(s) {', '.join(unknown)}")
    for index, entry in enumerate(_section(document, "groups", source)):
        group = parse_group_entry(entry, f"{source}: groups[{index}]", environ)
        _keep_one(config.groups, group.group_name, group, "group")
    for index, entry in enumerate(_section(document, "users", source)):
        user = parse_user_entry(entry, f"{source}: users[{index}]", environ)
        _keep_one(config.users, user.user_name, user, "user")
    config.permissions.extend(parse_permission_entry(entry, f"{source}: permissions[{index}]", environ)
                              for index, entry in enumerate(_section(document, "permissions", source)))
    return config


def config_files(path: str) -> List[str]:
    """The file itself, or the ``.cfg`` files of a directory in name order."""
    if os.path.isdir(path):
        return [os.path.join(path, name) for name in sorted(os.listdir(path))
                if name.endswith(".cfg") and os.path.isfile(os.path.join(path, name))]
    return [path]


def _yaml_problem(exc: Exception) -> str:
    """Where and what, without quoting the file (its line could hold a password)."""
    mark, problem = getattr(exc, "problem_mark", None), getattr(exc, "problem", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{where}: {problem}" if problem else where


def load_permissions_config(path: str, environ: Optional[Mapping[str, str]] = None) -> PermissionsConfig:
    """Read and check every file of ``path``; the first problem raises :class:`PermissionsFileError`."""
    config = PermissionsConfig()
    for file_path in config_files(path):
        try:
            with open(file_path, encoding="utf-8") as stream:
                document = yaml.safe_load(stream)
        except OSError as exc:
            raise PermissionsFileError(f"{file_path}: cannot read ({exc.strerror})") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise PermissionsFileError(f"{file_path}: not valid YAML{_yaml_problem(exc)}") from None
        parse_document(document, file_path, config, environ)
    return config
