"""A THREDDS service with about 100,000 resources, for the large-tree browser test and
``bench/ui_tree_benchmark.py``.

The remote side is a real catalog served over HTTP and crawled by a real sync. The local side is
written with a few bulk statements, as a deployment that registered its resources long ago would
hold them: the same tree, minus one file in every ``remote_only_every`` (remote only), plus one
extra file in every ``gone_every``-th sub-directory (gone remotely).
"""
from dataclasses import dataclass
from typing import List

import transaction
import zope.sqlalchemy

from magpie import db, models
from tests.support.thredds_catalogs import catalog_xml

_RESOURCES = models.Resource.__table__


@dataclass(frozen=True)
class LargeTreeShape:
    dirs: int = 10
    subdirs: int = 100
    files: int = 99
    remote_only_every: int = 1000
    gone_every: int = 10
    local_every: int = 1  # one file in local_every is registered locally (the others are remote only)

    def file_paths(self) -> List[str]:
        return [f"d{d:02d}/s{s:03d}/f{f:03d}.nc"
                for d in range(self.dirs) for s in range(self.subdirs) for f in range(self.files)]

    @property
    def remote_nodes(self) -> int:
        return self.dirs + self.dirs * self.subdirs + self.dirs * self.subdirs * self.files

    @property
    def gone_nodes(self) -> int:
        return len(range(0, self.dirs * self.subdirs, self.gone_every))

    @property
    def merged_nodes(self) -> int:
        """Nodes of the merged tree below the service."""
        return self.remote_nodes + self.gone_nodes


def large_catalog(shape: LargeTreeShape) -> bytes:
    """One catalog listing every file by its urlPath (the crawler places datasets by urlPath)."""
    return catalog_xml("large", files=[(path.rsplit("/", 1)[1], path) for path in shape.file_paths()])


def insert_local_tree(settings: dict, service_id: int, shape: LargeTreeShape) -> int:
    """Write the local tree in bulk; returns the number of resources written."""
    manager = transaction.TransactionManager(explicit=True)
    session = db.get_db_session_from_settings(settings, manager)
    rows = []
    with manager:
        # At most this many (ids left over are never used).
        count = shape.dirs + shape.dirs * shape.subdirs * (2 + shape.files // shape.local_every) + shape.gone_nodes
        ids = iter(db.allocate_ids(session, _RESOURCES, count))

        def add(name: str, resource_type: str, parent_id: int) -> int:
            resource_id = next(ids)
            rows.append({"resource_id": resource_id, "resource_name": name, "resource_type": resource_type,
                         "parent_id": parent_id, "root_service_id": service_id, "ordering": 0,
                         "resource_display_name": None})
            return resource_id

        file_number = 0
        for d in range(shape.dirs):
            dir_id = add(f"d{d:02d}", "directory", service_id)
            for s in range(shape.subdirs):
                sub_id = add(f"s{s:03d}", "directory", dir_id)
                for f in range(shape.files):
                    if file_number % shape.remote_only_every != 0 and file_number % shape.local_every == 0:
                        add(f"f{f:03d}.nc", "file", sub_id)
                    file_number += 1
                if (d * shape.subdirs + s) % shape.gone_every == 0:
                    add("gone.nc", "file", sub_id)
        for start in range(0, len(rows), 5000):
            session.execute(_RESOURCES.insert(), rows[start:start + 5000])
        zope.sqlalchemy.mark_changed(session)  # Core statements only: commit them
    session.close()
    return len(rows)


def service_with_large_tree(live_app, remote, shape: LargeTreeShape, name: str = "large") -> int:
    """Register the service, serve its catalog, sync it through the API and write its local tree."""
    remote.add("/large/catalog.xml", large_catalog(shape))
    limits = {"max_nodes": 2 * shape.remote_nodes + 10, "max_bytes": 2 ** 31, "time_budget": 3600}
    service_id = live_app.create_service(name, remote.url + "/large", configuration=limits)
    result = live_app.sync(service_id)["result"]
    assert result["added"] == shape.remote_nodes + 1, result  # + the main node standing for the service
    insert_local_tree(live_app.settings, service_id, shape)
    return service_id


#: Installed before any script of the page: collects the main thread's long tasks (> 50 ms).
LONG_TASKS_SCRIPT = """
window.__magpieLongTasks = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (entry) { window.__magpieLongTasks.push(entry.duration); });
  }).observe({type: "longtask", buffered: true});
} catch (error) {}
"""

#: Milliseconds since navigation start, read in the page once the tree is ready.
TIMINGS_SCRIPT = """() => {
  const ready = performance.getEntriesByName("magpie-tree-ready")[0];
  const tree = performance.getEntriesByType("resource").filter(e => e.name.includes("/resources"))[0];
  const nav = performance.getEntriesByType("navigation")[0];
  const usable = performance.getEntriesByName("magpie-tree-usable")[0];
  return {
    ready: ready ? ready.startTime : null,
    usable: usable ? usable.startTime : null,
    html_loaded: nav ? nav.domContentLoadedEventEnd : null,
    json_request: tree ? tree.requestStart : null,
    json_first_byte: tree ? tree.responseStart : null,
    json_done: tree ? tree.responseEnd : null,
    json_bytes: tree ? tree.encodedBodySize : null,
    longest_task: Math.max(0, ...window.__magpieLongTasks),
    treeitems: document.querySelectorAll('[role="treeitem"]').length,
  };
}"""

#: Resolves with the milliseconds from now to the next frame after ``done()`` holds.
_WHEN = """const when = (done, start, resolve) => {
  const check = () => done() ? requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0))
                             : setTimeout(check, 5);
  check();
};"""

#: Clicks a row and answers the milliseconds until the next frame after its children (fetched
#: from the server) are in.
EXPAND_SCRIPT = """(name) => new Promise(resolve => {
  %s
  const item = document.querySelector(`[data-resource-name="${name}"]`);
  const start = performance.now();
  item.querySelector(":scope > .row").click();
  when(() => item.getAttribute("aria-expanded") === "true" && item.querySelector(':scope > ul[role="group"]'),
       start, resolve);
})""" % _WHEN

#: Types a filter and answers the milliseconds until the next frame after its matches are shown
#: (the page waits 150 ms after the last key before asking the server: included).
FILTER_SCRIPT = """(text) => new Promise(resolve => {
  %s
  const input = document.getElementById("tree-filter");
  const note = document.getElementById("filter-note");
  note.textContent = "";
  const start = performance.now();
  input.value = text;
  input.dispatchEvent(new Event("input", {bubbles: true}));
  when(() => note.textContent && document.getElementById("tree").getAttribute("aria-busy") === "false",
       start, resolve);
})""" % _WHEN


def measure_tree_page(page, service_id: int) -> dict:
    """Open the tree page and time it: figures in milliseconds from navigation start (``ready``:
    first level rendered; ``usable``: the next frame painted after that, when a click is
    answered), and how long expanding a first-level node takes."""
    page.add_init_script(LONG_TASKS_SCRIPT)
    page.goto(f"/ui/services/{service_id}")
    page.wait_for_selector("#tree-page[data-tree-ready='true']", timeout=120000)
    page.wait_for_function("() => performance.getEntriesByName('magpie-tree-usable').length > 0")
    timings = page.evaluate(TIMINGS_SCRIPT)
    timings["expand_first_level"] = page.evaluate(EXPAND_SCRIPT, "d00")
    timings["expand_second_level"] = page.evaluate(EXPAND_SCRIPT, "s000")
    return timings


def measure_filter(page, text: str) -> float:
    """Milliseconds from typing ``text`` in the filter to its matches on screen."""
    return page.evaluate(FILTER_SCRIPT, text)


#: Milliseconds the server took for the last filter request (request sent to answer read).
FILTER_REQUEST_SCRIPT = """() => {
  const asked = performance.getEntriesByType("resource").filter(e => e.name.includes("&q="));
  const last = asked[asked.length - 1];
  return last ? last.responseEnd - last.requestStart : null;
}"""


def filter_request_ms(page) -> float:
    return page.evaluate(FILTER_REQUEST_SCRIPT)


def describe(timings: dict, nodes: int) -> str:
    seconds = {key: (value / 1000 if isinstance(value, (int, float)) and key not in ("json_bytes", "treeitems")
                     else value) for key, value in timings.items()}
    return (f"tree of {nodes:,} nodes: first levels usable {seconds['usable']:.2f} s after navigation "
            f"(JSON {seconds['json_bytes'] / 1e6:.1f} MB answered in "
            f"{seconds['json_done'] - seconds['json_request']:.2f} s, "
            f"first byte after {seconds['json_first_byte'] - seconds['json_request']:.2f} s; "
            f"parse + build + first render {seconds['ready'] - seconds['json_done']:.2f} s; "
            f"longest main-thread block {seconds['longest_task']:.2f} s; "
            f"{timings['treeitems']} tree items in the DOM); "
            f"expanding a first-level node {seconds['expand_first_level'] * 1000:.0f} ms, "
            f"a second-level one {seconds['expand_second_level'] * 1000:.0f} ms"
            + (f"; filter to matches shown {seconds['filter'] * 1000:.0f} ms" if "filter" in timings else ""))
