"""An access-control world written straight into the tables (each change through
``magpie.audit.record``, as the application writes it), and a fresh decision index per test."""
from typing import Dict, Optional, Tuple

import pytest
import sqlalchemy as sa
from ziggurat_foundations.models.services.user import UserService

from magpie import audit, db, models
from magpie.config import load_settings
from magpie.permissions import index

SPECIAL = {"administrators": "administrators", "anonymous": "anonymous", "users": "users"}


def decision_settings():
    """Typed settings with the default special group names (no administrator needed here)."""
    return load_settings({"magpie.environment": "test", "magpie.secret": "s" * 40})


class World:
    """Services, resources, users, groups and applied permissions, each call committed."""

    def __init__(self, session, tm):
        self.session, self.tm = session, tm
        self.groups: Dict[str, int] = {}
        self.users: Dict[str, int] = {}
        self.user_models: Dict[str, models.User] = {}
        with tm:  # the served app creates them at start-up; in-process tests here
            for name in SPECIAL.values():
                found = session.execute(sa.select(models.Group.id).where(models.Group.group_name == name)).scalar()
                self.groups[name] = found if found is not None else self._add(models.Group(group_name=name)).id

    def _add(self, row):
        self.session.add(row)
        self.session.flush()
        return row

    def service(self, name: str = "thredds", type_: str = "thredds") -> int:
        with self.tm:
            service = self._add(models.Service(resource_name=name, type=type_, url=f"http://127.0.0.1:9/{name}"))
            audit.record(self.session, "test", "service.create", service_id=service.resource_id)
            return service.resource_id

    def path(self, service_id: int, path: str, leaf_type: str = "file", dir_type: str = "directory") -> int:
        """Create what is missing of ``a/b/c`` below the service; returns the last id."""
        with self.tm:
            parent = service_id
            names = path.split("/")
            for depth, name in enumerate(names):
                found = self.session.execute(sa.select(models.Resource.resource_id).where(
                    models.Resource.parent_id == parent, models.Resource.resource_name == name)).scalar()
                if found is None:
                    cls = models.RESOURCE_TYPES[leaf_type if depth == len(names) - 1 else dir_type]
                    found = self._add(cls(resource_name=name, parent_id=parent, root_service_id=service_id)).resource_id
                    audit.record(self.session, "test", "resource.create", service_id=service_id, resource_id=found)
                parent = found
            return parent

    def group(self, name: str) -> int:
        with self.tm:
            self.groups[name] = self._add(models.Group(group_name=name)).id
            audit.record(self.session, "test", "group.create", group_name=name)
        return self.groups[name]

    def user(self, name: str, *groups: str, password: Optional[str] = None) -> models.User:
        with self.tm:
            user = models.User(user_name=name, email=f"{name}@example.invalid", status=1)
            if password is not None:
                UserService.set_password(user, password)
            self._add(user)
            for group in groups:
                self.session.add(models.UserGroup(user_id=user.id, group_id=self.groups[group]))
            audit.record(self.session, "test", "user.create", user_name=name)
            self.users[name] = user.id
            self.user_models[name] = user
        return user

    def member(self, user: str, group: str) -> None:
        with self.tm:
            self.session.add(models.UserGroup(user_id=self.users[user], group_id=self.groups[group]))
            audit.record(self.session, "test", "membership.add", user_name=user, group_name=group)

    def _principal(self, principal: str) -> Tuple[type, dict]:
        kind, name = principal.split(":", 1)
        if kind == "user":
            return models.UserResourcePermission, {"user_id": self.users[name]}
        return models.GroupResourcePermission, {"group_id": self.groups[name]}

    def grant(self, principal: str, resource_id: int, perm_name: str) -> None:
        """``principal`` is ``user:alice`` or ``group:editors``; ``perm_name`` Magpie's explicit form."""
        table, key = self._principal(principal)
        with self.tm:
            self.session.add(table(resource_id=resource_id, perm_name=perm_name, **key))
            audit.record(self.session, "test", "permission.grant", resource_id=resource_id)

    def revoke(self, principal: str, resource_id: int, perm_name: str) -> None:
        table, key = self._principal(principal)
        with self.tm:
            self.session.execute(sa.delete(table).where(table.resource_id == resource_id, table.perm_name == perm_name,
                                                        *[getattr(table, k) == v for k, v in key.items()]))
            audit.record(self.session, "test", "permission.revoke", resource_id=resource_id)

    def get_user(self, name: Optional[str]) -> Optional[models.User]:
        """The user row (loaded when created; sessions here do not expire rows on commit)."""
        return None if name is None else self.user_models[name]


def ensure_version_row(url: str) -> None:
    """The suite empties every table between PostgreSQL tests, the version row included."""
    with db.get_engine({"sqlalchemy.url": url}).begin() as connection:
        if connection.execute(sa.select(models.AclVersion.id)).first() is None:
            connection.execute(sa.insert(models.AclVersion).values(id=1, version=0))


@pytest.fixture
def world(session, tm, db_url):
    ensure_version_row(db_url)
    engine = db.get_engine({"sqlalchemy.url": db_url})
    index.forget(engine)  # the PostgreSQL engine outlives a test; its index must not
    yield World(session, tm)
    index.forget(engine)


@pytest.fixture
def magpie_settings():
    return decision_settings()
