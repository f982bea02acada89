"""Credentials of a service (HTTP basic, a bearer token or named headers), sealed with the
secrets key (:mod:`magpie.crypto`): the table holds the kind in clear, for the pages and the API
to say what is set, and the values only encrypted."""
import sqlalchemy as sa

from magpie.models.base import Base, UTCDateTime


class ServiceCredential(Base):
    __tablename__ = "service_credentials"

    service_id = sa.Column(sa.Integer(), sa.ForeignKey("services.resource_id", ondelete="CASCADE"),
                           primary_key=True)
    kind = sa.Column(sa.Unicode(16), nullable=False)  # basic, bearer or headers
    #: The Fernet token of the values as JSON; never the values themselves.
    sealed = sa.Column(sa.UnicodeText(), nullable=False)
    set_at = sa.Column(UTCDateTime(), nullable=False)
