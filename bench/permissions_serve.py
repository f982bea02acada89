"""The app served by waitress in a process of its own, for the HTTP run of
``bench.permissions_benchmark`` (clients in the benchmark's process would share its interpreter
lock with the server and measure that instead).

    python -m bench.permissions_serve DATABASE_URL FRESHNESS

Prints ``{"port": N}`` once listening on a free port of 127.0.0.1; stops when stdin closes.
"""
import json
import sys
import threading

import waitress

import magpie
from tests.support.live_app import app_settings


def main(url: str, freshness: str) -> None:
    app = magpie.main({}, **app_settings(url, **{"magpie.api.validate_responses": "false",
                                                 "magpie.decisions.freshness": freshness}))
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    print(json.dumps({"port": server.effective_port}), flush=True)
    threading.Thread(target=server.run, daemon=True).start()
    sys.stdin.read()  # until the benchmark closes our stdin
    server.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
