"""The sync type registry, including third-party types published as entry points."""
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from magpie.errors import InvalidInput
from magpie.helpers.sync_services import (
    SYNC_SERVICES_TYPES, SyncServiceInterface, SyncThredds, SyncTypeRegistry, get_sync_type,
)


def test_builtin_types_are_registered():
    assert {"thredds", "geoserver-api", "project-api"} <= set(SYNC_SERVICES_TYPES)
    assert SYNC_SERVICES_TYPES["thredds"] is SyncThredds


def test_looking_up_an_unknown_name_never_adds_it():
    # Defect of the anchor: a defaultdict registry grew a None entry on every unknown lookup.
    before = set(SYNC_SERVICES_TYPES)
    with pytest.raises(KeyError):
        SYNC_SERVICES_TYPES["no-such-type"]
    assert SYNC_SERVICES_TYPES.get("no-such-type") is None
    assert "no-such-type" not in SYNC_SERVICES_TYPES
    assert set(SYNC_SERVICES_TYPES) == before
    with pytest.raises(ValueError, match="unknown sync type 'no-such-type'; known: .*thredds"):
        get_sync_type("no-such-type")


def test_configuration_overrides_depth():
    assert SyncThredds.effective_max_depth(None) == 3
    assert SyncThredds.effective_max_depth({"max_depth": 5}) == 5
    assert SyncThredds.effective_max_depth({"max_depth": None}) is None
    assert SyncThredds("t", "http://127.0.0.1:1", {"max_depth": 2}).max_depth == 2
    with pytest.raises(InvalidInput, match="max_depth must be an integer"):
        SyncThredds("t", "http://127.0.0.1:1", {"max_depth": "2"})  # typed once: no silent int()


def test_entry_point_plugins_are_loaded_and_broken_ones_skipped(tmp_path, monkeypatch, caplog):
    (tmp_path / "magpie_test_plugin.py").write_text(textwrap.dedent("""
        from magpie.helpers.sync_services import SyncServiceInterface

        class Fake(SyncServiceInterface):
            sync_type = "fake"
            max_depth = 1

            def get_children(self, http):
                return {"one": {"children": {}, "resource_type": "route", "resource_display_name": "One"}}

        NotAType = 42
    """))
    dist = tmp_path / "magpie_test_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: magpie-test-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[magpie.test_sync_services]\n"
        "fake = magpie_test_plugin:Fake\n"
        "broken = magpie_test_plugin_missing:Nothing\n"
        "wrong = magpie_test_plugin:NotAType\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = SyncTypeRegistry(group="magpie.test_sync_services")
    assert "fake" in registry and "thredds" in registry
    assert "broken" not in registry and "wrong" not in registry
    plugin = registry["fake"]
    assert issubclass(plugin, SyncServiceInterface)
    assert plugin("svc", "http://127.0.0.1:1").service_tree({}) == {
        "svc": {"children": {}, "resource_type": "service", "resource_display_name": "svc"}}
    assert "cannot load sync type 'broken'" in caplog.text
    assert "'wrong' is not a SyncServiceInterface subclass" in caplog.text
    sys.modules.pop("magpie_test_plugin", None)


def test_concurrent_first_lookups_all_see_the_plugins(monkeypatch):
    """Under --jobs, several threads ask the registry at once: none may answer before the plugins
    are in."""
    from magpie.sync.types import registry as registry_module

    class SlowEntryPoint:
        name, value = "slow", "tests:Slow"

        def load(self):
            time.sleep(0.3)  # a plugin import that takes a while
            return type("Slow", (SyncThredds,), {"sync_type": "slow"})

    monkeypatch.setattr(registry_module, "entry_points", lambda group: [SlowEntryPoint()])
    registry = SyncTypeRegistry(group="magpie.test_concurrent")
    start = threading.Barrier(6)

    def look_up():
        start.wait()
        return "slow" in registry

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: look_up(), range(6)))
    assert answers == [True] * 6
