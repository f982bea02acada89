"""What the admin pages say about times and sync states, as pure functions so they are tested
without a browser. ``static/common.js`` repeats :func:`time_ago` for the times it updates in place."""
import datetime
from typing import Optional

from magpie.helpers.sync_resources import OUT_OF_SYNC

#: Service status key -> label of its badge on the services page.
SERVICE_STATUS_LABELS = {
    "synced": "synced",
    "out-of-sync": "out of sync",
    "failed": "failed",
    "never-synced": "never synced",
    "no-sync-type": "no sync type",
}

_UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def duration_words(delta: datetime.timedelta) -> str:
    """``3 hours``, ``1 day``, ``45 seconds``: the largest whole unit."""
    seconds = int(delta.total_seconds())
    for unit, size in _UNITS:
        if seconds >= size:
            return _plural(seconds // size, unit)
    return _plural(max(seconds, 0), "second")


def time_ago(moment: Optional[datetime.datetime], now: Optional[datetime.datetime] = None,
             never: str = "never") -> str:
    """``3 hours ago``; ``just now`` under a minute (and for a clock slightly ahead of ours)."""
    if moment is None:
        return never
    now = now or datetime.datetime.now(datetime.timezone.utc)
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    return f"{duration_words(datetime.timedelta(seconds=seconds))} ago"


def parse_iso(value: Optional[str]) -> Optional[datetime.datetime]:
    return datetime.datetime.fromisoformat(value) if value else None


def service_status(sync_type: Optional[str], sync: Optional[dict]) -> str:
    """The badge of a service: a failed last attempt wins over the age of the last success,
    because the administrator has something to fix."""
    if not sync_type:
        return "no-sync-type"
    if sync is None:
        return "never-synced"
    if sync.get("last_error"):
        return "failed"
    if not sync.get("last_sync"):
        return "never-synced"
    if sync.get("out_of_sync"):
        return "out-of-sync"
    return "synced"


def out_of_sync_words() -> str:
    return duration_words(OUT_OF_SYNC)
