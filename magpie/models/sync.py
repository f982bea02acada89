"""What the sync stores: the remote tree of each service, its sync status, the history of runs and
the lock row that keeps two syncs of one service apart on SQLite."""
import sqlalchemy as sa

from magpie.models.base import NAME_LENGTH, Base, UTCDateTime


class RemoteResource(Base):
    """One node of the tree last crawled from a service. Rows keep their id across syncs for as
    long as the node exists remotely, so a page opened before a sync still names the same node."""

    __tablename__ = "remote_resources"
    # sqlite_autoincrement: SQLite never gives the id of a removed node to a new one.
    __table_args__ = (sa.UniqueConstraint("service_id", "parent_id", "resource_name",
                                          name="uq_remote_resources_sibling_name"),
                      {"sqlite_autoincrement": True})

    resource_id = sa.Column(sa.Integer(), primary_key=True, autoincrement=True)
    # No index of its own: uq_remote_resources_sibling_name leads with service_id and serves it.
    service_id = sa.Column(
        sa.Integer(), sa.ForeignKey("services.resource_id", onupdate="CASCADE", ondelete="CASCADE"),
        nullable=False,
    )
    parent_id = sa.Column(
        sa.Integer(), sa.ForeignKey("remote_resources.resource_id", onupdate="CASCADE", ondelete="CASCADE"),
        index=True, nullable=True,
    )
    ordering = sa.Column(sa.Integer(), default=0, nullable=False)
    resource_name = sa.Column(sa.Unicode(NAME_LENGTH), nullable=False)
    resource_display_name = sa.Column(sa.Unicode(NAME_LENGTH), nullable=True)
    resource_type = sa.Column(sa.Unicode(30), nullable=False)
    # Set when the last sync could not read this part of the remote tree (a catalog answering
    # 503, a workspace whose layers failed): the node is kept but not judged, never "gone".
    unverified_reason = sa.Column(sa.UnicodeText(), nullable=True)
    # When an unverified node was last seen remotely (None: seen by the last sync).
    last_seen = sa.Column(UTCDateTime(), nullable=True)

    def __repr__(self):
        return f"<RemoteResource {self.resource_type} {self.resource_name!r} id={self.resource_id}>"


class RemoteResourcesSyncInfo(Base):
    """Sync status of one service: the main remote node and how the last attempts went."""

    __tablename__ = "remote_resources_sync_info"

    id = sa.Column(sa.Integer(), primary_key=True, autoincrement=True)
    service_id = sa.Column(
        sa.Integer(), sa.ForeignKey("services.resource_id", onupdate="CASCADE", ondelete="CASCADE"),
        unique=True, nullable=False,
    )
    remote_resource_id = sa.Column(
        sa.Integer(), sa.ForeignKey("remote_resources.resource_id", ondelete="SET NULL"), nullable=True
    )
    last_sync = sa.Column(UTCDateTime(), nullable=True)
    last_attempt = sa.Column(UTCDateTime(), nullable=True)
    last_error = sa.Column(sa.UnicodeText(), nullable=True)
    last_duration = sa.Column(sa.Float(), nullable=True)
    added = sa.Column(sa.Integer(), nullable=True)
    removed = sa.Column(sa.Integer(), nullable=True)
    kept = sa.Column(sa.Integer(), nullable=True)
    unverified = sa.Column(sa.Integer(), nullable=True)  # nodes kept unverified by a partial sync
    partial_reasons = sa.Column(sa.JSON(), nullable=True)  # the first reasons, a list of strings

    def __repr__(self):
        return f"<RemoteResourcesSyncInfo service_id={self.service_id} last_sync={self.last_sync}>"


class SyncRun(Base):
    """One sync attempt of one service, kept for the history an administrator reads when a
    service goes out of sync. Old rows are pruned per service."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        sa.Index("ix_sync_runs_service_id_started", "service_id", "started"),
        # One queued or running job per service, whichever engine runs it (magpie.jobs).
        sa.Index("uq_sync_runs_active_service_id", "service_id", unique=True,
                 sqlite_where=sa.text("status IN ('queued', 'running')"),
                 postgresql_where=sa.text("status IN ('queued', 'running')")),
    )

    id = sa.Column(sa.Integer(), primary_key=True, autoincrement=True)
    service_id = sa.Column(
        sa.Integer(), sa.ForeignKey("services.resource_id", onupdate="CASCADE", ondelete="CASCADE"),
        nullable=False,
    )
    started = sa.Column(UTCDateTime(), nullable=False)  # asked for (a job's run: queued)
    finished = sa.Column(UTCDateTime(), nullable=True)  # None while queued or running
    # queued, running, succeeded, partial, failed, cancelled, interrupted
    status = sa.Column(sa.Unicode(20), nullable=False)
    added = sa.Column(sa.Integer(), nullable=True)
    removed = sa.Column(sa.Integer(), nullable=True)
    kept = sa.Column(sa.Integer(), nullable=True)
    error = sa.Column(sa.UnicodeText(), nullable=True)
    origin = sa.Column(sa.Unicode(20), nullable=True)  # "cron", "api", ...
    # Runs of background jobs (magpie.jobs); a sync of the cron command leaves them at their defaults.
    dry_run = sa.Column(sa.Boolean(), nullable=False, default=False, server_default=sa.false())
    running_since = sa.Column(UTCDateTime(), nullable=True)
    progress = sa.Column(sa.JSON(), nullable=True)  # documents, queued, nodes, bytes, elapsed
    result = sa.Column(sa.JSON(), nullable=True)  # SyncResult.as_dict() at the end
    job_id = sa.Column(sa.BigInteger(), nullable=True)  # procrastinate's job, on PostgreSQL
    cancel_requested = sa.Column(sa.Boolean(), nullable=False, default=False, server_default=sa.false())
    unverified = sa.Column(sa.Integer(), nullable=True)
    partial_reasons = sa.Column(sa.JSON(), nullable=True)


class SyncLock(Base):
    """Lock row used on SQLite (PostgreSQL uses advisory locks) so one service syncs at a time."""

    __tablename__ = "sync_locks"

    service_id = sa.Column(
        sa.Integer(), sa.ForeignKey("services.resource_id", ondelete="CASCADE"), primary_key=True
    )
    owner = sa.Column(sa.Unicode(255), nullable=False)
    acquired_at = sa.Column(UTCDateTime(), nullable=False)
    heartbeat = sa.Column(UTCDateTime(), nullable=True)  # the holder's last sign of life
