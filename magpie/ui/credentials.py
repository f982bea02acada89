"""The credentials form of a service's page: test the connection with the credentials typed (or
the stored ones) before saving them, set or remove them (a plain form, CSRF-checked), then back to
the page, which says the kind and when, never a value."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from magpie.services import credentials, crud as services
from magpie.services.connection_test import check_connection
from magpie.sync.credentials import stored_credentials
from magpie.sync.remote.auth import Credentials
from magpie.ui.views import service_page

#: Form fields -> the credentials document of each kind.
_FIELDS = {"basic": ("username", "password"), "bearer": ("token",)}


def credentials_document(form) -> dict:
    """The document :func:`magpie.services.credentials.set_credentials` checks, from the form
    fields of the chosen kind only."""
    kind = form.get("kind", "")
    if kind == "headers":
        return {"kind": kind, "headers": {form.get("header_name", ""): form.get("header_value", "")}}
    return {"kind": kind, **{name: form.get(name, "") for name in _FIELDS.get(kind, ())}}


@view_config(route_name="ui.service_credentials", request_method="POST", permission="admin")
def change_credentials(request):
    service = services.find_service(request.dbsession, request.matchdict["service"])
    actor = request.identity.user_name
    if request.POST.get("action") == "test":
        typed = credentials_document(request.POST)
        given = {key: value for key, value in typed.items() if key != "kind" and value and value != {"": ""}}
        sent = Credentials.parse(typed) if given else stored_credentials(request.dbsession, service.resource_id)
        context = service_page(request)
        context["connection_test"] = check_connection(service.url, service.sync_type, service.configuration, sent)
        return render_to_response("service.jinja2", context, request=request)
    if request.POST.get("action") == "remove":
        credentials.delete_credentials(request.dbsession, service, actor)
    else:
        credentials.set_credentials(request.dbsession, service, credentials_document(request.POST), actor)
    return HTTPSeeOther(request.route_path("ui.service", service=service.resource_id))
