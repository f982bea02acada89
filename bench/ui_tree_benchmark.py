"""How long the tree page of a service with about 100,000 resources takes to become usable in
Chromium: prints the figure of issue "Admin UI" for each run and their median.

    .venv/bin/python -m bench.ui_tree_benchmark                       # SQLite, 3 runs
    .venv/bin/python -m bench.ui_tree_benchmark --database postgresql --runs 5

It serves the app with waitress on 127.0.0.1 (responses not checked against the OpenAPI document,
as in production), a THREDDS catalog of the tree on 127.0.0.1, syncs it through the API, writes the
matching local tree, and opens the page in Debian's Chromium (/usr/bin/chromium) through
Playwright. "Usable" is the moment, measured in the page from navigation start, when the first
level is painted and the main thread is free to answer a click. Nothing here asserts.
"""
import argparse
import contextlib
import statistics
import sys

from bench.sync_benchmark import temp_database
from tests.browser.large_tree import LargeTreeShape, describe, measure_tree_page, service_with_large_tree
from tests.support.live_app import CHROMIUM, CHROMIUM_ARGS, WIDE, LiveApp, app_settings, sign_in
from tests.support.remote_server import RemoteServer


def run(args) -> int:
    from playwright.sync_api import sync_playwright

    shape = LargeTreeShape(dirs=args.dirs, subdirs=args.subdirs, files=args.files)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(temp_database(args.database))
        remote = RemoteServer().start()
        stack.callback(remote.stop)
        app = LiveApp(app_settings(url, **{"magpie.api.validate_responses": "false",
                                           "magpie.environment": "test"})).start()
        stack.callback(app.stop)
        service_id = service_with_large_tree(app, remote, shape)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        usable = []
        for number in range(1, args.runs + 1):
            context = browser.new_context(base_url=app.url, viewport=WIDE)
            page = context.new_page()
            sign_in(page)
            timings = measure_tree_page(page, service_id)
            context.close()
            usable.append(timings["usable"] / 1000)
            print(f"run {number} ({args.database}): {describe(timings, shape.merged_nodes)}", flush=True)
        print(f"median over {args.runs} runs ({args.database}): tree of {shape.merged_nodes:,} nodes usable "
              f"{statistics.median(usable):.2f} s after navigation (min {min(usable):.2f} s, max {max(usable):.2f} s)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="ui_tree_benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dirs", type=int, default=LargeTreeShape.dirs)
    parser.add_argument("--subdirs", type=int, default=LargeTreeShape.subdirs)
    parser.add_argument("--files", type=int, default=LargeTreeShape.files)
    parser.add_argument("--chromium", default=CHROMIUM)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
