"""Applied permission values: a name with an access and a scope, and their Magpie representations.

Magpie 3 stores a permission as ``name-access-scope`` (its *explicit* form, e.g.
``read-deny-match``) and still accepts and lists the pre-3.0 *implicit* form: a bare name means
allow, recursive, and ``name-match`` means allow, match. A deny has no implicit form, since
older clients would read a bare name as a grant. API answers carry both: ``permission_names``
(implicit and explicit strings) and ``permissions`` (JSON objects with ``type`` and ``reason``).
"""
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from magpie.permissions.names import ALL_PERMISSION_NAMES


class Access(StrEnum):
    """Whether the permission grants or refuses; Magpie refuses whatever is not granted."""
    ALLOW = "allow"
    DENY = "deny"


class Scope(StrEnum):
    """Whether the permission holds on its resource only, or also on every resource below it."""
    MATCH = "match"
    RECURSIVE = "recursive"


# Magpie's ``type`` field: which kind of permission a JSON object describes
PERMISSION_TYPES = ("access", "allowed", "applied", "direct", "inherited", "effective", "owned")


class InvalidPermission(ValueError):
    """A value that is not a permission (unknown name, access or scope, or a malformed string)."""


@dataclass(frozen=True, slots=True)
class Permission:
    """One applied permission: ``name``, with ``access`` and ``scope`` (default allow, recursive).

    ``deny`` and ``match`` are the two modifiers as booleans, computed once, because effective
    resolution tests them for every applied permission it walks past.
    """
    name: str
    access: Access = Access.ALLOW
    scope: Scope = Scope.RECURSIVE
    deny: bool = field(init=False, repr=False, compare=False)
    match: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or self.name not in ALL_PERMISSION_NAMES:
            raise InvalidPermission(f"unknown permission name {self.name!r}")
        access, scope = _enum(Access, self.access), _enum(Scope, self.scope)
        object.__setattr__(self, "access", access)
        object.__setattr__(self, "scope", scope)
        object.__setattr__(self, "deny", access is Access.DENY)
        object.__setattr__(self, "match", scope is Scope.MATCH)

    @classmethod
    def parse(cls, value: Union["Permission", str, Mapping[str, Any]]) -> "Permission":
        """Read any form Magpie accepts: ``read``, ``read-match``, ``read-deny``,
        ``read-deny-match``, or ``{"name", "access", "scope"}`` (missing modifiers default to
        allow and recursive; ``type`` and ``reason`` are ignored, so ``as_json`` reads back).
        """
        if isinstance(value, Permission):
            return value
        try:
            if isinstance(value, str):
                return _parse_string(value)
            if isinstance(value, Mapping):
                return _parse_mapping(value)
        except InvalidPermission as exc:
            raise InvalidPermission(f"invalid permission {value!r}: {exc}") from None
        raise InvalidPermission(
            f"invalid permission {value!r}: expected a string or an object with a 'name', "
            f"got {type(value).__name__}")

    @property
    def explicit(self) -> str:
        """``name-access-scope``: the stored form, always defined."""
        return f"{self.name}-{self.access.value}-{self.scope.value}"

    @property
    def implicit(self) -> Optional[str]:
        """The pre-3.0 form: ``name`` (allow, recursive), ``name-match`` (allow, match), or None
        for a deny, which had no such form (Magpie omits it rather than list a bare name)."""
        if self.deny:
            return None
        return f"{self.name}-{Scope.MATCH.value}" if self.match else self.name

    def __str__(self) -> str:
        return self.explicit

    def as_json(self, type_: str = "applied", reason: Optional[str] = None) -> Dict[str, str]:
        """Magpie's permission object; ``reason`` is left out when None, as Magpie does."""
        if type_ not in PERMISSION_TYPES:
            raise ValueError(f"unknown permission type {type_!r}; expected one of {PERMISSION_TYPES}")
        body = {"name": self.name, "access": self.access.value, "scope": self.scope.value, "type": type_}
        if reason:
            body["reason"] = reason
        return body

    def sort_key(self) -> Tuple[str, bool, bool]:
        """Magpie's listing order: by name, then allow-match, allow-recursive, deny-match,
        deny-recursive (lowest to highest priority among one principal's permissions)."""
        return self.name, self.deny, not self.match


def _enum(kind, value):
    try:
        return kind(value.lower() if isinstance(value, str) else value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidPermission(f"unknown {kind.__name__.lower()} {value!r} (expected {allowed})") from None


_ACCESSES = frozenset(access.value for access in Access)
_SCOPES = frozenset(scope.value for scope in Scope)


def _parse_string(text: str) -> Permission:
    parts = text.strip().lower().split("-")
    if len(parts) == 1:
        return Permission(parts[0])
    if len(parts) == 2:
        name, modifier = parts
        if modifier in _SCOPES:  # the pre-3.0 "read-match"
            return Permission(name, Access.ALLOW, Scope(modifier))
        if modifier in _ACCESSES:
            return Permission(name, Access(modifier), Scope.RECURSIVE)
        raise InvalidPermission(
            f"{modifier!r} is neither an access (allow, deny) nor a scope (match, recursive)")
    if len(parts) == 3:
        return Permission(parts[0], _enum(Access, parts[1]), _enum(Scope, parts[2]))
    raise InvalidPermission("expected 'name', 'name-scope', 'name-access' or 'name-access-scope'")


def _parse_mapping(value: Mapping[str, Any]) -> Permission:
    name = value.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidPermission("the object has no 'name' string")
    access, scope = value.get("access"), value.get("scope")
    return Permission(name.strip().lower(),
                      Access.ALLOW if access is None else _enum(Access, access),
                      Scope.RECURSIVE if scope is None else _enum(Scope, scope))


PermissionInput = Union[Permission, str, Mapping[str, Any]]


def parse_stored(perm_name: str) -> Optional[Permission]:
    """A stored ``perm_name``, or None when it no longer parses (a name no service type carries
    any more): such a row grants nothing and is skipped, not fatal."""
    try:
        return Permission.parse(perm_name)
    except InvalidPermission:
        return None


def format_permissions(
    permissions: Iterable[Union[PermissionInput, Tuple[PermissionInput, Optional[str]]]],
    type_: str = "applied",
) -> Dict[str, List[Any]]:
    """Both representations of a list, as Magpie answers: ``permission_names`` and ``permissions``.

    Items are permissions, or ``(permission, reason)`` pairs. Duplicates (same name, access and
    scope) are dropped, the first reason kept; the order is :meth:`Permission.sort_key`. Each
    implicit name comes right before its explicit one, so ``permission_names`` holds equivalent
    strings on purpose. For ``type_="allowed"`` only the names count: each is listed with every
    access and scope, since any of them may be applied.
    """
    reasons: Dict[Permission, Optional[str]] = {}
    for item in permissions:
        value, reason = item if isinstance(item, tuple) else (item, None)
        reasons.setdefault(Permission.parse(value), reason)
    if type_ == "allowed":
        names = dict.fromkeys(permission.name for permission in reasons)
        reasons = {Permission(name, access, scope): None
                   for name in names for access in Access for scope in Scope}
    ordered = sorted(reasons, key=Permission.sort_key)
    names_out: List[str] = []
    for permission in ordered:
        implicit = permission.implicit
        if implicit is not None and implicit not in names_out:
            names_out.append(implicit)
        names_out.append(permission.explicit)
    return {
        "permission_names": names_out,
        "permissions": [permission.as_json(type_, reasons[permission]) for permission in ordered],
    }
