"""HTTP for crawling remote services: one pooled ``requests.Session`` per sync, with limits.

Remote services are not trusted. Every request has a connect/read timeout and a total deadline
(a server trickling bytes cannot hold a sync forever), bodies are capped in size, and redirects
are followed by hand so that each hop is checked against the origins the service may use.
Credentials go on a hop only when its origin is one of ``credential_origins``: a redirect to
another origin drops them, and error messages are cleaned of their values.
"""
import json
import time
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional, Tuple
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from magpie.sync.config import SyncConfig
from magpie.sync.progress import CURRENT as CURRENT_PROGRESS
from magpie.sync.remote.auth import Credentials
from magpie.sync.remote.addresses import BlockedAddress, GuardedAdapter

MAX_REDIRECTS = 5
CHUNK_SIZE = 64 * 1024
USER_AGENT = "magpie-sync/0.1"
RETRY_STATUSES = frozenset({502, 503, 504})
#: A socket timeout set to end at the deadline may fire this much before it by the clock.
DEADLINE_SLACK = 0.1


class RemoteError(Exception):
    """A remote service could not be read: HTTP error, bad body, parse error or a limit hit.
    The message always names the URL."""

    def __init__(self, url: str, message: str):
        self.url = url
        self.reason = message
        super().__init__(f"{url}: {message}")


def origin_of(url: str) -> Tuple[str, str]:
    """(scheme, host[:port]) with default ports made explicit, for same-origin checks."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return parts.scheme.lower(), f"{(parts.hostname or '').lower()}:{port}"


class _Retryable(Exception):
    """Carries an error worth another attempt."""

    def __init__(self, error: RemoteError):
        self.error = error


class Unavailable(RemoteError):
    """A document could not be fetched (an error status, a connection that failed or timed
    out), as opposed to a document that was fetched and is wrong."""


class BudgetExceeded(RemoteError):
    """The sync's total time budget ran out: the whole sync fails, not just one document."""


@dataclass(frozen=True)
class HttpLimits:
    """Bounds of one sync's requests; the values come from the service's
    :class:`~magpie.sync.config.SyncConfig`, where their defaults live."""

    timeout: float  # seconds for one request, the whole body included
    max_bytes: int
    pool_size: int
    retries: int  # more attempts of a GET after a connection error or a 502/503/504
    backoff: float  # seconds before the first retry, doubled for each next one

    @classmethod
    def of(cls, config: SyncConfig) -> "HttpLimits":
        return cls(timeout=config.timeout, max_bytes=config.max_bytes, pool_size=config.pool_size,
                   retries=config.retries, backoff=config.retry_backoff)


@dataclass
class HttpClient:
    """GETs for one sync. ``allowed_origins`` empty means any origin (used for the start URL only
    when the service configuration allows other hosts)."""

    limits: HttpLimits
    allowed_origins: Iterable[Tuple[str, str]] = ()
    deadline: Optional[float] = None  # time.monotonic() value after which nothing is fetched
    credentials: Optional[Credentials] = None
    #: Origins that may receive ``credentials`` (none when empty).
    credential_origins: Iterable[Tuple[str, str]] = ()

    def __post_init__(self):
        self.allowed_origins = set(self.allowed_origins)
        self.progress = CURRENT_PROGRESS.get()  # a job's (magpie.sync.progress), read by the pool threads too
        self.credential_origins = set(self.credential_origins)
        self.session = requests.Session()
        adapter = GuardedAdapter(pool_connections=4, pool_maxsize=max(self.limits.pool_size, 1), max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        # requests reads the environment's proxies and ~/.netrc again for every request, a third of
        # the client's time on a crawl of small catalogs: read the proxies once, for the service.
        self.session.trust_env = False
        for scheme, host in list(self.allowed_origins)[:1]:
            self.session.proxies = requests.utils.get_environ_proxies(f"{scheme}://{host.rsplit(':', 1)[0]}")

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def is_allowed(self, url: str) -> bool:
        if urlsplit(url).scheme not in ("http", "https"):
            return False
        return not self.allowed_origins or origin_of(url) in self.allowed_origins

    def _headers(self, url: str, accept: str) -> dict:
        headers = {}
        if self.credentials is not None and origin_of(url) in self.credential_origins:
            headers.update(self.credentials.request_headers())
        headers["Accept"] = accept  # the client's own, whatever a credential header says
        return headers

    def _redact(self, text: str) -> str:
        return self.credentials.redact(text) if self.credentials is not None else text

    def _time_left(self, url: str, started: float) -> float:
        now = time.monotonic()
        if self.deadline is not None and now >= self.deadline:
            raise BudgetExceeded(url, "the sync's time budget ran out")
        left = started + self.limits.timeout - now
        if left <= 0:
            raise Unavailable(url, f"no complete answer within {self.limits.timeout:g} s")
        if self.deadline is not None:
            left = min(left, self.deadline - now)
        return left

    def _check_budget_after_timeout(self, url: str) -> None:
        """A timeout at (or just before) the deadline is the sync's budget running out, which
        fails the whole sync, not a slow document."""
        if self.deadline is not None and time.monotonic() >= self.deadline - DEADLINE_SLACK:
            raise BudgetExceeded(url, "the sync's time budget ran out") from None

    def _open(self, url: str, accept: str) -> Tuple[requests.Response, float]:
        """GET with retries: a GET is idempotent, and gateways in front of data servers answer
        502/503/504 or drop connections under load more often than the servers fail."""
        attempt = 0
        while True:
            try:
                return self._open_once(url, accept)
            except _Retryable as exc:
                if attempt >= self.limits.retries:
                    raise exc.error from None
                pause = self.limits.backoff * (2 ** attempt)
                if self.deadline is not None and time.monotonic() + pause >= self.deadline:
                    raise exc.error from None
                attempt += 1
                time.sleep(pause)

    def _open_once(self, url: str, accept: str) -> Tuple[requests.Response, float]:
        started = time.monotonic()
        for _ in range(MAX_REDIRECTS + 1):
            if not self.is_allowed(url):
                raise RemoteError(url, "URL is outside the origins this service may use")
            left = self._time_left(url, started)
            try:
                response = self.session.get(url, headers=self._headers(url, accept), stream=True,
                                            allow_redirects=False, timeout=(min(left, 10.0), left))
            except BlockedAddress as exc:  # checked when connecting, after DNS (magpie.sync.remote.addresses)
                raise RemoteError(url, f"refused: {exc}") from None
            except requests.Timeout:
                self._check_budget_after_timeout(url)
                raise Unavailable(url, f"timed out after {self.limits.timeout:g} s") from None
            except requests.ConnectionError as exc:
                raise _Retryable(Unavailable(url, self._redact(f"cannot connect: {exc.__class__.__name__}: {exc}"))) \
                    from None
            except requests.RequestException as exc:
                raise Unavailable(url, self._redact(f"cannot connect: {exc.__class__.__name__}: {exc}")) from None
            if response.is_redirect:
                location = response.headers.get("Location", "")
                response.close()
                url = urljoin(response.url, location)
                continue
            if response.status_code >= 400:
                response.close()
                error = Unavailable(url, f"HTTP {response.status_code} {response.reason or ''}".rstrip())
                if response.status_code in RETRY_STATUSES:
                    raise _Retryable(error)
                raise error
            return response, started
        raise RemoteError(url, f"more than {MAX_REDIRECTS} redirects")

    def _chunks(self, response: requests.Response, started: float) -> Iterator[bytes]:
        url = response.url
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise RemoteError(url, f"body of {int(declared)} bytes exceeds the limit of {self.limits.max_bytes}")
        total = 0
        raw = response.raw
        try:
            while True:
                # read1 returns what one receive brings, so a trickling server meets the deadline
                # check between receives instead of filling a whole chunk first.
                chunk = raw.read1(CHUNK_SIZE, decode_content=True)
                if not chunk:
                    break
                total += len(chunk)
                if total > self.limits.max_bytes:
                    raise RemoteError(url, f"body exceeds the limit of {self.limits.max_bytes} bytes")
                self._time_left(url, started)
                if self.progress is not None:
                    self.progress.read_bytes(len(chunk))  # raises Cancelled once the job is
                yield chunk
            if self.progress is not None:
                self.progress.document_read()
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            if isinstance(exc, (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)):
                self._check_budget_after_timeout(url)
            raise Unavailable(url, f"connection failed while reading: {exc.__class__.__name__}") from None
        finally:
            response.close()

    def stream(self, url: str, accept: str = "*/*") -> Tuple[str, Iterator[bytes], str]:
        """Open ``url``: (final URL after redirects, iterator of body chunks, content type)."""
        response, started = self._open(url, accept)
        return response.url, self._chunks(response, started), response.headers.get("Content-Type", "")

    def get_bytes(self, url: str, accept: str = "*/*") -> Tuple[str, bytes, str]:
        final_url, chunks, content_type = self.stream(url, accept)
        return final_url, b"".join(chunks), content_type

    def get_json(self, url: str) -> Tuple[str, object]:
        """GET a JSON document; a body that is not JSON raises :class:`RemoteError`."""
        final_url, body, content_type = self.get_bytes(url, "application/json")
        try:
            return final_url, json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            kind = content_type.split(";")[0] or "unknown type"
            raise RemoteError(final_url, f"expected JSON, got an unreadable {kind} body ({exc})") from None


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages about remote documents."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    for kinds, name in (((int, float), "number"), (str, "string"), (list, "array"), (dict, "object")):
        if isinstance(value, kinds):
            return name
    return type(value).__name__


class ChunkReader:
    """File-like view of a chunk iterator, so streaming parsers can read a body as it arrives."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data
