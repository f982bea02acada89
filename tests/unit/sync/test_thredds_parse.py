"""Parsing THREDDS catalogs: limits hold while the body streams, and the tree builder never
recurses on remote paths."""
import pytest

from magpie.sync.config import MAX_TREE_DEPTH
from magpie.sync.tree import NodeLimitExceeded, RemoteTree, TreeTooDeep
from magpie.sync.types.thredds import parse_catalog
from tests.support.thredds_catalogs import catalog_xml


def test_parsing_stops_as_soon_as_the_node_limit_is_passed():
    body = catalog_xml(files=[(f"f{i}", f"d/f{i}.nc") for i in range(20000)])
    chunks = [body[start:start + 4096] for start in range(0, len(body), 4096)]
    read = []

    def stream():
        for chunk in chunks:
            read.append(chunk)
            yield chunk

    with pytest.raises(NodeLimitExceeded, match="more than 100 remote nodes"):
        parse_catalog(stream(), "http://x/catalog.xml", max_entries=100)
    assert len(read) < len(chunks) // 10  # the rest of the body was never read
    assert len(parse_catalog(iter(chunks), "http://x/catalog.xml", max_entries=20000).files) == 20000


def test_a_5000_level_path_is_refused_without_recursion():
    tree = RemoteTree(max_depth=None, max_nodes=10 ** 6)
    with pytest.raises(TreeTooDeep, match=f"deeper than {MAX_TREE_DEPTH} levels"):
        tree.add(("d",) * 5000, "file")
    tree.add(("d",) * MAX_TREE_DEPTH, "file")  # the deepest allowed
    node = {"children": tree.children}
    for _ in range(MAX_TREE_DEPTH):
        node = node["children"]["d"]
    assert node["resource_type"] == "file" and tree.count == MAX_TREE_DEPTH
