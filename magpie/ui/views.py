"""Views of the admin pages: read the request, call a helper, hand a dict to a template.

The tree page is a shell: its script loads the merged tree from the REST API and calls the API
for sync, preview, clean and adopt, so the pages and the API can never disagree on a rule.
"""
import logging
from typing import Optional
from urllib.parse import urlencode

from pyramid.csrf import check_csrf_token, get_csrf_token, new_csrf_token
from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPError, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.security import NO_PERMISSION_REQUIRED, forget, remember
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config, view_config

import magpie
from magpie import models
from magpie.accounts import manage, security
from magpie.services import credentials as service_credentials, crud as services
from magpie.accounts.signin import SignInThrottled, signin_guard
from magpie.errors import ConflictError, InvalidInput, NotFoundError
from magpie.sync import status as sync_status
from magpie.sync.types import SYNC_SERVICES_TYPES
from magpie.ui import display

LOGGER = logging.getLogger(__name__)

#: View predicate of the error views below: they answer for the pages only, the API keeps JSON.
UI_PATHS = r"^/ui(/|$)"

#: Longest credentials checked; longer ones are refused before any password hashing.
MAX_USER_NAME = 128
MAX_PASSWORD = 1024


def _identity(request):
    """The caller, or None when even that cannot be known (an error page must still render)."""
    try:
        return request.identity
    except Exception:  # a database outage while rendering an error page
        LOGGER.warning("cannot tell who is signed in while rendering an error page", exc_info=True)
        return None


def page_context(request, **values) -> dict:
    """What every page's layout needs: who is signed in and the CSRF token of its forms."""
    identity = _identity(request)
    return {
        "identity": identity,
        "csrf_token": get_csrf_token(request),
        "version": magpie.__version__,
        **values,
    }


def safe_next(request, target: Optional[str]) -> str:
    """Where to go after signing in: a page of this UI, never another site."""
    prefix = request.script_name + "/ui/"
    if target and target.startswith(prefix) and "\\" not in target and "//" not in target and \
            not any(ord(char) < 32 for char in target):
        return target
    return request.route_path("ui.services")


def signin_location(request, target: Optional[str] = None) -> str:
    query = {"next": target} if target else {}
    return request.route_path("ui.signin") + (f"?{urlencode(query)}" if query else "")


# --- sign-in ------------------------------------------------------------------------------------

@view_config(route_name="ui.home", permission=NO_PERMISSION_REQUIRED)
@view_config(route_name="ui.index", permission=NO_PERMISSION_REQUIRED)
def home(request):
    return HTTPSeeOther(request.route_path("ui.services"))


@view_config(route_name="ui.signin", request_method="GET", renderer="signin.jinja2",
             permission=NO_PERMISSION_REQUIRED)
def signin_form(request):
    target = safe_next(request, request.GET.get("next"))
    identity = request.identity
    if identity is not None and identity.is_admin:
        return HTTPSeeOther(target)
    return page_context(request, next=target, user_name="", error=None,
                        signed_out=request.GET.get("signed_out") == "1")


@view_config(route_name="ui.signin", request_method="POST", renderer="signin.jinja2",
             permission=NO_PERMISSION_REQUIRED, require_csrf=False)
def signin(request):
    """Sign in the way ``POST /signin`` does (same session), from a form that carries the CSRF
    token of the visitor's anonymous session, so another site cannot sign a browser in."""
    security.refuse_cross_site(request)
    target = safe_next(request, request.POST.get("next"))
    user_name = request.POST.get("user_name", "")
    password = request.POST.get("password", "")
    if not check_csrf_token(request, token="csrf_token", header=None, raises=False):
        request.response.status_int = 400
        return page_context(request, next=target, user_name=user_name[:MAX_USER_NAME], signed_out=False,
                            error="This form has expired. Please sign in again.")
    user = None
    if user_name and password and len(user_name) <= MAX_USER_NAME and len(password) <= MAX_PASSWORD:
        try:
            user = signin_guard(request.registry).authenticate(request.dbsession, user_name, password,
                                                               request.remote_addr)
        except SignInThrottled as exc:
            request.response.status_int = 429
            request.response.headers["Retry-After"] = str(exc.retry_after)
            return page_context(request, next=target, user_name=user_name[:MAX_USER_NAME], signed_out=False,
                                error=f"Too many failed sign-ins. Try again in {exc.retry_after} seconds.")
    if user is None:
        request.response.status_int = 401
        return page_context(request, next=target, user_name=user_name[:MAX_USER_NAME], signed_out=False,
                            error="Wrong user name or password.")
    remember(request, user.id)
    new_csrf_token(request)
    return HTTPSeeOther(target)


@view_config(route_name="ui.signout", request_method="GET", renderer="signout.jinja2",
             permission=NO_PERMISSION_REQUIRED)
def signout_form(request):
    """Signing out changes state, so it is a POST with the CSRF token; a bare link lands here."""
    if request.identity is None:
        return HTTPSeeOther(request.route_path("ui.signin"))
    return page_context(request)


@view_config(route_name="ui.signout", request_method="POST", permission=NO_PERMISSION_REQUIRED)
def signout(request):
    if security.SESSION_COOKIE in request.cookies:
        forget(request)
    return HTTPSeeOther(request.route_path("ui.signin", _query={"signed_out": "1"}))


# --- pages --------------------------------------------------------------------------------------

@view_config(route_name="ui.services", request_method="GET", renderer="services.jinja2", permission="admin")
def services_page(request):
    now = models.utcnow()
    listed = services.list_services(request.dbsession)
    statuses = sync_status.get_sync_statuses(listed, request.dbsession)
    rows = [{**status_context(service, statuses[service.resource_id], now),
             "url": request.route_path("ui.service", service=service.resource_id)} for service in listed]
    return page_context(request, rows=rows, out_of_sync_words=display.out_of_sync_words(),
                        sync_types=sorted(SYNC_SERVICES_TYPES))


def status_context(service: models.Service, sync: dict, now) -> dict:
    """What both pages show of a service and its sync status."""
    status = display.service_status(service.sync_type, sync)
    return {
        "service": services.service_as_dict(service),
        "sync": sync,
        "status": status,
        "status_label": display.SERVICE_STATUS_LABELS[status],
        "last_sync_words": display.time_ago(display.parse_iso(sync["last_sync"]), now),
        "last_attempt_words": display.time_ago(display.parse_iso(sync["last_attempt"]), now),
    }


@view_config(route_name="ui.service", request_method="GET", renderer="service.jinja2", permission="admin")
def service_page(request):
    service = services.find_service(request.dbsession, request.matchdict["service"])
    service_id = service.resource_id
    credentials = service_credentials.credentials_as_dict(service_credentials.get_credentials(request.dbsession, service))
    return page_context(
        request,
        **status_context(service, sync_status.get_sync_status(service, request.dbsession), models.utcnow()),
        out_of_sync_words=display.out_of_sync_words(),
        out_of_sync_seconds=int(display.OUT_OF_SYNC.total_seconds()),
        api={
            "tree": request.route_path("api.service_resources", service=service_id),
            "sync": request.route_path("api.service_sync", service=service_id),
            "clean": request.route_path("api.service_resources_clean", service=service_id),
            "adopt": request.route_path("api.service_resources_adopt", service=service_id),
            "session": request.route_path("api.session"),
            "users": request.route_path("api.users"),
            "groups": request.route_path("api.groups"),
        },
        signin_url=signin_location(request, request.path_qs),
        credentials=credentials,
        credentials_words=display.time_ago(display.parse_iso(credentials["set_at"]), models.utcnow()),
        user_names=[user.user_name for user in manage.list_users(request.dbsession)],
        group_names=[group.group_name for group in manage.list_groups(request.dbsession)],
    )


# --- errors -------------------------------------------------------------------------------------

def error_page(request, status: int, title: str, detail: str):
    response = render_to_response("error.jinja2", page_context(request, status=status, title=title, detail=detail),
                                  request=request)
    response.status_int = status
    return response


@forbidden_view_config(path_info=UI_PATHS)
def forbidden(request):
    """Signed out: off to the sign-in form, then back here. Signed in without the rights: say so."""
    identity = _identity(request)
    if identity is None:
        target = request.path_qs if request.method == "GET" else None
        return HTTPSeeOther(signin_location(request, safe_next(request, target) if target else None))
    return error_page(request, 403, "Not allowed",
                      f"User {identity.user_name} is not an administrator. Sign in as one to use these pages.")


@notfound_view_config(path_info=UI_PATHS)
def not_found(request):
    return error_page(request, 404, "Page not found", f"There is no page at {request.path}.")


@exception_view_config(NotFoundError, path_info=UI_PATHS)
def missing_thing(exc, request):
    return error_page(request, 404, "Not found", str(exc))


@exception_view_config(ConflictError, path_info=UI_PATHS)
@exception_view_config(InvalidInput, path_info=UI_PATHS)
def refused(exc, request):
    return error_page(request, 409 if isinstance(exc, ConflictError) else 400, "Cannot do that", str(exc))


@exception_view_config(BadCSRFToken, path_info=UI_PATHS)
@exception_view_config(BadCSRFOrigin, path_info=UI_PATHS)
def csrf_refused(exc, request):
    return error_page(request, 403, "Request refused",
                      "This form has expired or came from another site. Reload the page and try again.")


@exception_view_config(HTTPError, path_info=UI_PATHS)
def http_error(exc, request):
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else exc.explanation
    return error_page(request, exc.code, exc.title, str(detail))


@exception_view_config(Exception, path_info=UI_PATHS)
def unexpected(exc, request):
    """A bug or an outage: the log gets the traceback, the page only says what happened."""
    LOGGER.error("unexpected error on %s %s", request.method, request.path, exc_info=exc)
    return error_page(request, 500, "Something went wrong",
                      "The server could not show this page. The server log has the details.")
