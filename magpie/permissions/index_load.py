"""What the decision index reads, in a handful of plain statements over one consistent snapshot.

The index reads through a DBAPI connection of its own (outside the engine's pool) so that a
rebuild sees one snapshot: a read-only REPEATABLE READ transaction on PostgreSQL, an explicit
``BEGIN`` on SQLite (whose Python driver opens none for reads). Rows are read raw: 100,000
resources or 10,000 permissions cost more in SQLAlchemy's row processing than in the database.
"""
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Set, Tuple

from magpie import models
from magpie.gc_pause import gc_paused
from magpie.permissions.resolution import AppliedPermission, Principal
from magpie.permissions.values import Permission, parse_stored

_T = {name: model.__table__.name for name, model in (
    ("users", models.User), ("groups", models.Group), ("members", models.UserGroup),
    ("user_perms", models.UserResourcePermission), ("group_perms", models.GroupResourcePermission),
    ("resources", models.Resource), ("services", models.Service), ("audit", models.AuditEntry),
    ("version", models.AclVersion))}

VERSION_SQL = f"SELECT version FROM {_T['version']} WHERE id = 1"
PERMISSIONS_SQL = (
    f"SELECT 'user', p.user_id, u.user_name, p.resource_id, p.perm_name FROM {_T['user_perms']} p "
    f"JOIN {_T['users']} u ON u.id = p.user_id UNION ALL "
    f"SELECT 'group', p.group_id, g.group_name, p.resource_id, p.perm_name FROM {_T['group_perms']} p "
    f"JOIN {_T['groups']} g ON g.id = p.group_id")
# who and what, in one statement: groups, memberships, users, services (names to ids)
NAMES_SQL = (f"SELECT 'g', id, NULL, group_name FROM {_T['groups']} UNION ALL "
             f"SELECT 'm', user_id, group_id, NULL FROM {_T['members']} UNION ALL "
             f"SELECT 'u', id, NULL, user_name FROM {_T['users']} UNION ALL "
             f"SELECT 's', resource_id, NULL, resource_name FROM {_T['resources']} WHERE resource_type = 'service'")
SERVICE_SQL = (f"SELECT s.type, r.resource_name FROM {_T['services']} s JOIN {_T['resources']} r "
               f"ON r.resource_id = s.resource_id WHERE s.resource_id = {{p}}")
PERMISSIONS_ON_SQL = " UNION ALL ".join(
    f"{part} WHERE p.resource_id IN ({{ids}})" for part in PERMISSIONS_SQL.split(" UNION ALL "))
TREE_SQL = (f"SELECT resource_id, parent_id, resource_name, resource_type FROM {_T['resources']} "
            f"WHERE root_service_id = {{p}}")


class Reader:
    """One snapshot on a raw DBAPI connection: ``one`` and ``all`` run a statement whose
    parameters are written ``{p}`` (the driver's placeholder is filled in)."""

    def __init__(self, cursor, placeholder: str, dialect: str):
        self.cursor, self.placeholder, self.dialect = cursor, placeholder, dialect

    def all(self, sql: str, *params) -> List[tuple]:
        self.cursor.execute(sql.replace("{p}", self.placeholder), params)
        return self.cursor.fetchall()

    def one(self, sql: str, *params) -> Optional[tuple]:
        rows = self.all(sql, *params)
        return rows[0] if rows else None

    def version(self) -> Optional[int]:
        row = self.one(VERSION_SQL)
        return None if row is None else int(row[0])


@dataclass
class AclData:
    """Applied permissions by resource, who belongs to which group, and the ids of user and
    service names (so that a decision asked by name needs no query)."""
    applied: Dict[int, Tuple[AppliedPermission, ...]]
    group_names: Dict[int, str]
    groups_of: Dict[int, Tuple[int, ...]]  # user id -> group ids (rows of users_groups)
    user_ids: Dict[str, int] = field(default_factory=dict)
    service_ids: Dict[str, int] = field(default_factory=dict)

    def find(self, names: Dict[str, int], ref: str) -> Optional[int]:
        """The id a client's reference names: an id (all digits) that exists, else a name."""
        if ref.isascii() and ref.isdigit():
            return int(ref) if int(ref) in self.known_ids(names) else None
        return names.get(ref)

    def known_ids(self, names: Dict[str, int]) -> Set[int]:
        key = "_ids_of_users" if names is self.user_ids else "_ids_of_services"
        ids = self.__dict__.get(key)
        if ids is None:
            ids = self.__dict__[key] = set(names.values())
        return ids


def load_acl(reader: Reader) -> AclData:
    """Every applied permission, membership, user and service name, in two statements."""
    permission_rows, name_rows = reader.all(PERMISSIONS_SQL), reader.all(NAMES_SQL)
    with gc_paused():  # tens of thousands of small objects, no cycles: see magpie.gc_pause
        return AclData(_applied_from(permission_rows), *_names_from(name_rows))


def update_acl(reader: Reader, old: AclData, resource_ids: Set[int], names: bool) -> AclData:
    """``old`` with the permissions of ``resource_ids`` read again (all of them, whoever they
    are applied to), and the names and memberships when ``names``: what a grant costs."""
    rows = reader.all(PERMISSIONS_ON_SQL.replace("{ids}", ", ".join(str(int(i)) for i in resource_ids))) \
        if resource_ids else []
    name_rows = reader.all(NAMES_SQL) if names else None
    with gc_paused():
        applied = dict(old.applied)
        for resource_id in resource_ids:
            applied.pop(resource_id, None)
        applied.update(_applied_from(rows))
        if name_rows is None:
            return AclData(applied, old.group_names, old.groups_of, old.user_ids, old.service_ids)
        return AclData(applied, *_names_from(name_rows))


def _applied_from(permission_rows: List[tuple]) -> Dict[int, Tuple[AppliedPermission, ...]]:
    parsed: Dict[str, Optional[Permission]] = {}
    principals: Dict[Tuple[str, int], Principal] = {}
    applied: Dict[int, List[AppliedPermission]] = {}
    for kind, principal_id, name, resource_id, perm_name in permission_rows:
        permission = parsed.get(perm_name, False)
        if permission is False:
            permission = parsed[perm_name] = parse_stored(perm_name)
        if permission is None:
            continue
        principal = principals.get((kind, principal_id))
        if principal is None:
            principal = principals[(kind, principal_id)] = Principal(kind, principal_id, name)
        applied.setdefault(resource_id, []).append(AppliedPermission(principal, permission))
    return {rid: tuple(items) for rid, items in applied.items()}


def _names_from(name_rows: List[tuple]) -> tuple:
    group_names: Dict[int, str] = {}
    groups_of: Dict[int, List[int]] = {}
    names: Dict[str, Dict[str, int]] = {"u": {}, "s": {}}
    for kind, row_id, group_id, name in name_rows:
        if kind == "m":
            groups_of.setdefault(row_id, []).append(group_id)
        elif kind == "g":
            group_names[row_id] = name
        else:
            names[kind][name] = row_id
    return group_names, {uid: tuple(ids) for uid, ids in groups_of.items()}, names["u"], names["s"]


class ServiceTree:
    """A service's local tree: each resource's parent and type, and children by name."""

    __slots__ = ("service_id", "service_type", "parent", "rtype", "name", "children")

    def __init__(self, service_id: int, service_type: str, rows: Iterable[tuple], service_name: str = ""):
        self.service_id, self.service_type = service_id, service_type
        self.parent: Dict[int, Optional[int]] = {service_id: None}
        self.rtype: Dict[int, str] = {service_id: "service"}
        self.name: Dict[int, str] = {service_id: service_name}
        self.children: Dict[int, Dict[str, int]] = {}
        for resource_id, parent_id, name, resource_type in rows:
            self.parent[resource_id] = parent_id
            self.rtype[resource_id] = resource_type
            self.name[resource_id] = name
            siblings = self.children.get(parent_id)
            if siblings is None:
                siblings = self.children[parent_id] = {}
            siblings[name] = resource_id

    def lookup(self, segments: Iterable[str]) -> Tuple[int, bool]:
        """The resource a path names, or its nearest registered ancestor: (id, whether exact)."""
        current = self.service_id
        children = self.children
        for segment in segments:
            below = children.get(current)
            found = below.get(segment) if below is not None else None
            if found is None:
                return current, False
            current = found
        return current, True


def load_tree(reader: Reader, service_id: int) -> Optional[ServiceTree]:
    """The service's local tree (None when the service no longer exists)."""
    row = reader.one(SERVICE_SQL, service_id)
    if row is None:
        return None
    rows = reader.all(TREE_SQL, service_id)
    with gc_paused():
        return ServiceTree(service_id, row[0], rows, row[1])
