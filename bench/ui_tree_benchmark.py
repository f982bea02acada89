"""The tree page of a service with 1,000,000 remote nodes in Chromium: first paint, expanding a
node, filtering (target: under 2 s each); prints the figures of each run and their medians.

    .venv/bin/python -m bench.ui_tree_benchmark                       # SQLite, 1,000,100 remote nodes
    .venv/bin/python -m bench.ui_tree_benchmark --database postgresql --runs 3
    .venv/bin/python -m bench.ui_tree_benchmark --dirs 10 --local-every 1   # the 100,000-node tree, all local

It serves the app with waitress on 127.0.0.1 (responses not checked against the OpenAPI document,
as in production), a THREDDS catalog of the tree on 127.0.0.1, syncs it through the API, writes
the local tree (one file in ``--local-every`` registered, every directory, one gone file in every
tenth sub-directory), and opens the page in Debian's Chromium (/usr/bin/chromium) through
Playwright. "Usable" is the moment, measured in the page from navigation start, when the first
level is painted and the main thread is free to answer a click; expanding and filtering are
timed from the click or the typing to the next frame after the server's answer is shown (the
filter waits 150 ms after typing before asking). The status filters (``status=remote_only``,
about every node, and ``status=gone``, a few) are timed as requests from the page, answer
parsed. Nothing here asserts.
"""
import argparse
import contextlib
import statistics
import sys

from bench.sync_benchmark import temp_database
from tests.browser.large_tree import (LargeTreeShape, describe, filter_request_ms, measure_filter, measure_tree_page,
                                      service_with_large_tree)
from tests.support.live_app import CHROMIUM, CHROMIUM_ARGS, WIDE, LiveApp, app_settings, sign_in
from tests.support.remote_server import RemoteServer


#: Milliseconds for one GET from the page (its session), the JSON answer parsed; and its filter.
REQUEST_SCRIPT = """(url) => {
  const start = performance.now();
  return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(response => response.json())
    .then(json => ({ms: performance.now() - start, filter: json.filter || null}));
}"""

#: The status filters timed, with their labels.
STATUSES = (("remote_only", "status=remote_only request"), ("gone", "status=gone request"))


def run(args) -> int:
    from playwright.sync_api import sync_playwright

    shape = LargeTreeShape(dirs=args.dirs, subdirs=args.subdirs, files=args.files, local_every=args.local_every)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(temp_database(args.database))
        remote = RemoteServer().start()
        stack.callback(remote.stop)
        app = LiveApp(app_settings(url, **{"magpie.api.validate_responses": "false", "magpie.environment": "test",
                                           "magpie.remote.allowed_networks": "127.0.0.0/8"})).start()
        stack.callback(app.stop)
        service_id = service_with_large_tree(app, remote, shape)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        figures = {"usable": [], "expand_first_level": [], "expand_second_level": [], "filter": [],
                   "filter_request": [], **{f"status_{name}": [] for name, _ in STATUSES}}
        for number in range(1, args.runs + 1):
            context = browser.new_context(base_url=app.url, viewport=WIDE)
            page = context.new_page()
            sign_in(page)
            timings = measure_tree_page(page, service_id)
            timings["filter"] = measure_filter(page, args.filter)
            timings["filter_request"] = filter_request_ms(page)
            statuses = []
            for name, _ in STATUSES:
                answer = page.evaluate(REQUEST_SCRIPT, f"/services/{service_id}/resources?sync=true&status={name}")
                timings[f"status_{name}"] = answer["ms"]
                statuses.append(f"status={name} ({answer['filter']['matches']:,} matches, "
                                f"{answer['filter']['shown']:,} shown) {answer['ms']:.0f} ms")
            context.close()
            for key, values in figures.items():
                values.append(timings[key] / 1000)
            print(f"run {number} ({args.database}): {describe(timings, shape.merged_nodes)}; "
                  f"{', '.join(statuses)}", flush=True)
        print(f"medians over {args.runs} runs ({args.database}, {shape.remote_nodes:,} remote nodes, "
              f"{shape.merged_nodes:,} in the merged tree), target < 2 s each:")
        for key, label in (("usable", "first paint, usable"), ("expand_first_level", "expand a first-level node"),
                           ("expand_second_level", "expand a second-level node"),
                           ("filter", f"filter {args.filter!r} to matches shown"),
                           ("filter_request", "of which the filter's request"),
                           *((f"status_{name}", label) for name, label in STATUSES)):
            values = figures[key]
            print(f"  {label}: {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="ui_tree_benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dirs", type=int, default=100)
    parser.add_argument("--local-every", type=int, default=100)
    parser.add_argument("--filter", default="f04")
    parser.add_argument("--subdirs", type=int, default=LargeTreeShape.subdirs)
    parser.add_argument("--files", type=int, default=LargeTreeShape.files)
    parser.add_argument("--chromium", default=CHROMIUM)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
