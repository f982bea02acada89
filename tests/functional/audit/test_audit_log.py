"""GET /audit: administrators only, newest first, filtered by service, user and time, read a page at
a time; and the retention: old entries pruned at start-up and once a day by a write."""
import datetime
import urllib.parse

import pytest
import sqlalchemy as sa

import magpie
from magpie import audit, models

UTC = datetime.timezone.utc
T0 = (datetime.datetime.now(UTC) - datetime.timedelta(days=10)).replace(microsecond=0)
HOUR = datetime.timedelta(hours=1)


def query(**params) -> str:
    return "/audit?" + urllib.parse.urlencode(params)


def ids(answer) -> list:
    return [entry["id"] for entry in answer.json["entries"]]


def window(**params) -> str:
    """The entries of these tests only (start-up writes its own, now)."""
    return query(since=T0.isoformat(), until=(T0 + 4 * HOUR).isoformat(), **params)


def test_only_administrators_read_the_log(app, api, create_user):
    assert app.get("/audit", status=401).json["code"] == 401
    alice = create_user("alice", "alice-password-1")
    assert app.get("/audit", headers=alice, status=403).json["code"] == 403
    assert api.get("/audit").json["next_cursor"] is None


@pytest.fixture
def entries(api, add_entry):
    thredds = api.post("/services", {"service_name": "thredds", "service_type": "thredds",
                                     "service_url": "http://127.0.0.1:9/thredds"}, status=201).json["service"]
    sid = thredds["resource_id"]
    return {
        "service_id": sid,
        "e1": add_entry(T0, "user.create", user_name="alice"),
        "e2": add_entry(T0 + HOUR, "permission.grant", actor="alice", service_id=sid, user_name="bob",
                        after={"permission": "read-allow-recursive"}),
        "e3": add_entry(T0 + 2 * HOUR, "permission.grant", actor="system", service_id=sid, group_name="g"),
        "e4": add_entry(T0 + 3 * HOUR, "service.delete", service_id=999_999),
        "e5": add_entry(T0 + 3 * HOUR, "user.update", user_name="carol"),  # same time as e4: the id orders them
    }


def test_entries_come_newest_first_with_their_fields(api, entries):
    answer = api.get(window())
    assert ids(answer) == [entries[name] for name in ("e5", "e4", "e3", "e2", "e1")]
    e2 = answer.json["entries"][3]
    assert e2 == {"id": entries["e2"], "at": (T0 + HOUR).isoformat(), "actor": "alice", "action": "permission.grant",
                  "service_id": entries["service_id"], "resource_id": None, "user_name": "bob", "group_name": None,
                  "before": None, "after": {"permission": "read-allow-recursive"}}


def test_filters_by_service_name_or_id_even_once_deleted(api, entries):
    assert ids(api.get(window(service="thredds"))) == [entries["e3"], entries["e2"]]
    assert ids(api.get(window(service=str(entries["service_id"])))) == [entries["e3"], entries["e2"]]
    assert ids(api.get(window(service="999999"))) == [entries["e4"]]
    assert api.get(query(service="nope"), status=404).json["detail"] == "no service 'nope'"


def test_user_matches_entries_about_the_user_and_made_by_the_user(api, entries):
    assert ids(api.get(window(user="alice"))) == [entries["e2"], entries["e1"]]  # made by, then about
    assert ids(api.get(window(user="bob"))) == [entries["e2"]]
    assert ids(api.get(window(user="nobody"))) == []


def test_since_is_inclusive_until_exclusive_and_both_need_a_time_zone(api, entries):
    since, until = T0 + HOUR, T0 + 3 * HOUR
    assert ids(api.get(query(since=since.isoformat(), until=until.isoformat()))) == [entries["e3"], entries["e2"]]
    plus_two = datetime.timezone(datetime.timedelta(hours=2))  # the same instants, written in another zone
    assert ids(api.get(query(since=since.astimezone(plus_two).isoformat(),
                             until=until.astimezone(plus_two).isoformat()))) == [entries["e3"], entries["e2"]]
    assert ids(api.get(query(since=since.strftime("%Y-%m-%dT%H:%M:%SZ"), until=until.isoformat()))) == \
        [entries["e3"], entries["e2"]]
    naive = api.get(query(since=since.replace(tzinfo=None).isoformat()), status=400).json
    assert naive["fields"][0]["field"] == "since"
    lower = since.strftime("%Y-%m-%dt%H:%M:%Sz")  # RFC 3339 allows lower case
    assert ids(api.get(query(since=lower, until=until.isoformat()))) == [entries["e3"], entries["e2"]]
    unbounded = ids(api.get(query(since=since.isoformat(), until="9999-12-31T23:59:59-23:59")))  # past 9999 in UTC
    assert unbounded[-4:] == [entries[name] for name in ("e5", "e4", "e3", "e2")]


def test_pages_follow_the_cursor_without_repeats_even_when_entries_arrive(api, entries, add_entry):
    first = api.get(window(limit=2)).json
    assert [entry["id"] for entry in first["entries"]] == [entries["e5"], entries["e4"]]
    add_entry(T0 + 3 * HOUR + datetime.timedelta(minutes=30), "user.update", user_name="late")  # newer than all
    second = api.get(window(limit=2, cursor=first["next_cursor"])).json
    assert [entry["id"] for entry in second["entries"]] == [entries["e3"], entries["e2"]]
    third = api.get(window(limit=2, cursor=second["next_cursor"])).json
    assert [entry["id"] for entry in third["entries"]] == [entries["e1"]] and third["next_cursor"] is None
    assert api.get(query(cursor="not-a-cursor"), status=400).json["fields"][0]["field"] == "cursor"
    beyond = api.get(query(cursor="999999999999999999.9999999999", since=T0.isoformat())).json  # past any entry
    assert ids(api.get(query(since=T0.isoformat()))) == [entry["id"] for entry in beyond["entries"]]
    assert api.get(query(limit=0), status=400).json["code"] == 400


def test_changes_made_through_the_api_are_listed(api):
    api.post("/services", {"service_name": "wps", "service_type": "wps", "service_url": "http://127.0.0.1:9/wps"},
             status=201)
    service = api.get("/services/wps").json["service"]
    api.post("/services/wps/resources", {"resource_name": "hello", "resource_type": "process"}, status=201)
    newest = api.get(query(service="wps")).json["entries"][0]
    assert (newest["action"], newest["actor"], newest["service_id"]) == \
        ("resource.create", "admin", service["resource_id"])


# --- retention -------------------------------------------------------------------------------

def count_at(session, tm, at) -> int:
    with tm:
        return session.execute(sa.select(sa.func.count()).select_from(models.AuditEntry)
                               .where(models.AuditEntry.at == at)).scalar()


def test_startup_prunes_entries_older_than_the_retention(app_settings, session, tm, add_entry):
    now = datetime.datetime.now(UTC).replace(microsecond=0)
    old, recent = now - datetime.timedelta(days=31), now - datetime.timedelta(days=29)
    add_entry(old)
    add_entry(recent)
    magpie.main({}, **{**app_settings, "magpie.audit_retention_days": "30"})
    assert (count_at(session, tm, old), count_at(session, tm, recent)) == (0, 1)
    with tm:
        pruned = session.execute(sa.select(models.AuditEntry).where(models.AuditEntry.action == "audit.prune")
                                 ).scalar_one()
        assert (pruned.actor, pruned.after["deleted"], pruned.after["retention_days"]) == ("system", 1, 30)


def test_zero_days_keeps_entries_forever(app_settings, session, tm, add_entry):
    ancient = datetime.datetime(2001, 1, 1, tzinfo=UTC)
    add_entry(ancient)
    magpie.main({}, **{**app_settings, "magpie.audit_retention_days": "0"})
    assert count_at(session, tm, ancient) == 1


def test_a_running_process_prunes_on_a_write_at_most_once_a_day(session, tm, add_entry):
    clock = [1000.0]
    audit.configure_retention(30, clock=lambda: clock[0])  # as at start-up, which has just pruned
    old = datetime.datetime.now(UTC).replace(microsecond=0) - datetime.timedelta(days=40)

    def write():
        with tm:
            audit.record(session, "tester", "test.change", changes_access=False)

    add_entry(old)
    write()
    assert count_at(session, tm, old) == 1  # start-up pruned a moment ago: not again yet
    clock[0] += audit.PRUNE_INTERVAL
    write()
    assert count_at(session, tm, old) == 0  # a day later, the first write prunes
    add_entry(old)
    clock[0] += audit.PRUNE_INTERVAL / 2
    write()
    write()
    assert count_at(session, tm, old) == 1  # within the day: writes do not prune again
    clock[0] += audit.PRUNE_INTERVAL / 2
    write()
    assert count_at(session, tm, old) == 0
