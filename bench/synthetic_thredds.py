"""A synthetic THREDDS server for benchmarks, run in a process of its own so that serving does
not compete with the crawler being measured for the interpreter lock.

Catalog ``/thredds/catalog/d3/d0/catalog.xml`` lists ``fanout`` catalogRefs (while its depth is
below ``depth``) and ``files`` datasets. ``GET /control/generation/N`` renames 1% of the files,
so a re-sync sees 1% of the nodes change.
"""
import multiprocessing
import time
from http.server import ThreadingHTTPServer
from xml.sax.saxutils import quoteattr

from tests.support.remote_server import QuietHandler
from tests.support.thredds_catalogs import HEADER

def catalog_body(segments, depth: int, fanout: int, files: int, generation: int) -> bytes:
    prefix = "/".join(segments)
    parts = [HEADER, f"  <dataset name={quoteattr(prefix or 'root')} ID={quoteattr(prefix or 'root')}>\n",
             '    <metadata inherited="true"><serviceName>all</serviceName></metadata>\n']
    if len(segments) < depth:
        # The top catalog lives at /thredds/catalog.xml, the others under /thredds/catalog/.
        base = "catalog/" if not segments else ""
        for index in range(fanout):
            parts.append(f'    <catalogRef xlink:href="{base}d{index}/catalog.xml" xlink:title="Directory {index}" '
                         f'name=""/>\n')
    seed = sum(int(s[1:]) * 31 ** i for i, s in enumerate(segments))
    for index in range(files):
        suffix = f"-g{generation}" if generation and (seed + index) % 100 == 0 else ""
        name = f"tas_day_model{index:04d}{suffix}.nc"
        url_path = f"{prefix}/{name}" if prefix else name
        parts.append(f"    <dataset name={quoteattr(name)} ID={quoteattr(url_path)} "
                     f"urlPath={quoteattr(url_path)}><dataSize units=\"Kbytes\">42.0</dataSize></dataset>\n")
    parts.append("  </dataset>\n</catalog>\n")
    return "".join(parts).encode()


def count_nodes(depth: int, fanout: int, files: int) -> int:
    """Nodes below the service: one directory per catalog but the root, plus every file."""
    catalogs = sum(fanout ** level for level in range(depth + 1))
    return catalogs - 1 + catalogs * files


def _all_paths(depth: int, fanout: int):
    paths = [()]
    for path in paths:
        if len(path) < depth:
            paths.extend(path + (f"d{index}",) for index in range(fanout))
    return paths


def _serve(ready, depth: int, fanout: int, files: int, latency: float) -> None:
    state = {"generation": 0}
    # Bodies are made before the server says it is ready: the benchmark measures the crawler, not
    # how fast this process writes XML.
    bodies = {(path, 0): catalog_body(list(path), depth, fanout, files, 0) for path in _all_paths(depth, fanout)}

    def body_of(path, generation):
        key = (path, generation)
        if key not in bodies:
            bodies[key] = catalog_body(list(path), depth, fanout, files, generation)
        return bodies[key]

    class Handler(QuietHandler):
        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path.startswith("/control/generation/"):
                state["generation"] = int(path.rsplit("/", 1)[1])
                body, status = b"ok", 200
            else:
                segments = path.strip("/").split("/")
                valid = (segments[0] == "thredds" and segments[-1] == "catalog.xml" and
                         (len(segments) == 2 or segments[1] == "catalog"))
                inner = segments[2:-1] if len(segments) > 2 else []
                valid = valid and all(s.startswith("d") and s[1:].isdigit() and int(s[1:]) < fanout
                                      for s in inner) and len(inner) <= depth
                if latency:
                    time.sleep(latency)
                if valid:
                    body, status = body_of(tuple(inner), state["generation"]), 200
                else:
                    body, status = b"not found", 404
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    ready.put(server.server_address[1])
    server.serve_forever(poll_interval=0.1)


class SyntheticThredds:
    """``with SyntheticThredds(depth=3, fanout=8, files=20, latency=0.02) as server: server.url``"""

    def __init__(self, depth: int, fanout: int, files: int, latency: float = 0.0):
        self.depth, self.fanout, self.files, self.latency = depth, fanout, files, latency

    def __enter__(self) -> "SyntheticThredds":
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        self.process = context.Process(target=_serve, args=(ready, self.depth, self.fanout, self.files,
                                                            self.latency), daemon=True)
        self.process.start()
        self.url = f"http://127.0.0.1:{ready.get(timeout=600)}/thredds"
        return self

    def set_generation(self, generation: int) -> None:
        """Rename 1% of the files, and make the new bodies before the next crawl measures."""
        import requests

        requests.get(self.url.replace("/thredds", f"/control/generation/{generation}"), timeout=10).raise_for_status()
        for path in _all_paths(self.depth, self.fanout):
            prefix = "/".join(("catalog",) + path) + "/" if path else ""
            requests.get(f"{self.url}/{prefix}catalog.xml", timeout=60).raise_for_status()

    @property
    def nodes(self) -> int:
        return count_nodes(self.depth, self.fanout, self.files)

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.join(timeout=10)
