"""The ``egg:magpie#main`` server runner: waitress on 127.0.0.1.

PasteDeploy lets an ini file's ``[DEFAULT]`` win over variables given on the command line, so a
default port written there could never be overridden by ``pserve development.ini http_port=NNNN``.
The default lives here instead.
"""
import waitress

DEFAULT_PORT = 6543


def serve(app, global_conf, host: str = "127.0.0.1", port=None, **waitress_options) -> None:
    port = port or global_conf.get("http_port") or DEFAULT_PORT
    waitress.serve(app, host=host, port=int(port), **waitress_options)
