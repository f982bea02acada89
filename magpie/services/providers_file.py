"""Read Magpie's providers files as they are (``config/providers.cfg``, and the ones Birdhouse
deployments template), without a database::

    providers:
      thredds:
        url: http://${HOSTNAME}:8083/thredds   # $VAR and ${VAR} from the environment, $$ writes $
        title: Thredds
        public: true                          # Magpie's keys we do not use: a warning each
        c4i: false
        type: thredds
        sync_type: thredds                    # Magpie's names: ncwms is synced as wms, ...
        configuration: {max_depth: 4}
        credentials: {kind: basic, username: reader, password: "${THREDDS_PASSWORD}"}

A path may be a directory: its ``.cfg``, ``.yml`` and ``.yaml`` files are read in name order, a
later file's entry for a service replacing an earlier one. Everything is checked before anything
is registered, and an error names the file and the service.
"""
import logging
import os
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Mapping, Optional

import yaml

from magpie.variables import UnsetVariable, expand_variables
from magpie.errors import InvalidInput
from magpie.services import crud as services
from magpie.sync.remote.auth import Credentials

LOGGER = logging.getLogger(__name__)

KNOWN_KEYS = {"url", "type", "sync_type", "title", "configuration", "credentials"}
#: Keys of Magpie's providers files that mean nothing here (Phoenix registration, Twitcher hooks).
MAGPIE_UNUSED_KEYS = {"public", "c4i", "hooks"}
#: Magpie's sync types that we sync under another name.
SYNC_TYPE_ALIASES = {"ncwms": "wms", "geoserverwms": "wms", "geoserverwfs": "wfs", "geoserverwps": "wps"}
#: Magpie's sync types with nothing to crawl here: the service is registered without sync.
UNSYNCABLE_SYNC_TYPES = {"access", "api", "geoserver"}
#: Keys of Magpie's own service ``configuration`` (what a proxy does with requests), not sync settings.
MAGPIE_CONFIGURATION_KEYS = {"wfs", "wms", "wps", "api", "skip_prefix", "file_patterns", "metadata_type",
                             "data_type"}
FILE_SUFFIXES = (".cfg", ".yml", ".yaml")


class ProvidersError(ValueError):
    """The providers file cannot be used; the message names the file and the service."""


@dataclass(frozen=True)
class Provider:
    """One service of a providers file; ``fields`` names what the file sets, so that registering
    again leaves the rest as the API set it."""

    name: str
    url: str
    type: str
    sync_type: Optional[str]
    title: Optional[str]
    configuration: Optional[dict]
    credentials: Optional[Credentials] = None
    fields: FrozenSet[str] = frozenset({"sync_type", "title", "configuration"})


def _expanded(value: object, where: str, environ: Mapping[str, str]) -> object:
    if isinstance(value, str):
        try:
            return expand_variables(value, environ)
        except UnsetVariable as exc:
            raise ProvidersError(f"{where}: environment variable {exc.name!r} is not set") from None
    if isinstance(value, dict):
        return {key: _expanded(item, where, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [_expanded(item, where, environ) for item in value]
    return value


def _sync_type(value: object, where: str, strict: bool) -> Optional[str]:
    if isinstance(value, str) and value.lower() in SYNC_TYPE_ALIASES:
        LOGGER.info("%s: Magpie's sync type %r is synced as %r", where, value, SYNC_TYPE_ALIASES[value.lower()])
        return SYNC_TYPE_ALIASES[value.lower()]
    if isinstance(value, str) and value.lower() in UNSYNCABLE_SYNC_TYPES:
        message = f"{where}: sync type {value!r} cannot be synced here"
        if strict:
            raise ProvidersError(f"{message} (--strict)")
        LOGGER.warning("%s: registered without sync", message)
        return None
    return services.validate_sync_type(value)


def _configuration(value: object, where: str) -> object:
    """The sync settings of ``configuration``: Magpie's own service keys are left out with a
    warning, and a configuration of nothing else is None (the file does not set one)."""
    if not isinstance(value, dict):
        return value
    magpie_keys = sorted(set(value) & MAGPIE_CONFIGURATION_KEYS)
    if not magpie_keys:
        return value
    LOGGER.warning("%s: Magpie's configuration key(s) %s are not used here", where, ", ".join(magpie_keys))
    return {key: item for key, item in value.items() if key not in MAGPIE_CONFIGURATION_KEYS} or None


def parse_entry(name: object, entry: object, where: str, strict: bool = False,
                environ: Optional[Mapping[str, str]] = None) -> Provider:
    environ = os.environ if environ is None else environ
    if not isinstance(entry, dict):
        raise ProvidersError(f"{where}: expected a mapping of settings")
    unknown = sorted(set(entry) - KNOWN_KEYS - MAGPIE_UNUSED_KEYS)
    if unknown:
        raise ProvidersError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    entry = {key: _expanded(value, f"{where}: {key!r}", environ) for key, value in entry.items()}
    url = entry.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ProvidersError(f"{where}: 'url' is missing or not an http(s) URL")
    service_type = entry.get("type")
    if not isinstance(service_type, str) or not service_type:
        raise ProvidersError(f"{where}: 'type' is missing")
    try:  # the same rules as a service created through the API
        services.validate_service_name(name)
        sync_type = _sync_type(entry.get("sync_type"), where, strict)
        fields = set(entry) & {"sync_type", "title", "configuration"}
        configuration = _configuration(entry.get("configuration"), where)
        if configuration is None and entry.get("configuration") is not None:
            fields.discard("configuration")  # only Magpie's keys: what the API set stays
        configuration = services.validate_configuration(configuration, sync_type)
        services.validate_service_url(url, "url")
        credentials = Credentials.parse(entry["credentials"]) if "credentials" in entry else None
    except InvalidInput as exc:
        raise ProvidersError(f"{where}: {exc}") from None
    title = entry.get("title")
    return Provider(name=name, url=url.rstrip("/"), type=service_type, sync_type=sync_type,
                    title=str(title) if title is not None else None, configuration=configuration,
                    credentials=credentials, fields=frozenset(fields))


def parse_providers(document: object, source: str = "providers", strict: bool = False,
                    environ: Optional[Mapping[str, str]] = None) -> List[Provider]:
    """Check a loaded providers document and return its services."""
    if not isinstance(document, dict) or not isinstance(document.get("providers"), dict):
        raise ProvidersError(f"{source}: expected a mapping 'providers:' of service name to settings")
    entries = document["providers"]
    for key in sorted(MAGPIE_UNUSED_KEYS):
        users = [str(name) for name, entry in entries.items() if isinstance(entry, dict) and key in entry]
        if users:
            LOGGER.warning("%s: Magpie's key %r is not used here (services %s)", source, key, ", ".join(users))
    return [parse_entry(name, entry, f"{source}: service {name!r}", strict, environ)
            for name, entry in entries.items()]


def provider_files(path: str) -> List[str]:
    """``path`` itself, or the providers files of a directory in name order."""
    if not os.path.isdir(path):
        return [path]
    return [os.path.join(path, name) for name in sorted(os.listdir(path))
            if name.endswith(FILE_SUFFIXES) and os.path.isfile(os.path.join(path, name))]


def load_providers_file(path: str, strict: bool = False) -> List[Provider]:
    """The services of a file, or of every file of a directory (a later file wins for a name)."""
    providers: Dict[str, Provider] = {}
    for file_path in provider_files(path):
        try:
            with open(file_path, encoding="utf-8") as stream:
                document = yaml.safe_load(stream)
        except OSError as exc:
            raise ProvidersError(f"{file_path}: cannot read ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            raise ProvidersError(f"{file_path}: not valid YAML ({exc})") from None
        for provider in parse_providers(document, file_path, strict):
            if provider.name in providers:
                LOGGER.warning("%s: service %r replaces its entry of an earlier file", file_path, provider.name)
            providers[provider.name] = provider
    return list(providers.values())
