"""STAC API collections listing for the ``stac`` sync type: ``GET {url}/collections`` and the
pages its ``rel=next`` links lead to.

Paging is where a remote can hurt a crawl: a next link may point back to a page already read,
to another host, or on forever. Each page URL is fetched once, a next link outside the
service's origins is not followed (reported as a problem: the listing is then partial), and
more pages than the limit fail the sync. A limit that is hit fails rather than truncates,
because a truncated listing would make every later collection look gone remotely.
"""
from typing import List, Optional, Tuple
from urllib.parse import urldefrag, urljoin

from magpie.models import NAME_LENGTH
from magpie.sync.remote.http import HttpClient, RemoteError, json_type
from magpie.sync.types.base import SyncServiceInterface

Entry = Tuple[str, str]  # (collection id, title)


def collections_url(service_url: str) -> str:
    """``https://host/stac`` or ``https://host/stac/`` -> ``https://host/stac/collections``."""
    return service_url.rstrip("/") + "/collections"


def page_collections(document: object, url: str) -> List[Entry]:
    """(id, title) of the collections on one ``/collections`` page; raises
    :class:`RemoteError` when the page is not such a document."""
    if not isinstance(document, dict) or not isinstance(document.get("collections"), list):
        raise RemoteError(url, "expected a STAC JSON object with a 'collections' list")
    links = document.get("links")
    if links is not None and not isinstance(links, list):
        raise RemoteError(url, f"links must be an array, got {json_type(links)}")
    entries = []
    for index, collection in enumerate(document["collections"]):
        if not isinstance(collection, dict):
            raise RemoteError(url, f"collections[{index}] must be an object, got {json_type(collection)}")
        identifier = collection.get("id")
        if not isinstance(identifier, str) or not identifier.strip():
            raise RemoteError(url, f"collections[{index}].id must be a non-empty string, got {json_type(identifier)}")
        title = collection.get("title")
        entries.append((identifier.strip(), " ".join(title.split()) if isinstance(title, str) else ""))
    return entries


def next_link(document: dict, url: str) -> Optional[dict]:
    """The first ``rel=next`` link of a page, its ``href`` resolved against ``url``."""
    for link in document.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "next" and isinstance(link.get("href"), str):
            return dict(link, href=urldefrag(urljoin(url, link["href"].strip()))[0])
    return None


def matched_count(document: dict) -> Optional[int]:
    """How many collections the server says exist: ``numberMatched`` (OGC API) or the older
    ``context.matched`` (stac-server, Earth Search)."""
    matched = document.get("numberMatched")
    if matched is None and isinstance(document.get("context"), dict):
        matched = document["context"].get("matched")
    return matched if isinstance(matched, int) and not isinstance(matched, bool) else None


def list_collections(http: HttpClient, start_url: str, problems: List[str],
                     max_pages: int, partial: Optional[List[str]] = None) -> List[Entry]:
    """Every collection listed from ``start_url`` on, following ``rel=next`` links.

    Anything that makes the listing untrustworthy raises :class:`RemoteError` naming the page;
    a next link that is not followed (another origin, POST paging, a loop) is appended to
    ``problems``, and to ``partial`` when it leaves collections unlisted (all but a loop), as is a
    server that reports more collections than were listed.
    """
    partial = [] if partial is None else partial
    entries: List[Entry] = []
    seen = set()
    url: Optional[str] = urldefrag(start_url)[0]
    first_document = None
    pages = 0
    while url is not None:
        if pages >= max_pages:
            raise RemoteError(url, f"more than {max_pages} pages of collections (configuration 'max_pages')")
        seen.add(url)
        final_url, document = http.get_json(url)
        seen.add(urldefrag(final_url)[0])
        pages += 1
        entries.extend(page_collections(document, final_url))
        if first_document is None:
            first_document = document
        link = next_link(document, final_url)
        url = None
        if link is None:
            break
        href = link["href"]
        if (link.get("method") or "GET").upper() != "GET":
            problems.append(f"next page of {final_url} needs {link['method']} paging, not followed: {href}")
            partial.append(problems[-1])
        elif not http.is_allowed(href):
            problems.append(f"skipped next page outside the service's origin: {href}")
            partial.append(problems[-1])
        elif href in seen:
            problems.append(f"next page of {final_url} loops back to {href}, already read")
        else:
            url = href
    matched = matched_count(first_document) if first_document is not None else None
    listed = len({identifier for identifier, _ in entries})
    if matched is not None and matched > listed:
        problems.append(f"{start_url}: the server reports {matched} collections, {listed} were listed")
        partial.append(problems[-1])
    return entries


class SyncSTAC(SyncServiceInterface):
    """STAC API: one ``collection`` per id listed by ``{url}/collections`` and its ``rel=next``
    pages, titled by the collection title. ``max_pages`` bounds the paging."""

    sync_type = "stac"
    max_depth = 1

    def get_children(self, http: HttpClient) -> dict:
        partial: List[str] = []
        entries = list_collections(http, collections_url(self.url), self.problems,
                                   max_pages=self.config.max_pages, partial=partial)
        if partial:  # the collections not listed are kept, unverified
            self.unread.setdefault((), partial[0])
        tree = self.new_tree()
        for identifier, title in entries:
            if len(identifier) > NAME_LENGTH:
                self.problems.append(f"skipped a collection id longer than {NAME_LENGTH} characters: "
                                     f"{identifier[:80]}...")
                continue
            tree.add((identifier,), "collection", title[:NAME_LENGTH])
        return tree.children
