"""STAC sync against a real HTTP server on 127.0.0.1 serving recorded STAC API answers, on both
databases. Paging cases serve the recorded collections split over pages whose links point to the
test server."""
import functools
import json

import pytest

from tests.functional.sync.helpers import find, names, stored, stored_tree, sync, sync_fails
from tests.support.remote_server import cassette_body, fixture_bytes

EARTH_SEARCH = "stac/earth-search_v1_landing_and_collections.cassette.yaml"
HIRONDELLE = "stac/hirondelle-crim_stac-fastapi_landing_collections_items.cassette.yaml"
HIRONDELLE_IDS = ["EuroSAT-subset-train", "EuroSAT-subset-validate", "EuroSAT-subset-test", "EuroSAT-full-train",
                  "EuroSAT-full-test", "EuroSAT-full-validate", "newyork_2024", "montreal_2023",
                  "0798aa197d54eb4332767a5a4077fb0f", "c604ffb6d610adbb9a6b4787db7b8fd7"]


def add_stac(add_service, remote, configuration=None):
    return add_service(name="stac", url=remote.url + "/stac", type_="stac", sync_type="stac",
                       configuration=configuration)


@functools.lru_cache(maxsize=None)
def recorded(cassette: str, index: int) -> bytes:
    """A recorded body; cached because reading a 235 KB cassette costs more than a sync."""
    return cassette_body(cassette, index)


def hirondelle_collections() -> list:
    return json.loads(recorded(HIRONDELLE, 3))["collections"]


def page(collections, next_href=None, **link_options) -> bytes:
    """A ``/collections`` page as stac-fastapi writes it, with a ``rel=next`` link when given."""
    links = [{"rel": "root", "type": "application/json", "href": "/stac/"},
             {"rel": "self", "type": "application/json", "href": "/stac/collections"}]
    if next_href:
        links.append(dict({"rel": "next", "type": "application/json", "href": next_href}, **link_options))
    return json.dumps({"collections": collections, "links": links}).encode()


def serve_pages(remote, collections, size, hrefs):
    """Serve ``collections`` in pages of ``size``; page ``i`` is at ``hrefs[i]`` (a path with query)
    and links to ``hrefs[i + 1]`` made absolute on the test server."""
    chunks = [collections[start:start + size] for start in range(0, len(collections), size)]
    for index, chunk in enumerate(chunks):
        following = remote.url + hrefs[index + 1] if index + 1 < len(chunks) else None
        remote.add(hrefs[index], page(chunk, following), content_type="application/json")


def test_earth_search_collections(session, tm, remote, add_service):
    remote.add("/stac/collections", recorded(EARTH_SEARCH, 1), content_type="application/json")
    service_id = add_stac(add_service, remote)
    result = sync(session, tm, service_id)
    assert result.ok and not result.problems and result.added == 10
    tree = stored(session, tm, service_id)
    assert names(tree) == {"stac": {name: {} for name in [
        "sentinel-2-pre-c1-l2a", "cop-dem-glo-30", "naip", "cop-dem-glo-90", "landsat-c2-l2", "sentinel-2-l2a",
        "sentinel-2-l1c", "sentinel-2-c1-l2a", "sentinel-1-grd"]}}
    node = find(tree, "stac", "sentinel-2-pre-c1-l2a")
    # The recorded title ends with a space.
    assert (node["resource_type"], node["resource_display_name"]) == \
        ("collection", "Sentinel-2 Pre-Collection 1 Level-2A")
    assert remote.requests == ["/stac/collections"]


def test_hirondelle_collections_with_hash_ids(session, tm, remote, add_service):
    remote.add("/stac/collections", recorded(HIRONDELLE, 3), content_type="application/json")
    service_id = add_stac(add_service, remote)
    assert sync(session, tm, service_id).ok
    tree = stored(session, tm, service_id)
    assert names(tree) == {"stac": {name: {} for name in HIRONDELLE_IDS}}
    assert find(tree, "stac", "EuroSAT-subset-train")["resource_display_name"] == "EuroSAT subset train"


def test_collection_without_title_is_displayed_by_id(session, tm, remote, add_service):
    remote.add("/stac/collections", fixture_bytes("stac/stac-fastapi_collections.json"),
               content_type="application/json")
    service_id = add_service(name="stac", url=remote.url + "/stac/", type_="stac", sync_type="stac")
    assert sync(session, tm, service_id).ok
    node = find(stored(session, tm, service_id), "stac", "my_collection")
    assert (node["resource_type"], node["resource_display_name"]) == ("collection", "my_collection")


def test_next_links_are_followed_page_by_page(session, tm, remote, add_service):
    hrefs = ["/stac/collections", "/stac/collections?token=next:4", "/stac/collections?token=next:8"]
    serve_pages(remote, hirondelle_collections(), 4, hrefs)
    service_id = add_stac(add_service, remote)
    result = sync(session, tm, service_id)
    assert result.ok and not result.problems and result.added == 11
    assert names(stored(session, tm, service_id)) == {"stac": {name: {} for name in HIRONDELLE_IDS}}
    assert remote.requests == hrefs


def test_relative_next_link_resolves_against_the_page(session, tm, remote, add_service):
    collections = hirondelle_collections()
    remote.add("/stac/collections", page(collections[:5], "collections?page=2"), content_type="application/json")
    remote.add("/stac/collections?page=2", page(collections[5:]), content_type="application/json")
    service_id = add_stac(add_service, remote)
    assert sync(session, tm, service_id).added == 11
    assert remote.requests == ["/stac/collections", "/stac/collections?page=2"]


def test_next_link_looping_back_reads_each_page_once(session, tm, remote, add_service):
    collections = hirondelle_collections()
    remote.add("/stac/collections", page(collections[:5], remote.url + "/stac/collections?page=2"),
               content_type="application/json")
    # The second page links back to the first one, with a fragment for good measure.
    remote.add("/stac/collections?page=2", page(collections[5:], remote.url + "/stac/collections#top"),
               content_type="application/json")
    service_id = add_stac(add_service, remote)
    result = sync(session, tm, service_id)
    assert result.ok and result.added == 11
    assert remote.requests == ["/stac/collections", "/stac/collections?page=2"]
    assert len(result.problems) == 1 and "loops back" in result.problems[0]


def test_page_linking_to_itself_is_read_once(session, tm, remote, add_service):
    collections = hirondelle_collections()
    remote.add("/stac/collections", page(collections, "/stac/collections"), content_type="application/json")
    service_id = add_stac(add_service, remote)
    result = sync(session, tm, service_id)
    assert result.ok and result.added == 11 and remote.requests == ["/stac/collections"]


def test_next_link_to_another_origin_is_not_followed_and_reported(session, tm, remote, add_service):
    collections = hirondelle_collections()
    remote.add("/stac/collections", page(collections[:5], "http://127.0.0.2:9/stac/collections?page=2"),
               content_type="application/json")
    service_id = add_stac(add_service, remote)
    result = sync(session, tm, service_id)
    assert result.ok and result.added == 6
    assert result.problems == ["skipped next page outside the service's origin: "
                               "http://127.0.0.2:9/stac/collections?page=2"]
    assert remote.requests == ["/stac/collections"]
    assert names(stored(session, tm, service_id)) == {"stac": {name: {} for name in HIRONDELLE_IDS[:5]}}


def test_next_link_with_post_paging_is_not_followed_and_reported(session, tm, remote, add_service):
    collections = hirondelle_collections()
    remote.add("/stac/collections", page(collections[:5], remote.url + "/stac/collections", method="POST",
                                         body={"token": "next:5"}), content_type="application/json")
    service_id = add_stac(add_service, remote)
    result = sync(session, tm, service_id)
    assert result.ok and result.added == 6
    assert len(result.problems) == 1 and "needs POST paging" in result.problems[0]


def test_page_limit_fails_the_sync_and_writes_nothing(session, tm, remote, add_service):
    hrefs = ["/stac/collections"] + [f"/stac/collections?page={n}" for n in range(2, 6)]
    serve_pages(remote, hirondelle_collections(), 2, hrefs)
    service_id = add_stac(add_service, remote, {"max_pages": 3})
    result = sync_fails(session, tm, service_id, "more than 3 pages of collections")
    assert remote.url + "/stac/collections?page=4" in result.error
    assert remote.requests == hrefs[:3]
    assert stored(session, tm, service_id) == {}


def test_endless_paging_with_fresh_tokens_stops_at_the_page_limit(session, tm, remote, add_service):
    # Every page links to a new token: loop detection by URL cannot catch it, the page limit does.
    counter = iter(range(1_000_000))
    remote.add("/stac/collections", lambda: page([], f"/stac/collections?token={next(counter)}"),
               content_type="application/json")
    service_id = add_stac(add_service, remote, {"max_pages": 8})
    sync_fails(session, tm, service_id, "more than 8 pages")
    assert len(remote.requests) == 8


def test_server_reporting_more_collections_than_listed_is_reported(session, tm, remote, add_service):
    body = json.loads(recorded(EARTH_SEARCH, 1))
    body["context"]["matched"] = 25  # recorded: page 1, limit 100, matched 9, returned 9
    remote.add("/stac/collections", json.dumps(body), content_type="application/json")
    service_id = add_stac(add_service, remote)
    result = sync(session, tm, service_id)
    assert result.ok and result.added == 10
    assert result.problems == [f"{remote.url}/stac/collections: the server reports 25 collections, 9 were listed"]


@pytest.mark.parametrize("body, match", [
    (b"<html><body>Gateway</body></html>", "expected JSON"),
    (b'{"type": "Catalog", "id": "landing", "links": []}', "with a 'collections' list"),
    (b'[{"id": "a"}]', "with a 'collections' list"),
    (b'{"collections": {"id": "a"}}', "with a 'collections' list"),
    (b'{"collections": [{"title": "no id"}]}', r"collections\[0\].id must be a non-empty string, got null"),
    (b'{"collections": [{"id": 7}]}', r"collections\[0\].id must be a non-empty string, got number"),
    (b'{"collections": [{"id": "a"}], "links": 5}', "links must be an array, got number"),
    (b'{"collections": ["a"]}', r"collections\[0\] must be an object, got string"),
])
def test_bad_bodies_fail_naming_the_url_and_write_nothing(session, tm, remote, add_service, body, match):
    remote.add("/stac/collections", body, content_type="application/json")
    service_id = add_stac(add_service, remote)
    result = sync_fails(session, tm, service_id, match)
    assert remote.url + "/stac/collections" in result.error
    with tm:
        assert stored_tree(session, service_id) == {}


def test_a_broken_later_page_fails_the_sync_and_keeps_the_last_good_tree(session, tm, remote, add_service):
    collections = hirondelle_collections()
    remote.add("/stac/collections", page(collections[:5]), content_type="application/json")
    service_id = add_stac(add_service, remote)
    sync(session, tm, service_id)
    before = stored(session, tm, service_id)
    remote.add("/stac/collections", page(collections[:5], "/stac/collections?page=2"),
               content_type="application/json")
    remote.add("/stac/collections?page=2", b"not json", content_type="text/plain")
    result = sync_fails(session, tm, service_id, "expected JSON")
    assert remote.url + "/stac/collections?page=2" in result.error
    assert stored(session, tm, service_id) == before


def test_resync_keeps_ids_of_collections_that_remain(session, tm, remote, add_service):
    collections = hirondelle_collections()
    remote.add("/stac/collections", page(collections[:6]), content_type="application/json")
    service_id = add_stac(add_service, remote)
    sync(session, tm, service_id)
    before = stored(session, tm, service_id)
    remote.add("/stac/collections", page(collections[2:]), content_type="application/json")
    result = sync(session, tm, service_id)
    assert (result.added, result.removed, result.kept) == (4, 2, 5)
    after = stored(session, tm, service_id)
    assert names(after) == {"stac": {name: {} for name in HIRONDELLE_IDS[2:]}}
    assert find(after, "stac", "EuroSAT-full-test")["id"] == \
        find(before, "stac", "EuroSAT-full-test")["id"]
