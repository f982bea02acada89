"""How far a running crawl got, and the flag that stops it: read by a job while the crawl runs.

A job sets :data:`CURRENT` around its crawl; the HTTP client picks it up when it is created (its
pool threads do not see context variables) and counts documents and bytes, the THREDDS crawler
the catalogs still queued and the nodes found. Without a job nothing is counted or checked.
"""
import contextvars
import threading
import time
from dataclasses import dataclass, field
from typing import Optional


class Cancelled(Exception):
    """The job was cancelled: the crawl stops and nothing is written. Not a RemoteError, so no
    crawler takes it for a failed document."""


@dataclass
class Progress:
    documents: int = 0  # documents read to the end
    queued: int = 0  # documents known and not read yet (THREDDS catalogs)
    nodes: int = 0  # nodes of the remote tree so far
    bytes: int = 0
    started: float = field(default_factory=time.monotonic)
    cancelled: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self) -> None:
        """Raise :class:`Cancelled` once the job is cancelled."""
        if self.cancelled.is_set():
            raise Cancelled("the sync was cancelled")

    def read_bytes(self, count: int) -> None:
        with self._lock:
            self.bytes += count
        self.check()

    def document_read(self) -> None:
        with self._lock:
            self.documents += 1

    def crawling(self, queued: int, nodes: int) -> None:
        self.queued, self.nodes = queued, nodes
        self.check()

    def as_dict(self) -> dict:
        return {"documents": self.documents, "queued": self.queued, "nodes": self.nodes, "bytes": self.bytes,
                "elapsed": round(time.monotonic() - self.started, 3)}


#: The progress of the crawl running in this context (set by a job), None elsewhere.
CURRENT: contextvars.ContextVar[Optional[Progress]] = contextvars.ContextVar("magpie_sync_progress", default=None)
