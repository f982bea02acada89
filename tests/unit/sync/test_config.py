"""A service's configuration is typed once: the same keys, bounds and defaults for the API, the
providers file and the crawlers."""
import pytest

from magpie.errors import InvalidInput
from magpie.sync.config import FIELDS, UNSET, ConfigField, SyncConfig, configuration_schema
from magpie.sync.remote.http import HttpLimits
from magpie.sync.types import SyncThredds, SyncWPS


def test_no_configuration_gives_the_defaults_of_the_fields():
    config = SyncConfig.parse(None)
    for field in FIELDS:
        expected = tuple(field.default) if field.kind is list else field.default
        assert getattr(config, field.name) == expected
    assert config.depth(3) == 3 and config.max_depth == UNSET


def test_the_crawl_limits_come_from_the_configuration():
    limits = HttpLimits.of(SyncConfig.parse({"timeout": 5, "retries": 0, "pool_size": 3}))
    assert (limits.timeout, limits.retries, limits.pool_size) == (5.0, 0, 3)
    crawler = SyncThredds("t", "http://127.0.0.1:1", {"max_nodes": 7, "start_catalog": "top.xml", "max_depth": None})
    assert crawler.new_tree().max_nodes == 7 and crawler.config.start_catalog == "top.xml"
    assert crawler.max_depth is None


@pytest.mark.parametrize("configuration, field", [
    ({"tmeout": 5}, "configuration/tmeout"),
    ({"timeout": 0}, "configuration/timeout"),
    ({"timeout": "30"}, "configuration/timeout"),
    ({"max_depth": 1_000_000}, "configuration/max_depth"),
    ({"max_depth": -1}, "configuration/max_depth"),
    ({"max_depth": True}, "configuration/max_depth"),
    ({"pool_size": 2.5}, "configuration/pool_size"),
    ({"start_catalog": 5}, "configuration/start_catalog"),
    ({"start_catalog": "a\nb"}, "configuration/start_catalog"),
    ({"allowed_origins": "http://a"}, "configuration/allowed_origins"),
    ({"allowed_origins": ["ftp://a"]}, "configuration/allowed_origins"),
])
def test_bad_values_are_refused_naming_the_key(configuration, field):
    with pytest.raises(InvalidInput) as caught:
        SyncConfig.parse(configuration)
    assert caught.value.field == field


def test_unknown_keys_are_all_named():
    with pytest.raises(InvalidInput, match="unknown configuration key\\(s\\): pol_size, tmeout"):
        SyncConfig.parse({"tmeout": 1, "pol_size": 2, "timeout": 3})


def test_a_key_of_another_sync_type_is_known_and_still_checked():
    assert SyncWPS.parse_configuration({"start_catalog": "x.xml"}).start_catalog == "x.xml"
    with pytest.raises(InvalidInput, match="start_catalog must be a non-empty string"):
        SyncWPS.parse_configuration({"start_catalog": ""})


def test_third_party_sync_types_declare_their_own_keys():
    class Plugin(SyncWPS):
        sync_type = "plugin-test"
        config_fields = (ConfigField("flavour", str, "plain"),)

    assert Plugin.parse_configuration({"flavour": "sour"}).extra == {"flavour": "sour"}
    with pytest.raises(InvalidInput, match="unknown configuration key"):
        SyncWPS.parse_configuration({"flavour": "sour"})
    assert "flavour" in configuration_schema(Plugin.config_fields)["properties"]


def test_the_schema_lists_every_field_with_its_bounds():
    schema = configuration_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {field.name for field in FIELDS}
    assert schema["properties"]["timeout"]["exclusiveMinimum"] is True
    assert schema["properties"]["max_depth"] == {"type": "integer", "minimum": 0, "maximum": 100, "nullable": True,
                                                 "description": FIELDS[0].description}
    assert "(sync type thredds)" in schema["properties"]["start_catalog"]["description"]
