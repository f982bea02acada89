"""Small builders so each resolution test reads like the tree it describes."""
from magpie.permissions import AppliedPermission, Level, Permission, Principal


def user(id_: int, name: str) -> Principal:
    return Principal("user", id_, name)


def group(id_: int, name: str, special=None) -> Principal:
    return Principal("group", id_, name, special)


def applied(principal: Principal, permission: str) -> AppliedPermission:
    return AppliedPermission(principal, Permission.parse(permission))


def level(resource_id, *entries: AppliedPermission) -> Level:
    return Level(resource_id, tuple(entries))


ANONYMOUS = group(1, "anonymous", "anonymous")
AUTHENTICATED = group(2, "users", "authenticated")
ADMINISTRATORS = group(3, "administrators", "administrators")
