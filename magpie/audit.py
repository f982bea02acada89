"""The access-control audit log and version counter, written in the transaction of the change.

Every change to access-control data (users, groups, memberships, applied permissions, local
resources, syncs) calls :func:`record`, which appends one entry and bumps the version counter
that decision indexes compare against. Both happen in the caller's transaction: a change that
rolls back leaves neither an entry nor a version bump behind.
"""
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie import models

#: The actor of changes made by the application itself (start-up, files applied at start-up).
SYSTEM = "system"


def record(session: Session, actor: Optional[str], action: str, *, service_id: Optional[int] = None,
           resource_id: Optional[int] = None, user_name: Optional[str] = None, group_name: Optional[str] = None,
           before: Optional[dict] = None, after: Optional[dict] = None, changes_access: bool = True) -> None:
    """Append one audit entry (``action`` such as ``permission.grant``, ``user.delete``) and, when
    the change can alter a decision (``changes_access``), bump the access-control version.

    ``before`` and ``after`` are JSON-ready dicts of the state around the change; they must never
    hold a secret (a password is recorded as ``"password": "changed"``).
    """
    # ORM statements, so zope.sqlalchemy sees the session changed and commits it.
    session.add(models.AuditEntry(
        at=models.utcnow(), actor=(actor or SYSTEM)[:128], action=action, service_id=service_id,
        resource_id=resource_id, user_name=user_name, group_name=group_name, before=before, after=after))
    if changes_access:
        bump_acl_version(session)


def bump_acl_version(session: Session) -> None:
    """Count one more change to access-control data; committed with the caller's transaction."""
    session.execute(sa.update(models.AclVersion).where(models.AclVersion.id == 1)
                    .values(version=models.AclVersion.version + 1).execution_options(synchronize_session=False))


def acl_version(session_or_connection) -> int:
    """The committed count of access-control changes (0 on a fresh database)."""
    return session_or_connection.execute(
        sa.select(models.AclVersion.version).where(models.AclVersion.id == 1)).scalar() or 0
