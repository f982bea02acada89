"""A database with the two services the example files name, and a picture of everything a
permissions file can change, to tell "applied", "unchanged" and "nothing changed"."""
from pathlib import Path

import pytest
import sqlalchemy as sa

from magpie import audit, models

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "permissions"
EXAMPLE = FIXTURES / "permissions.cfg"
ALICE_PASSWORD = "alice-from-the-environment"


@pytest.fixture
def services(add_service):
    return {"thredds": add_service(name="thredds", type_="thredds"),
            "geoserver": add_service(name="geoserver", type_="geoserver", sync_type=None)}


@pytest.fixture
def alice_password(monkeypatch):
    monkeypatch.setenv("ALICE_PASSWORD", ALICE_PASSWORD)
    return ALICE_PASSWORD


def paths_by_id(session) -> dict:
    """``{resource_id: "service/a/b"}`` of every resource."""
    rows = session.execute(sa.select(models.Resource.resource_id, models.Resource.parent_id,
                                     models.Resource.resource_name)).all()
    by_id = {row.resource_id: row for row in rows}
    result = {}
    for row in rows:
        names, current = [row.resource_name], row
        while current.parent_id is not None:
            current = by_id[current.parent_id]
            names.append(current.resource_name)
        result[row.resource_id] = "/".join(reversed(names))
    return result


def snapshot(session, tm) -> dict:
    """Users, groups, memberships, resources, applied permissions, audit entries, ACL version."""
    with tm:
        paths = paths_by_id(session)
        user, group, resource = models.User, models.Group, models.Resource
        upr, gpr = models.UserResourcePermission, models.GroupResourcePermission
        return {
            "users": sorted(session.execute(sa.select(user.user_name)).scalars()),
            "groups": sorted(session.execute(sa.select(group.group_name)).scalars()),
            "memberships": sorted(session.execute(
                sa.select(user.user_name, group.group_name)
                .join(models.UserGroup, models.UserGroup.user_id == user.id)
                .join(group, group.id == models.UserGroup.group_id)).all()),
            "resources": {paths[rid]: kind for rid, kind in session.execute(
                sa.select(resource.resource_id, resource.resource_type))},
            "user_permissions": sorted((name, paths[rid], perm) for name, rid, perm in session.execute(
                sa.select(user.user_name, upr.resource_id, upr.perm_name).join(user, user.id == upr.user_id))),
            "group_permissions": sorted((name, paths[rid], perm) for name, rid, perm in session.execute(
                sa.select(group.group_name, gpr.resource_id, gpr.perm_name).join(group, group.id == gpr.group_id))),
            "audit_entries": session.execute(sa.select(sa.func.count()).select_from(models.AuditEntry)).scalar(),
            "acl_version": audit.acl_version(session),
        }
