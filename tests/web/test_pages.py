"""What the admin pages answer before any script runs (WebTest, no browser): sign-in and its CSRF
token, redirects, error pages without internals, headers, escaping. The API keeps its JSON."""
import base64
import re
import shutil

import pytest
import sqlalchemy as sa
import webtest

import magpie
from magpie import db, models
from magpie.accounts import users
from magpie.ui import STATIC_DIR
from tests.support.live_app import ADMIN_PASSWORD, ADMIN_USER, app_settings

TRACE_MARKERS = ("Traceback", "File \"", "sqlalchemy", "OperationalError", "Exception")


@pytest.fixture
def app(settings):
    return webtest.TestApp(magpie.main({}, **app_settings(settings["sqlalchemy.url"])))


def form_token(page) -> str:
    return page.html.find("input", attrs={"name": "csrf_token"})["value"]


def signin(app, user_name=ADMIN_USER, password=ADMIN_PASSWORD, next_page=None):
    form = app.get("/ui/signin" + (f"?next={next_page}" if next_page else ""))
    return app.post("/ui/signin", {"user_name": user_name, "password": password, "csrf_token": form_token(form),
                                   "next": form.html.find("input", attrs={"name": "next"})["value"]})


def basic_auth() -> dict:
    token = base64.b64encode(f"{ADMIN_USER}:{ADMIN_PASSWORD}".encode("utf-8")).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def assert_no_internals(answer):
    assert answer.content_type == "text/html"
    for marker in TRACE_MARKERS:
        assert marker not in answer.text, marker


def test_signed_out_pages_redirect_to_signin_and_back(app):
    answer = app.get("/ui/services/7?x=1", status=303)
    assert answer.location.endswith("/ui/signin?next=%2Fui%2Fservices%2F7%3Fx%3D1")
    assert app.get("/ui", status=303).location.endswith("/ui/services")
    assert app.get("/ui/", status=303).location.endswith("/ui/services")
    form = app.get(answer.location)
    assert form.html.find("input", attrs={"name": "next"})["value"] == "/ui/services/7?x=1"
    landed = signin(app, next_page="%2Fui%2Fservices")
    assert landed.status_int == 303 and landed.location.endswith("/ui/services")
    page = app.get("/ui/services")
    assert "Signed in as" in page.text and ADMIN_USER in page.text
    # A signed-in administrator opening the form goes straight on.
    assert app.get("/ui/signin", status=303).location.endswith("/ui/services")


def test_signin_needs_the_form_token_and_right_password(app, caplog):
    form = app.get("/ui/signin")
    token = form_token(form)
    refused = app.post("/ui/signin", {"user_name": ADMIN_USER, "password": ADMIN_PASSWORD}, status=400)
    assert "expired" in refused.text
    refused = app.post("/ui/signin", {"user_name": ADMIN_USER, "password": ADMIN_PASSWORD, "csrf_token": "forged"},
                       status=400)
    wrong = app.post("/ui/signin", {"user_name": ADMIN_USER, "password": "nope", "csrf_token": token}, status=401)
    assert "Wrong user name or password" in wrong.text
    assert wrong.html.find("input", attrs={"name": "user_name"})["value"] == ADMIN_USER
    huge = app.post("/ui/signin", {"user_name": ADMIN_USER, "password": "x" * 5000, "csrf_token": token}, status=401)
    assert "Wrong user name or password" in huge.text
    app.get("/ui/services", status=303)
    app.post("/ui/signin", {"user_name": ADMIN_USER, "password": ADMIN_PASSWORD, "csrf_token": token}, status=303)
    app.get("/ui/services", status=200)


def test_signin_from_another_site_is_refused(app):
    token = form_token(app.get("/ui/signin"))
    answer = app.post("/ui/signin", {"user_name": ADMIN_USER, "password": ADMIN_PASSWORD, "csrf_token": token},
                      headers={"Origin": "http://evil.example"}, status=403)
    assert "another site" in answer.text
    assert_no_internals(answer)
    app.get("/ui/services", status=303)


@pytest.mark.parametrize("target", ["//evil.example/ui/", "http://evil.example/", "/ui/..\\evil", "/api/docs",
                                    "/ui//evil.example"])
def test_signin_never_sends_elsewhere(app, target):
    landed = signin(app, next_page=target)
    assert landed.location.endswith("/ui/services") and "evil" not in landed.location


def test_signout_is_a_post_with_the_token(app):
    signin(app)
    page = app.get("/ui/services")
    token = form_token(page)
    assert page.html.find("form", attrs={"action": "/ui/signout"}) is not None
    assert app.get("/ui/signout").html.find("form", attrs={"action": "/ui/signout"}) is not None
    answer = app.post("/ui/signout", {}, status=403)
    assert_no_internals(answer)
    app.get("/ui/services", status=200)
    out = app.post("/ui/signout", {"csrf_token": token}, status=303)
    assert out.location.endswith("/ui/signin?signed_out=1")
    assert "You are signed out" in app.get(out.location).text
    app.get("/ui/services", status=303)
    assert app.get("/ui/signout", status=303).location.endswith("/ui/signin")


def test_non_administrators_see_a_403_page(app, session, tm):
    with tm:
        user = models.User(user_name="alice", email="alice@example.invalid", status=1)
        users.UserService.set_password(user, "alice-password-1")
        session.add(user)
    signin(app, "alice", "alice-password-1")
    answer = app.get("/ui/services", status=403)
    assert "User alice is not an administrator" in answer.text
    assert answer.html.find("form", attrs={"action": "/ui/signout"}) is not None
    assert_no_internals(answer)


def test_error_pages_are_html_and_the_api_keeps_json(app):
    signin(app)
    missing = app.get("/ui/services/999", status=404)
    assert "no service '999'" in missing.html.get_text()
    assert_no_internals(missing)
    assert "There is no page at /ui/nothing" in app.get("/ui/nothing", status=404).text
    app.get("/ui/static/nothing.css", status=404)
    assert app.get("/services/999", status=404).json["code"] == 404
    assert app.get("/nothing", status=404).json["code"] == 404


def test_unexpected_errors_show_no_internals(sqlite_template, tmp_path, caplog):
    # SQLite only: the test drops a table, which the shared PostgreSQL database must keep.
    shutil.copy(sqlite_template, tmp_path / "magpie.sqlite")
    database_url = f"sqlite:///{tmp_path / 'magpie.sqlite'}"
    app = webtest.TestApp(magpie.main({}, **app_settings(database_url)))
    app.post_json("/services", {"service_name": "thredds", "service_type": "thredds",
                                "service_url": "http://127.0.0.1:9/thredds"}, headers=basic_auth())
    signin(app)
    with db.get_engine({"sqlalchemy.url": database_url}).begin() as connection:
        connection.execute(sa.text("DROP TABLE remote_resources_sync_info"))
    answer = app.get("/ui/services", status=500)
    assert "Something went wrong" in answer.text
    assert_no_internals(answer)
    assert "unexpected error on GET /ui/services" in caplog.text


def test_headers_static_files_and_escaping(app):
    app.post_json("/services", {"service_name": "<img src=x onerror=alert(1)>", "service_type": "thredds",
                                "service_url": "http://127.0.0.1:9/thredds", "service_sync_type": "thredds"},
                  headers=basic_auth(), status=201)
    signin(app)
    page = app.get("/ui/services")
    assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in page.text and " style=" not in page.text  # the policy allows nothing inline
    script_url = re.search(r'src="([^"]*/ui/static/common\.js\?x=[0-9a-f]+)"', page.text).group(1)
    css_url = re.search(r'href="([^"]*/ui/static/magpie\.css\?x=[0-9a-f]+)"', page.text).group(1)
    script = app.get(script_url)
    assert script.content_type in ("application/javascript", "text/javascript")
    assert app.get(css_url).content_type == "text/css"
    tree_page = app.get(page.html.find("a", class_="service-name")["href"])
    assert tree_page.html.find(id="tree-page")["data-tree-url"].endswith("/resources")
    assert tree_page.html.find("meta", attrs={"name": "csrf-token"})["content"] == form_token(tree_page)
    actions = {button["data-action"] for button in tree_page.html.select("button[data-action]")}
    assert {"sync", "preview", "clean"} <= actions
    assert tree_page.html.find("ul", id="tree")["role"] == "tree"


def test_the_tree_page_loads_each_of_its_modules_in_order(app):
    """Plain scripts, no build step: every ``tree_*.js`` module is on the page, after common.js
    and before tree_page.js, which assembles them, and before the scripts that extend the page."""
    app.post_json("/services", {"service_name": "thredds", "service_type": "thredds",
                                "service_url": "http://127.0.0.1:9/thredds", "service_sync_type": "thredds"},
                  headers=basic_auth(), status=201)
    signin(app)
    services = app.get("/ui/services")
    tree_page = app.get(services.html.find("a", class_="service-name")["href"])
    sources = [script["src"] for script in tree_page.html.find_all("script")]
    names = [re.search(r"/ui/static/([a-z_]+\.js)\?x=[0-9a-f]+$", src).group(1) for src in sources]
    extensions = ("sync_jobs.js", "tree_clean.js", "permissions.js")  # they use window.magpieTree
    modules = {path.name for path in STATIC_DIR.glob("tree_*.js")} - set(extensions) - {"tree_page.js"}
    assert modules | set(extensions) <= set(names), f"not on the tree page: {sorted(modules - set(names))}"
    assert names[0] == "common.js"
    assert max(names.index(name) for name in modules) < names.index("tree_page.js")
    assert names.index("tree_page.js") < min(names.index(name) for name in extensions)
    assert all(tree_page.html.find("script", src=src).has_attr("defer") for src in sources)
    for src in sources:
        assert app.get(src).content_type in ("application/javascript", "text/javascript")


def test_services_page_offers_the_register_form(app):
    """The form the services page's script drives: every control labelled, the registered sync
    types to choose from, and the API routes it calls."""
    signin(app)
    form = app.get("/ui/services").html.find("form", id="service-form")
    assert form is not None
    assert form["data-services-url"] == "/services" and form["data-test-url"] == "/services/test"
    for field in form.find_all(["input", "select", "textarea"]):
        assert form.find("label", attrs={"for": field["id"]}).get_text().strip(), field["name"]
    names = {field["name"] for field in form.find_all(["input", "select", "textarea"])}
    assert names == {"service_name", "service_type", "service_url", "service_sync_type", "configuration",
                     "kind", "username", "password", "token"}
    sync_types = [option["value"] for option in form.find("select", attrs={"name": "service_sync_type"}).find_all("option")]
    assert {"thredds", "geoserver-api", "stac", ""} <= set(sync_types)
    assert [button.get_text() for button in form.find_all("button")] == ["Test connection", "Register"]
