"""The users, groups and audit pages. Lists are rendered here from the account helpers; every
change, and the audit log itself, goes through the REST API from the pages' scripts
(``static/accounts.js``, ``static/audit.js``), so pages and API share every rule."""
from pyramid.view import view_config

from magpie.config import settings_of
from magpie.services import crud as services
from magpie.ui import accounts
from magpie.ui.views import page_context


def _api(request) -> dict:
    return {"users": request.route_path("api.users"), "groups": request.route_path("api.groups"),
            "audit": request.route_path("api.audit")}


@view_config(route_name="ui.users", request_method="GET", renderer="users.jinja2", permission="admin")
def users_page(request):
    rows = accounts.user_rows(request.dbsession, settings_of(request.registry))
    return page_context(request, rows=rows, api=_api(request))


@view_config(route_name="ui.groups", request_method="GET", renderer="groups.jinja2", permission="admin")
def groups_page(request):
    rows = accounts.group_rows(request.dbsession, settings_of(request.registry))
    return page_context(request, rows=rows, api=_api(request))


@view_config(route_name="ui.audit", request_method="GET", renderer="audit.jinja2", permission="admin")
def audit_page(request):
    listed = [{"id": service.resource_id, "name": service.resource_name}
              for service in services.list_services(request.dbsession)]
    return page_context(request, services=listed, api=_api(request))
