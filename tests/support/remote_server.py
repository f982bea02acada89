"""A real HTTP server on 127.0.0.1 that answers with documents the test gives it.

Tests register routes (a body, a status, a delay, a redirect); the server runs in a thread on a
free port and is stopped through its own handle.
"""
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, List, Optional, Union

import yaml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_bytes(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def cassette_body(relative: str, index: int = 0) -> bytes:
    """Body of interaction ``index`` of a recorded VCR cassette."""
    document = yaml.safe_load((FIXTURES / relative).read_text(encoding="utf-8"))
    body = document["interactions"][index]["response"]["body"]["string"]
    return body.encode("utf-8") if isinstance(body, str) else body


class QuietHandler(BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1, no request log, and no Nagle delay: headers and body leave in separate
    writes, and Nagle's algorithm with delayed ACKs would add ~40 ms to every request."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass
class Route:
    body: Union[bytes, Callable[[], bytes]] = b""
    status: int = 200
    content_type: str = "application/xml"
    delay: float = 0.0
    location: Optional[str] = None
    trickle: float = 0.0  # seconds between chunks of 16 bytes: a slow-loris remote
    fail_first: int = 0  # answer this many requests with fail_status (or drop them) first
    fail_status: int = 503  # 0: close the connection without an answer


@dataclass
class RemoteServer:
    routes: Dict[str, Route] = field(default_factory=dict)
    requests: List[str] = field(default_factory=list)
    #: Headers every request must carry (a protected service): 401 otherwise.
    required_headers: Dict[str, str] = field(default_factory=dict)
    #: The headers of each request, in order (what a protected service was sent).
    received_headers: List[Dict[str, str]] = field(default_factory=list)

    def add(self, path: str, body: Union[bytes, str, Callable[[], bytes]] = b"", **options) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body=body, **options)
        return self.url + path

    def start(self) -> "RemoteServer":
        server = self

        class Handler(QuietHandler):
            def do_GET(self):
                server.requests.append(self.path)
                server.received_headers.append(dict(self.headers.items()))
                if any(self.headers.get(name) != value for name, value in server.required_headers.items()):
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="test"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.fail_first > 0:
                    route.fail_first -= 1
                    if route.fail_status == 0:
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    self.send_response(route.fail_status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = route.body() if callable(route.body) else route.body
                self.send_response(route.status)
                if route.location:
                    self.send_header("Location", route.location)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if route.trickle:
                        for start in range(0, len(body), 16):
                            self.wfile.write(body[start:start + 16])
                            self.wfile.flush()
                            time.sleep(route.trickle)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name=f"remote-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
