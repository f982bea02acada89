"""Sign-in abuse: failed sign-ins counted per account in the database (over the form, the API and
HTTP Basic), the rate limit per client address, lifting a lockout, Argon2id hashes, and sessions
that end on the server."""
import logging

import pytest
import sqlalchemy as sa
import webtest
from passlib.hash import pbkdf2_sha256

import magpie
from magpie import models
from tests.functional.accounts.conftest import signed_in
from tests.functional.api.conftest import ADMIN_PASSWORD, ADMIN_USER, basic

PASSWORD = "a-long-password-1"
ALICE = {"REMOTE_ADDR": "192.0.2.10"}


def signin(app, user_name, password, status, addr=ALICE):
    return app.post_json("/signin", {"user_name": user_name, "password": password}, status=status,
                         extra_environ=addr)


def lock(app, user_name, times=10, addr=ALICE):
    for _ in range(times):
        signin(app, user_name, "wrong-password", 401, addr)


def test_failed_signins_lock_the_account_whatever_the_password(app, new_user, caplog):
    new_user("alice", PASSWORD)
    caplog.set_level(logging.WARNING)
    lock(app, "alice", 9)
    signin(app, "alice", PASSWORD, 200)  # a success forgets the failures
    lock(app, "alice", 10)
    locked = [r.getMessage() for r in caplog.records if "locked for" in r.getMessage()]
    assert locked == ["user 'alice' locked for 900 s after 10 failed sign-ins"]
    answer = signin(app, "alice", PASSWORD, 429)
    assert answer.json["code"] == 429 and "locked" in answer.json["detail"]
    assert 0 < int(answer.headers["Retry-After"]) <= 900
    assert PASSWORD not in caplog.text


def test_the_lockout_survives_a_restart_and_holds_in_every_process(app, app_settings, new_user):
    new_user("alice", PASSWORD)
    lock(app, "alice")
    another = webtest.TestApp(magpie.main({}, **app_settings))  # a new process has no memory of its own
    assert signin(another, "alice", PASSWORD, 429, {"REMOTE_ADDR": "198.51.100.7"}).headers["Retry-After"]


def test_basic_failures_count_and_a_locked_basic_caller_gets_429(app, new_user):
    new_user("alice", PASSWORD)
    for _ in range(10):
        app.get("/users/current", headers=basic("alice", "wrong-password"), status=401, extra_environ=ALICE)
    answer = app.get("/users/current", headers=basic("alice", PASSWORD), status=429, extra_environ=ALICE)
    assert answer.json["code"] == 429 and int(answer.headers["Retry-After"]) > 0
    # The form says it in words.
    form = app.get("/ui/signin")
    page = app.post("/ui/signin", {"user_name": "alice", "password": PASSWORD,
                                   "csrf_token": form.html.find("input", {"name": "csrf_token"})["value"]},
                    status=429, extra_environ=ALICE)
    assert "Too many failed sign-ins" in page.text and page.headers["Retry-After"]


def test_an_address_is_limited_whatever_the_names_it_tries(app_settings, new_user, caplog):
    app = webtest.TestApp(magpie.main({}, **app_settings, **{"magpie.signin.rate_limit": "5/minute"}))
    caplog.set_level(logging.WARNING)
    for number in range(5):
        signin(app, f"nobody-{number}", "wrong-password", 401)
    answer = signin(app, ADMIN_USER, ADMIN_PASSWORD, 429)
    signin(app, ADMIN_USER, ADMIN_PASSWORD, 429)
    assert [r.getMessage() for r in caplog.records if "throttled" in r.getMessage()] == [
        "sign-ins from 192.0.2.10 throttled: 5 per 1 minute failed"]
    assert "address" in answer.json["detail"] and int(answer.headers["Retry-After"]) <= 60
    app.get("/services", headers=basic(ADMIN_USER, ADMIN_PASSWORD), status=429, extra_environ=ALICE)
    signin(app, ADMIN_USER, ADMIN_PASSWORD, 200, {"REMOTE_ADDR": "198.51.100.7"})  # another address
    # The address is that of the connection, not of a header anyone can send.
    signin(app, ADMIN_USER, ADMIN_PASSWORD, 429, {**ALICE, "HTTP_X_FORWARDED_FOR": "203.0.113.9"})


def test_an_administrator_lifts_a_lockout(app, api, new_user, audit_entries):
    new_user("alice", PASSWORD)
    lock(app, "alice")
    state = api.get("/users/alice/lockout").json
    assert state["user_name"] == "alice" and state["failed_sign_ins"] == 10 and state["locked"] is True
    assert 0 < state["retry_after"] <= 900
    assert api.delete("/users/alice/lockout").json == {"user_name": "alice", "failed_sign_ins": 0, "locked": False,
                                                       "retry_after": None}
    assert [entry["user_name"] for entry in audit_entries("user.unlock")] == ["alice"]
    signin(app, "alice", PASSWORD, 200)
    app.get("/users/alice/lockout", headers=basic("alice", PASSWORD), status=403)


def test_new_passwords_are_argon2id_and_pbkdf2_ones_are_upgraded_at_sign_in(owasp_hashing, app, new_user, session,
                                                                             tm):
    new_user("alice", PASSWORD)
    with tm:
        assert session.execute(sa.select(models.User.user_password)
                               .where(models.User.user_name == "alice")).scalar().startswith("$argon2id$")
        session.execute(sa.update(models.User).where(models.User.user_name == "alice")
                        .values(user_password=pbkdf2_sha256.hash(PASSWORD)))
    signin(app, "alice", "wrong-password", 401)
    signin(app, "alice", PASSWORD, 200)
    with tm:
        stored = session.execute(sa.select(models.User.user_password).where(models.User.user_name == "alice")).scalar()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    app.get("/users/current", headers=basic("alice", PASSWORD))


def test_signing_out_ends_the_session_even_for_a_replayed_cookie(wsgi_app, count_rows):
    client, csrf = signed_in(wsgi_app, ADMIN_USER, ADMIN_PASSWORD)
    cookie = client.cookies["magpie_session"]
    assert count_rows(models.UserSession) == 1
    client.get("/signout")
    assert count_rows(models.UserSession) == 0
    replay = webtest.TestApp(wsgi_app)
    replay.set_cookie("magpie_session", cookie)
    assert replay.get("/session").json["authenticated"] is False
    replay.get("/services", status=401)


def test_sessions_expire_and_end_when_the_user_is_locked_or_changes_password(wsgi_app, api, new_user, session, tm,
                                                                              count_rows):
    new_user("alice", PASSWORD)
    alice, _ = signed_in(wsgi_app, "alice", PASSWORD)
    api.patch("/users/alice", {"status": "Locked"})
    assert count_rows(models.UserSession) == 0
    api.patch("/users/alice", {"status": "OK"})
    alice.get("/users/current", status=401)
    alice, _ = signed_in(wsgi_app, "alice", PASSWORD)
    api.patch("/users/alice", {"password": "another-long-password"})
    assert count_rows(models.UserSession) == 0
    admin, _ = signed_in(wsgi_app, ADMIN_USER, ADMIN_PASSWORD)
    admin.get("/services")
    with tm:
        session.execute(sa.update(models.UserSession).values(expires=models.utcnow()))
    admin.get("/services", status=401)


def test_unknown_user_names_and_locked_accounts_are_told_apart_by_nothing_but_the_lockout(app, new_user):
    """Same answer for an unknown user and a wrong password (the timing is the bench's figure)."""
    new_user("alice", PASSWORD)
    unknown = signin(app, "nobody", PASSWORD, 401).json
    wrong = signin(app, "alice", "wrong-password", 401).json
    assert unknown == wrong
