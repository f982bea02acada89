"""Who is calling and what they may do: one security policy for the session cookie and HTTP Basic.

Browsers sign in once (``POST /signin``) and carry a signed, HttpOnly, SameSite=Lax cookie; API
clients send HTTP Basic on every call. Both end in the same :class:`Identity`, and views only
declare ``permission="admin"``.

Cross-site requests: a state-changing request authenticated by the cookie must carry the CSRF
token (Pyramid's check, header ``X-CSRF-Token`` or form field ``csrf_token``), and any
state-changing request that a browser marks as cross-site (``Origin`` of another site, or
``Sec-Fetch-Site: cross-site``) is refused whatever its credentials, because browsers also replay
cached Basic credentials. Clients that are not browsers send neither header and need no token
with Basic.

Sessions live on the server too (:mod:`magpie.accounts.sessions`): the cookie names a session row,
so signing out ends it for good. Failed sign-ins, Basic ones included, are throttled by
:mod:`magpie.accounts.signin`; a throttled Basic call is anonymous, and its 401 becomes a 429.
"""
import base64
import binascii
import logging
from dataclasses import dataclass
from typing import Optional, Tuple
from urllib.parse import urlsplit

import sqlalchemy as sa
from pyramid.authorization import ACLHelper, Allow, Authenticated, Everyone
from pyramid.csrf import SessionCSRFStoragePolicy
from pyramid.exceptions import BadCSRFOrigin
from pyramid.session import SignedCookieSessionFactory

from magpie.accounts import sessions, users
from magpie.accounts.signin import REGISTRY_KEY, SignInGuard, SignInThrottled, signin_guard
from magpie.config import settings_of

LOGGER = logging.getLogger(__name__)

SESSION_COOKIE = "magpie_session"
CSRF_HEADER = "X-CSRF-Token"
ADMIN_PERMISSION = "admin"
#: Views of a user's own account: its owner and administrators (see :class:`UserContext`).
SELF_PERMISSION = "self"
#: ``/users/current/...`` names the signed-in user, as in Magpie.
CURRENT_USER = "current"
#: The principal of administrators, whatever their group is called (``magpie.admin_group``).
ADMIN_PRINCIPAL = "role:admin"
SAFE_METHODS = frozenset(["GET", "HEAD", "OPTIONS", "TRACE"])

_IDENTITY_KEY = "magpie.identity"
#: The :class:`SignInThrottled` of a Basic call refused before its password was checked.
THROTTLED_KEY = "magpie.signin_throttled"
_SESSION_TOKEN = "session_token"


@dataclass(frozen=True)
class Identity:
    user_id: int
    user_name: str
    groups: Tuple[str, ...]
    via: str  # "session" or "basic"
    is_admin: bool

    @property
    def principals(self) -> list:
        principals = [Everyone, Authenticated, f"user:{self.user_id}"] + [f"group:{group}" for group in self.groups]
        return principals + [ADMIN_PRINCIPAL] if self.is_admin else principals


class RootFactory:
    """The context of every route: administrators may do everything that needs ``admin``."""

    __acl__ = [(Allow, ADMIN_PRINCIPAL, ADMIN_PERMISSION)]

    def __init__(self, request):
        self.request = request


class UserContext(RootFactory):
    """The context of routes naming a ``{user}``: administrators may do everything, and a signed-in
    user may do what needs ``self`` on its own account (by name, id or ``current``): read and
    change it, read its own permissions."""

    @property
    def __acl__(self):
        acl = [(Allow, ADMIN_PRINCIPAL, (ADMIN_PERMISSION, SELF_PERMISSION))]
        identity = self.request.identity
        ref = (self.request.matchdict or {}).get("user")
        if identity is not None and ref in (identity.user_name, str(identity.user_id), CURRENT_USER):
            acl.append((Allow, f"user:{identity.user_id}", SELF_PERMISSION))
        return acl


def parse_basic_authorization(header: Optional[str]) -> Optional[Tuple[str, str]]:
    """(user name, password) of an ``Authorization: Basic`` header, or None."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user_name, colon, password = decoded.partition(":")
    if not colon:
        return None
    return user_name, password


class MagpieSecurityPolicy:
    """Session cookie first, then HTTP Basic; permissions from the ACL of the context."""

    def __init__(self):
        self.acl = ACLHelper()

    def _identity_from_user(self, request, user, via: str) -> Identity:
        groups = tuple(users.group_names(request.dbsession, user))
        return Identity(user_id=user.id, user_name=user.user_name, groups=groups, via=via,
                        is_admin=settings_of(request.registry).admin_group in groups)

    def _load_identity(self, request) -> Optional[Identity]:
        credentials = parse_basic_authorization(request.headers.get("Authorization"))
        if credentials is not None:
            try:
                user = signin_guard(request.registry).authenticate(request.dbsession, *credentials,
                                                                   address=request.remote_addr)
            except SignInThrottled as exc:
                request.environ[THROTTLED_KEY] = exc
                return None
            return self._identity_from_user(request, user, "basic") if user is not None else None
        if SESSION_COOKIE not in request.cookies:
            return None  # do not create a session (and a cookie) for anonymous API calls
        user_id = request.session.get("user_id")
        if not isinstance(user_id, int):
            return None
        user = users.get_active_user(request.dbsession, user_id)
        # A password change regenerates the security code, which ends the sessions opened before.
        if user is None or request.session.get("security_code") != user.security_code or \
                not sessions.is_open(request.dbsession, request.session.get(_SESSION_TOKEN), user.id):
            return None
        return self._identity_from_user(request, user, "session")

    def identity(self, request) -> Optional[Identity]:
        if _IDENTITY_KEY not in request.environ:
            request.environ[_IDENTITY_KEY] = self._load_identity(request)
        return request.environ[_IDENTITY_KEY]

    def authenticated_userid(self, request) -> Optional[int]:
        """Also asked by pyramid_tm before any exception view can answer: a database outage here
        would reach the client as the server's plain 500, so it is left to the view to meet."""
        try:
            identity = self.identity(request)
        except sa.exc.SQLAlchemyError:
            LOGGER.warning("cannot tell who is calling %s: the database is unavailable", request.path)
            return None
        return identity.user_id if identity is not None else None

    def permits(self, request, context, permission):
        identity = self.identity(request)
        principals = identity.principals if identity is not None else [Everyone]
        return self.acl.permits(context, principals, permission)

    def remember(self, request, userid, **kw):
        """Start a new session for ``userid`` (a fresh session and CSRF token: no fixation)."""
        user = users.get_active_user(request.dbsession, userid)
        self._close(request)
        request.session["user_id"] = userid
        request.session[_SESSION_TOKEN] = sessions.open_session(
            request.dbsession, userid, settings_of(request.registry).session_timeout)
        request.session["security_code"] = user.security_code if user is not None else None
        request.environ[_IDENTITY_KEY] = self._identity_from_user(request, user, "session") if user else None
        return []

    @staticmethod
    def _close(request) -> None:
        sessions.close_session(request.dbsession, request.session.get(_SESSION_TOKEN))
        request.session.invalidate()

    def forget(self, request, **kw):
        self._close(request)
        request.environ[_IDENTITY_KEY] = None
        return []


def _origin_of(url: str) -> Optional[str]:
    parts = urlsplit(url.strip().lower())
    if not parts.scheme or not parts.netloc:
        return None
    netloc = parts.netloc
    default_port = {"http": ":80", "https": ":443"}.get(parts.scheme)
    if default_port and netloc.endswith(default_port):
        netloc = netloc[: -len(default_port)]
    return f"{parts.scheme}://{netloc}"


def is_cross_site(request) -> bool:
    """True when a browser tells us the request comes from another site."""
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return True
    origin = request.headers.get("Origin")
    if not origin:
        return False
    origin = origin.split(" ")[-1]
    if origin == "null":
        return True
    own = _origin_of(request.host_url)
    trusted = settings_of(request.registry).trusted_origins
    allowed = {own} | {_origin_of(o) or o.lower() for o in trusted}
    return (_origin_of(origin) or origin.lower()) not in allowed


def refuse_cross_site(request) -> None:
    if request.method not in SAFE_METHODS and is_cross_site(request):
        raise BadCSRFOrigin(f"cross-site {request.method} refused (Origin: {request.headers.get('Origin')})")


def csrf_applies(request) -> bool:
    """Pyramid's CSRF callback, called for state-changing requests that passed the permission
    check: refuse cross-site ones, and ask for the token only from cookie sessions."""
    identity = request.identity
    if identity is None:
        return False
    refuse_cross_site(request)
    return identity.via == "session"


def includeme(config) -> None:
    security_settings = settings_of(config.registry)
    config.set_session_factory(SignedCookieSessionFactory(
        security_settings.secret,
        cookie_name=SESSION_COOKIE,
        max_age=None,
        timeout=security_settings.session_timeout,
        reissue_time=min(600, security_settings.session_timeout),
        secure=security_settings.cookie_secure,
        httponly=True,
        samesite="Lax",
        salt="magpie.session.",
    ))
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True, token="csrf_token", header=CSRF_HEADER,
                                    callback=csrf_applies)
    config.set_root_factory(RootFactory)
    config.set_security_policy(MagpieSecurityPolicy())
    config.registry[REGISTRY_KEY] = SignInGuard(security_settings)
