"""Sign-in state kept in the database, so every app process sees it and a restart forgets none:
failed sign-ins per account (the lockout) and the server-side sessions a cookie names."""
import sqlalchemy as sa

from magpie.models.base import Base, UTCDateTime


class SignInFailures(Base):
    """Failed sign-ins of one account since its last success; ``locked_until`` is set when they
    reach the limit (``magpie.signin.max_failures``)."""

    __tablename__ = "sign_in_failures"

    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE", onupdate="CASCADE"),
                        primary_key=True)
    failures = sa.Column(sa.Integer, nullable=False, default=0)
    last_failure = sa.Column(UTCDateTime, nullable=False)
    locked_until = sa.Column(UTCDateTime, nullable=True)


class UserSession(Base):
    """A signed-in browser session: the cookie carries a random token, this row its SHA-256. Sign-out
    deletes the row, so a replayed cookie is worthless; ``expires`` bounds it whatever the cookie."""

    __tablename__ = "user_sessions"

    token_hash = sa.Column(sa.Unicode(64), primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE", onupdate="CASCADE"),
                        nullable=False, index=True)
    created = sa.Column(UTCDateTime, nullable=False)
    expires = sa.Column(UTCDateTime, nullable=False)
