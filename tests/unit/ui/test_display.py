"""Words the pages use for times and sync states (no browser needed)."""
import datetime

import pytest

from magpie.ui import display

NOW = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("seconds, words", [
    (0, "just now"), (59, "just now"), (-30, "just now"), (60, "1 minute ago"), (150, "2 minutes ago"),
    (3600, "1 hour ago"), (3 * 3600 + 1200, "3 hours ago"), (86400, "1 day ago"), (40 * 86400, "1 month ago"),
    (800 * 86400, "2 years ago"),
])
def test_time_ago(seconds, words):
    assert display.time_ago(NOW - datetime.timedelta(seconds=seconds), NOW) == words


def test_time_ago_never_and_iso_times():
    assert display.time_ago(None, NOW) == "never"
    assert display.time_ago(display.parse_iso("2024-05-01T09:00:00.123456+00:00"), NOW) == "2 hours ago"
    assert display.parse_iso(None) is None


def test_out_of_sync_in_words_follows_the_sync_module():
    assert display.out_of_sync_words() == display.duration_words(display.OUT_OF_SYNC)
    assert display.duration_words(datetime.timedelta(hours=3)) == "3 hours"
    assert display.duration_words(datetime.timedelta(seconds=1)) == "1 second"


@pytest.mark.parametrize("sync_type, sync, status", [
    (None, {"last_sync": "x", "last_error": None, "out_of_sync": False}, "no-sync-type"),
    ("thredds", None, "never-synced"),
    ("thredds", {"last_sync": None, "last_error": None, "out_of_sync": True}, "never-synced"),
    ("thredds", {"last_sync": None, "last_error": "HTTP 500", "out_of_sync": True}, "failed"),
    ("thredds", {"last_sync": "x", "last_error": "HTTP 500", "out_of_sync": False}, "failed"),
    ("thredds", {"last_sync": "x", "last_error": None, "out_of_sync": True}, "out-of-sync"),
    ("thredds", {"last_sync": "x", "last_error": None, "out_of_sync": False}, "synced"),
])
def test_service_status(sync_type, sync, status):
    assert display.service_status(sync_type, sync) == status
    assert status in display.SERVICE_STATUS_LABELS
