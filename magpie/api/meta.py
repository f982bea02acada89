"""Views that are not part of a resource family: what this server is, and whether it is healthy."""
from pyramid.view import view_config

import magpie
from magpie import db


@view_config(route_name="home", renderer="json", request_method="GET")
def home(request):
    return {"name": "magpie", "version": magpie.__version__}


@view_config(route_name="health", renderer="json", request_method="GET")
def health(request):
    ready = db.is_database_ready(request.registry.settings)
    request.response.status_int = 200 if ready else 503
    return {"database": "ready" if ready else "not ready"}


def includeme(config) -> None:
    config.add_route("home", "/")
    config.add_route("health", "/health")
    config.scan(__name__)
