"""The OpenAPI document is served, lists every route, and the docs page renders it offline."""
import re

from magpie.api import ROUTES
from magpie.helpers.sync_services import SYNC_SERVICES_TYPES


def test_document_is_served_with_the_registry_sync_types(app):
    spec = app.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.0")
    assert set(spec["paths"]) == set(ROUTES.values())
    assert spec["components"]["schemas"]["SyncType"]["enum"] == sorted(SYNC_SERVICES_TYPES) + [None]


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
