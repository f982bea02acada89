"""Sign-in and sign-out for browsers (the session cookie), and who the caller is.

API clients do not need these: they send HTTP Basic with every call.
"""
from pyramid.csrf import get_csrf_token, new_csrf_token
from pyramid.httpexceptions import HTTPUnauthorized
from pyramid.security import NO_PERMISSION_REQUIRED, forget, remember
from pyramid.view import view_config

from magpie.accounts import security
from magpie.accounts.signin import signin_guard


def session_info(request, csrf_token=None) -> dict:
    identity = request.identity
    if identity is not None and identity.via == "session" and csrf_token is None:
        csrf_token = get_csrf_token(request)
    return {
        "authenticated": identity is not None,
        "user_name": identity.user_name if identity is not None else None,
        "is_admin": bool(identity is not None and identity.is_admin),
        "csrf_token": csrf_token,
    }


@view_config(route_name="api.signin", request_method="POST", renderer="json", openapi=True,
             permission=NO_PERMISSION_REQUIRED, require_csrf=False)
def signin(request):
    """Check the credentials and start a new session. Not CSRF-checked (there is no session yet)
    but a cross-site sign-in is refused, so another site cannot sign a browser in."""
    security.refuse_cross_site(request)
    body = request.openapi_validated.body
    # Too many failures answer 429 (magpie.api.errors.throttled).
    user = signin_guard(request.registry).authenticate(request.dbsession, body["user_name"], body["password"],
                                                       request.remote_addr)
    if user is None:
        raise HTTPUnauthorized("wrong user name or password")
    remember(request, user.id)
    token = new_csrf_token(request)
    return session_info(request, csrf_token=token)


@view_config(route_name="api.signout", request_method="GET", renderer="json", openapi=True,
             permission=NO_PERMISSION_REQUIRED)
def signout(request):
    if security.SESSION_COOKIE in request.cookies:
        forget(request)
    return session_info(request)


@view_config(route_name="api.session", request_method="GET", renderer="json", openapi=True,
             permission=NO_PERMISSION_REQUIRED)
def whoami(request):
    return session_info(request)
