"""Finding and driving tree nodes through their stable hooks (``data-resource-name`` ...)."""

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture says so: a skip, or a failure under CI
    expect = None

#: Every wait of the browser tests, actions and assertions alike: generous, because a loaded
#: machine makes the app slow (Playwright's 5-second default failed there while nothing was wrong).
BROWSER_TIMEOUT_MS = 45_000
if expect is not None:
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)


def node_selector(*names: str) -> str:
    """The tree item at the path ``names`` (service first), each level a descendant of the last."""
    return " ".join(f'[role="treeitem"][data-resource-name="{name}"]' for name in names)


def node(page, *names: str):
    return page.locator(node_selector(*names))


def expand(page, *names: str) -> None:
    item = node(page, *names)
    if item.get_attribute("aria-expanded") == "false":
        item.locator(":scope > .row > .label").click()
    expect(item).to_have_attribute("aria-expanded", "true")


#: Milliseconds a tree load may take on a loaded machine (the brief: explicit, generous).
TREE_TIMEOUT = 30_000


def wait_for_tree(page, loads: int = 1) -> None:
    expect(page.locator("#tree-page")).to_have_attribute("data-tree-loads", str(loads), timeout=TREE_TIMEOUT)
    expect(page.locator("#tree")).to_have_attribute("aria-busy", "false", timeout=TREE_TIMEOUT)


def count_of(page, badge: str) -> str:
    return page.locator(f'#counts [data-badge="{badge}"] .count-number').inner_text()


def status(page):
    return page.locator("#action-status")
