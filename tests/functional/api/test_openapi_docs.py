"""The OpenAPI document is served, lists every route, and the docs page renders it offline."""
import re

import pytest

from magpie.api import ROUTES
from magpie.helpers.sync_services import SYNC_SERVICES_TYPES
from magpie.sync.config import configuration_schema
from magpie.services.providers import ProvidersError, parse_providers


def test_document_is_served_with_the_registry_sync_types(app):
    spec = app.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.0")
    assert set(spec["paths"]) == set(ROUTES.values())
    assert spec["components"]["schemas"]["SyncType"]["enum"] == sorted(SYNC_SERVICES_TYPES) + [None]


def test_configuration_schema_is_generated_from_the_sync_configuration(app):
    spec = app.get("/api/openapi.json").json
    assert spec["components"]["schemas"]["Configuration"] == configuration_schema()


@pytest.mark.parametrize("configuration, field", [
    ({"timeout": 0}, "configuration/timeout"),
    ({"max_depth": 1_000_000}, "configuration/max_depth"),
    ({"start_catalog": 5}, "configuration/start_catalog"),
    ({"tmeout": 5}, "configuration"),
])
def test_the_api_and_the_providers_file_refuse_the_same_configurations(app, admin_auth, configuration, field):
    answer = app.post_json("/services", {"service_name": "svc", "service_type": "thredds",
                                         "service_url": "http://127.0.0.1:9/thredds", "service_sync_type": "thredds",
                                         "configuration": configuration}, headers=admin_auth, status=400)
    assert any(item["field"].startswith(field) for item in answer.json["fields"]), answer.json
    document = {"providers": {"svc": {"url": "http://127.0.0.1:9/thredds", "type": "thredds",
                                      "sync_type": "thredds", "configuration": configuration}}}
    with pytest.raises(ProvidersError, match=next(iter(configuration))):
        parse_providers(document)


def test_docs_page_uses_local_assets_only(app):
    page = app.get("/api/docs")
    assert page.content_type == "text/html"
    assert "swagger-ui" in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/api/") for source in sources), sources
    assert 'data-spec-url="/api/openapi.json"' in page.text
    for source in sources:
        asset = app.get(source)
        assert asset.status_int == 200 and len(asset.body) > 100
    assert "SwaggerUIBundle" in app.get("/api/docs/docs.js").text
