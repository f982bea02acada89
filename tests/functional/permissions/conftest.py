"""Applied permissions through the real WSGI app and a real THREDDS server, on SQLite and
PostgreSQL. Users, groups and memberships are written to the database directly, so these tests
depend on nothing but the permission routes."""
import pytest
import sqlalchemy as sa

from magpie import models
from magpie.accounts import users
from tests.functional.api.conftest import (  # noqa: F401  the app and administrator fixtures
    Api, admin_auth, api, app, app_settings, basic, create_service, wsgi_app,
)
from tests.support.thredds_catalogs import catalog_xml

#: The remote THREDDS tree: thredds > a > (x.nc, y.nc), b > z.nc
FILES = [("x.nc", "a/x.nc"), ("y.nc", "a/y.nc"), ("z.nc", "b/z.nc")]


@pytest.fixture
def principals(session, tm):
    """``make(users={"alice": ["team"]}, groups=["team"])``: creates the groups, then the users with
    their memberships; returns ``{name: id}`` of both."""
    def make(users_groups=None, groups=()) -> dict:
        ids = {}
        with tm:
            by_name = {g.group_name: g for g in session.execute(sa.select(models.Group)).scalars()}
            for name in groups:
                if name not in by_name:
                    by_name[name] = models.Group(group_name=name)
                    session.add(by_name[name])
            session.flush()
            for name, member_of in (users_groups or {}).items():
                user = models.User(user_name=name, email=f"{name}@example.invalid", status=1)
                users.UserService.set_password(user, f"{name}-password-1")
                session.add(user)
                session.flush()
                ids[name] = user.id
                for group_name in member_of:
                    session.add(models.UserGroup(user_id=user.id, group_id=by_name[group_name].id))
            ids.update({name: group.id for name, group in by_name.items()})
        return ids

    return make


def credentials(user_name: str) -> dict:
    return basic(user_name, f"{user_name}-password-1")


@pytest.fixture
def thredds(remote, create_service, api):
    """A synced THREDDS service (``a/x.nc``, ``a/y.nc``, ``b/z.nc``)."""
    files = list(FILES)
    remote.add("/thredds/catalog.xml", lambda: catalog_xml(files=list(files)))
    service = create_service("thredds", url=remote.url + "/thredds")
    service["files"] = files
    api.post("/services/thredds/sync?wait=true")
    return service


@pytest.fixture
def stored(session, tm):
    """``(principal name, resource id, perm_name)`` of every applied permission, sorted."""
    def read() -> list:
        with tm:
            upr, gpr = models.UserResourcePermission, models.GroupResourcePermission
            rows = session.execute(sa.select(models.User.user_name, upr.resource_id, upr.perm_name)
                                   .join(models.User, models.User.id == upr.user_id)).all()
            rows += session.execute(sa.select(models.Group.group_name, gpr.resource_id, gpr.perm_name)
                                    .join(models.Group, models.Group.id == gpr.group_id)).all()
            return sorted(tuple(row) for row in rows)

    return read


def add(api, service: str, name: str, resource_type: str, parent_id=None) -> int:
    body = {"resource_name": name, "resource_type": resource_type}
    if parent_id:
        body["parent_id"] = parent_id
    return api.post(f"/services/{service}/resources", body, status=201).json["resource"]["resource_id"]


def find(tree: dict, *path: str) -> dict:
    node = {"children": tree}
    for name in path:
        node = node["children"][name]
    return node
