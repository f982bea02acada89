"""A service's sync configuration, parsed once into typed values.

The keys, their types, bounds and defaults are written here and nowhere else: the API and the
providers file validate through :meth:`SyncConfig.parse`, the crawlers read its attributes, and
the OpenAPI schema of ``configuration`` is generated from :data:`FIELDS`. Unknown keys are refused
with their names, so a typo never passes silently.
"""
import dataclasses
import re
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Tuple

from magpie.errors import InvalidInput
from magpie.names import has_control_characters

#: ``max_depth`` not given: the sync type's own depth applies (``None`` means the whole tree).
UNSET = "unset"

#: Deepest remote tree a sync stores: real catalogs are far shallower, and every level costs two
#: levels of nesting in the JSON answers (whose encoder stops at 255).
MAX_TREE_DEPTH = 100


@dataclass(frozen=True)
class ConfigField:
    """One key of a service's configuration. ``sync_types`` lists the sync types that read it
    (None: all of them), for the documentation; third-party sync types declare their own keys in
    ``config_fields``."""

    name: str
    kind: type  # int, float, bool, str or list (of origin URLs)
    default: object
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    exclusive_minimum: bool = False
    nullable: bool = False
    max_length: Optional[int] = None
    sync_types: Optional[Tuple[str, ...]] = None
    description: str = ""
    #: A string must also match this (Python and ECMA regular expressions alike: it is the
    #: OpenAPI schema's pattern too), which ``pattern_words`` says in words.
    pattern: Optional[str] = None
    pattern_words: str = ""

    @property
    def longest(self) -> int:
        """Most characters of a string, or items of a list."""
        return self.max_length or (1024 if self.kind is str else 50)

    def check(self, value: object) -> object:
        """``value`` if it fits, else :class:`InvalidInput` naming ``configuration/<name>``."""
        where = f"configuration/{self.name}"
        if value is None and self.nullable:
            return None
        if self.kind is str:
            if not isinstance(value, str) or not value or has_control_characters(value) or len(value) > self.longest:
                raise InvalidInput(where, f"{self.name} must be a non-empty string of at most "
                                          f"{self.longest} characters without control characters")
            if self.pattern is not None and not re.match(self.pattern, value):
                raise InvalidInput(where, f"{self.name}: {value!r} is not {self.pattern_words}")
            return value
        if self.kind is bool:
            if not isinstance(value, bool):
                raise InvalidInput(where, f"{self.name} must be true or false")
            return value
        if self.kind is list:
            if not isinstance(value, list) or len(value) > self.longest or not all(
                    isinstance(item, str) and item.startswith(("http://", "https://")) for item in value):
                raise InvalidInput(where, f"{self.name} must be a list of at most {self.longest} http(s) URLs")
            return list(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (self.kind is int and not float(value).is_integer()):
            raise InvalidInput(where, f"{self.name} must be {self._range_words()}")
        too_low = value <= self.minimum if self.exclusive_minimum else value < self.minimum
        if too_low or value > self.maximum:
            raise InvalidInput(where, f"{self.name} must be {self._range_words()}")
        return self.kind(value)

    def _range_words(self) -> str:
        kind = "an integer" if self.kind is int else "a number"
        low = "above" if self.exclusive_minimum else "from"
        words = f"{kind} {low} {self.minimum:g} to {self.maximum:g}"
        return words + " or null" if self.nullable else words

    def json_schema(self) -> dict:
        if self.kind is list:
            schema: dict = {"type": "array", "maxItems": self.longest,
                            "items": {"$ref": "#/components/schemas/ServiceUrl"}}
        elif self.kind is bool:
            schema = {"type": "boolean"}
        elif self.kind is str:
            schema = {"type": "string", "minLength": 1, "maxLength": self.longest,
                      "pattern": self.pattern or "^[^\\x00-\\x1f\\x7f]+$"}
        else:
            schema = {"type": "integer" if self.kind is int else "number",
                      "minimum": self.minimum, "maximum": self.maximum}
            if self.exclusive_minimum:
                schema["exclusiveMinimum"] = True
        if self.nullable:
            schema["nullable"] = True
        if self.description or self.sync_types:
            read_by = f" (sync type {', '.join(self.sync_types)})" if self.sync_types else ""
            schema["description"] = self.description + read_by
        return schema


#: The value of ``schedule`` that turns a service's scheduled syncs off.
SCHEDULE_OFF = "off"


def _cron_field(number: str) -> str:
    item = rf"(?:\*|{number}(?:-{number})?)(?:/[1-9][0-9]?)?"
    return rf"{item}(?:,{item})*"


_MINUTE, _HOUR, _DAY = r"[0-5]?[0-9]", r"(?:[01]?[0-9]|2[0-3])", r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH, _WEEKDAY = r"(?:0?[1-9]|1[0-2])", r"[0-7]"
#: A schedule: minute hour day month weekday [second], each numbers, ``*``, ranges, steps and lists.
SCHEDULE_PATTERN = (rf"^(?:{SCHEDULE_OFF}|{_cron_field(_MINUTE)} {_cron_field(_HOUR)} {_cron_field(_DAY)} "
                    rf"{_cron_field(_MONTH)} {_cron_field(_WEEKDAY)}(?: {_cron_field(_MINUTE)})?)$")
SCHEDULE_WORDS = (f"a cron expression of numbers, *, ranges, steps and lists (such as '*/30 * * * *'; a 6th field "
                  f"for seconds) nor {SCHEDULE_OFF!r}")


def check_schedule(value: str) -> None:
    """ValueError unless ``value`` is a schedule (:data:`SCHEDULE_PATTERN`)."""
    if not re.match(SCHEDULE_PATTERN, value):
        raise ValueError(f"{value!r} is not {SCHEDULE_WORDS}")


FIELDS: Tuple[ConfigField, ...] = (
    ConfigField("max_depth", int, UNSET, 0, MAX_TREE_DEPTH, nullable=True,
                description="Levels below the service a sync looks at (null: all); default per sync type."),
    ConfigField("start_catalog", str, "catalog.xml", sync_types=("thredds",),
                description="THREDDS: the first catalog, relative to the service URL."),
    ConfigField("timeout", float, 30.0, 0, 3600, exclusive_minimum=True,
                description="Seconds for one request, the whole body included."),
    ConfigField("max_bytes", int, 64 * 1024 * 1024, 1, 2 ** 40, description="Largest document read, in bytes."),
    ConfigField("max_nodes", int, 1_000_000, 1, 10 ** 8,
                description="Largest remote tree; beyond it the sync fails and keeps the last good tree."),
    ConfigField("time_budget", float, 600.0, 0, 86400, exclusive_minimum=True,
                description="Seconds for the whole sync; beyond it the sync fails and keeps the last good tree."),
    ConfigField("pool_size", int, 8, 1, 64, description="Concurrent requests."),
    ConfigField("retries", int, 2, 0, 10,
                description="More attempts after a connection error or a 502/503/504."),
    ConfigField("retry_backoff", float, 0.5, 0, 60, description="Seconds before the first retry, doubled each time."),
    ConfigField("max_pages", int, 1000, 1, 100000, sync_types=("stac",),
                description="STAC: pages of collections followed through rel=next."),
    ConfigField("history_size", int, 100, 0, 100000, description="Sync runs kept in the history."),
    ConfigField("allowed_origins", list, (), max_length=50,
                description="Other scheme://host:port the crawl may follow."),
    ConfigField("schedule", str, None, nullable=True, max_length=100, pattern=SCHEDULE_PATTERN,
                pattern_words=SCHEDULE_WORDS,
                description="When magpie-worker syncs the service: a cron expression (a 6th field for "
                            "seconds), or \"off\"; null: the magpie.jobs.schedule setting."),
    ConfigField("fail_on_partial", bool, False,
                description="Fail the sync (keeping the last good tree) when a part of the remote tree "
                            "cannot be read, instead of keeping that part's stored nodes unverified."),
)


#: Keys people put credentials under; refused like any unknown key, with a pointer to credentials.
CREDENTIAL_KEYS = {"username", "password", "auth", "headers", "token", "credentials", "api_key"}


@dataclass(frozen=True)
class SyncConfig:
    """The typed configuration of one service; build it with :meth:`parse` (the defaults are
    those of :data:`FIELDS`)."""

    max_depth: object  # an int, None (the whole tree) or UNSET
    start_catalog: str
    timeout: float
    max_bytes: int
    max_nodes: int
    time_budget: float
    pool_size: int
    retries: int
    retry_backoff: float
    max_pages: int
    history_size: int
    allowed_origins: Tuple[str, ...]
    schedule: Optional[str]
    fail_on_partial: bool
    #: Values of keys declared by a third-party sync type's ``config_fields``.
    extra: Mapping[str, object] = dataclasses.field(default_factory=dict)

    @classmethod
    def parse(cls, configuration: Optional[Mapping], extra_fields: Sequence[ConfigField] = ()) -> "SyncConfig":
        """Check every key of ``configuration`` (None: all defaults). A key that another sync type
        reads is accepted (a service may change sync type, and the API document cannot tie keys
        to one); a key no sync type reads is refused, with its name. Raises :class:`InvalidInput`."""
        values = {field.name: field.default for field in FIELDS}
        if configuration is None:
            return cls(**values)
        if not isinstance(configuration, Mapping):
            raise InvalidInput("configuration", "the configuration must be a JSON object or null")
        fields = {field.name: field for field in (*FIELDS, *extra_fields)}
        unknown = sorted(str(key) for key in configuration if key not in fields)
        if unknown:
            hint = "; credentials go to PUT /services/{service}/credentials, encrypted" \
                if set(unknown) & CREDENTIAL_KEYS else ""
            raise InvalidInput(f"configuration/{unknown[0]}",
                               f"unknown configuration key(s): {', '.join(unknown)}; "
                               f"known: {', '.join(sorted(fields))}{hint}")
        extra = {}
        for key, value in configuration.items():
            field = fields[key]
            checked = field.check(value)
            if field in extra_fields:
                extra[key] = checked
            else:
                values[key] = tuple(checked) if field.kind is list else checked
        return cls(**values, extra=extra)

    def depth(self, default: Optional[int]) -> Optional[int]:
        """The depth a sync looks at: the configured one, else the sync type's ``default``."""
        return default if self.max_depth == UNSET else self.max_depth


def configuration_schema(extra_fields: Sequence[ConfigField] = ()) -> dict:
    """The OpenAPI schema of a service's ``configuration``, generated from :data:`FIELDS`."""
    return {
        "type": "object",
        "nullable": True,
        "additionalProperties": False,
        "description": "Sync settings and limits of the service; unknown keys are refused.",
        "properties": {field.name: field.json_schema() for field in (*FIELDS, *extra_fields)},
    }
