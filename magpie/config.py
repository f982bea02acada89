"""Settings: read once at start-up from the ini file, overridden by the environment, checked and
turned into one typed :class:`Settings` that is handed to whoever needs it.

Every entry point (the WSGI app, the cron command, the providers and migration commands) goes
through :func:`apply_env_overrides`, so the same environment variable means the same thing
everywhere. With ``magpie.environment = production`` a missing, short or development password or
secret stops start-up; elsewhere it is a warning, so a development server runs out of the box.
"""
import logging
import os
import secrets
from dataclasses import dataclass
from typing import Mapping, Optional, Tuple

from magpie.crypto import SecretsKeyError, parse_keys

LOGGER = logging.getLogger(__name__)

#: Setting name -> environment variable that overrides it.
ENV_OVERRIDES = {
    "sqlalchemy.url": "MAGPIE_DB_URL",
    "magpie.admin_user": "MAGPIE_ADMIN_USER",
    "magpie.admin_password": "MAGPIE_ADMIN_PASSWORD",
    "magpie.providers_config": "MAGPIE_PROVIDERS_CONFIG",
    "magpie.permissions_config": "MAGPIE_PERMISSIONS_CONFIG",
    "magpie.secret": "MAGPIE_SECRET",
    "magpie.environment": "MAGPIE_ENVIRONMENT",
    "magpie.secrets_key": "MAGPIE_SECRETS_KEY",
}
ENVIRONMENTS = ("development", "test", "production")

#: The values development.ini carries; never accepted in production.
DEVELOPMENT_PASSWORD = "magpie-dev-password"
DEVELOPMENT_SECRET = "magpie-development-secret-change-me"
MIN_PASSWORD_LENGTH = 12
MIN_SECRET_LENGTH = 32
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: The Fernet key development.ini carries for service credentials; never accepted in production.
DEVELOPMENT_SECRETS_KEY = "0OTaUPQh5wCVo_dUxpoGLJCws0y5rDiHo1PBjG_1l5c="

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A setting is missing or has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its settings, typed and checked."""

    environment: str
    admin_user: Optional[str]
    admin_password: Optional[str]
    secret: str  # a random one for this process when none is set (sessions then end with it)
    session_timeout: int
    cookie_secure: bool
    trusted_origins: Tuple[str, ...]
    providers_config: Optional[str]
    migrate_on_startup: bool
    max_body_bytes: int
    validate_responses: bool
    #: Names of the special groups: administrators (allowed everything), anonymous (everyone,
    #: signed in or not) and the group every signed-in user belongs to (Magpie's "users").
    admin_group: str
    anonymous_group: str
    users_group: str
    audit_retention_days: int
    #: A permissions file (Magpie's permissions.cfg) or a directory of .cfg files, applied at start-up.
    permissions_config: Optional[str] = None
    #: How a decision knows it is fresh: ``strict`` reads the committed version of access-control
    #: data first; ``notify`` (PostgreSQL) trusts LISTEN/NOTIFY (see magpie.permissions.index).
    decisions_freshness: str = "strict"
    #: Fernet keys of stored service credentials: the first encrypts, all decrypt (see magpie.crypto).
    secrets_keys: Tuple[str, ...] = ()
    #: Failed sign-ins of one account before it is locked, and for how long (seconds).
    signin_max_failures: int = 10
    signin_lockout_seconds: int = 900
    #: Failed sign-ins one client address may make (the ``limits`` library's notation), and where
    #: the counts live: ``memory://`` per process, ``redis://host:6379`` shared by every process.
    signin_rate_limit: str = "20/minute"
    signin_rate_limit_storage: str = "memory://"
    #: Internal networks service URLs may lead to (CIDRs); every other non-global address is
    #: refused (magpie.sync.remote.addresses).
    remote_allowed_networks: Tuple[str, ...] = ()

    @property
    def production(self) -> bool:
        return self.environment == "production"


def apply_env_overrides(settings: Mapping[str, object], environ: Optional[Mapping[str, str]] = None) -> dict:
    """Return a copy of ``settings`` where each variable of :data:`ENV_OVERRIDES` that is set wins."""
    environ = os.environ if environ is None else environ
    result = dict(settings)
    for name, variable in ENV_OVERRIDES.items():
        value = environ.get(variable)
        if value is not None and value != "":
            result[name] = value
    return result


def as_bool(value: object, name: str = "setting") -> bool:
    """Parse a boolean setting strictly: a typo is an error, not a silent ``False``."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(f"{name}: expected true or false, got {value!r}")


def _as_int(settings: Mapping[str, object], name: str, default: int, unit: str) -> int:
    try:
        return int(settings.get(name, default))
    except (TypeError, ValueError):
        raise SettingsError(f"{name}: expected a number of {unit}") from None


def _choice(settings: Mapping[str, object], name: str, choices: Tuple[str, ...]) -> str:
    value = str(settings.get(name) or choices[0]).strip().lower()
    if value not in choices:
        raise SettingsError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _as_list(value: object) -> Tuple[str, ...]:
    return tuple(str(value or "").split())


def weak_secret_problem(value: str, development_value: str, minimum: int, what: str, how_to_set: str):
    """Why ``value`` (a password or secret) is not fit to share a server with, or None."""
    if not value:
        return f"no {what}: set {how_to_set}"
    if value == development_value:
        return f"the {what} is the development {what.split()[-1]} of development.ini: set {how_to_set}"
    if len(value) < minimum:
        return f"the {what} is shorter than {minimum} characters"
    return None


def _refuse_in_production(problem: Optional[str], production: bool) -> None:
    """A weak setting stops a production start-up and is only a warning elsewhere."""
    if problem and production:
        raise SettingsError(f"refusing to start in production: {problem}")
    if problem:
        LOGGER.warning("%s", problem)


def load_settings(raw: Mapping[str, object]) -> Settings:
    """Check and type the settings of ``raw`` (an ini section with the environment applied)."""
    environment = str(raw.get("magpie.environment") or "development").strip().lower()
    if environment not in ENVIRONMENTS:
        raise SettingsError(f"magpie.environment: expected one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
    production = environment == "production"

    admin_user = str(raw.get("magpie.admin_user") or "").strip() or None
    admin_password = str(raw.get("magpie.admin_password") or "") or None
    if admin_user is None or admin_password is None:
        problem = "no administrator: set magpie.admin_user and magpie.admin_password " \
                  "(MAGPIE_ADMIN_USER / MAGPIE_ADMIN_PASSWORD)"
    else:
        problem = weak_secret_problem(admin_password, DEVELOPMENT_PASSWORD, MIN_PASSWORD_LENGTH,
                                      "administrator password", "MAGPIE_ADMIN_PASSWORD")
    _refuse_in_production(problem, production)
    if admin_user is not None and len(admin_user) > 128:
        raise SettingsError("magpie.admin_user: at most 128 characters")

    secret = str(raw.get("magpie.secret") or "")
    _refuse_in_production(weak_secret_problem(secret, DEVELOPMENT_SECRET, MIN_SECRET_LENGTH, "session secret",
                                              "magpie.secret (MAGPIE_SECRET)"), production)
    return Settings(
        environment=environment,
        admin_user=admin_user,
        admin_password=admin_password,
        secret=secret or secrets.token_urlsafe(48),
        session_timeout=_as_int(raw, "magpie.session_timeout", 8 * 3600, "seconds"),
        cookie_secure=as_bool(raw.get("magpie.cookie_secure", production), "magpie.cookie_secure"),
        trusted_origins=_as_list(raw.get("magpie.trusted_origins")),
        providers_config=str(raw.get("magpie.providers_config") or "") or None,
        migrate_on_startup=as_bool(raw.get("magpie.migrate_on_startup", False), "magpie.migrate_on_startup"),
        max_body_bytes=_as_int(raw, "magpie.api.max_body_bytes", DEFAULT_MAX_BODY_BYTES, "bytes"),
        validate_responses=as_bool(raw.get("magpie.api.validate_responses", False), "magpie.api.validate_responses"),
        **_group_names(raw),
        audit_retention_days=_as_int(raw, "magpie.audit_retention_days", 365, "days"),
        permissions_config=str(raw.get("magpie.permissions_config") or "") or None,
        decisions_freshness=_choice(raw, "magpie.decisions.freshness", ("strict", "notify")),
        secrets_keys=_secrets_keys(raw, production),
        **_signin_settings(raw),
        remote_allowed_networks=allowed_networks_setting(raw),
    )


def _secrets_keys(raw: Mapping[str, object], production: bool) -> Tuple[str, ...]:
    try:
        keys = parse_keys(raw.get("magpie.secrets_key"))
    except SecretsKeyError as exc:
        raise SettingsError(str(exc)) from None
    if not keys:
        problem = "no secrets key: services cannot be given credentials; set magpie.secrets_key (MAGPIE_SECRETS_KEY)"
    elif keys[0] == DEVELOPMENT_SECRETS_KEY:
        problem = "the secrets key is the development key of development.ini: set MAGPIE_SECRETS_KEY"
    else:
        problem = None
    _refuse_in_production(problem, production)
    return keys


def allowed_networks_setting(raw: Mapping[str, object]) -> Tuple[str, ...]:
    """``magpie.remote.allowed_networks``: CIDRs or addresses, each checked."""
    import ipaddress

    networks = _as_list(raw.get("magpie.remote.allowed_networks"))
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise SettingsError(f"magpie.remote.allowed_networks: {network!r} is not an address or a CIDR") from None
    return networks


def _signin_settings(raw: Mapping[str, object]) -> dict:
    from limits import parse

    rate_limit = str(raw.get("magpie.signin.rate_limit") or "20/minute").strip()
    try:
        parse(rate_limit)
    except ValueError:
        raise SettingsError(f"magpie.signin.rate_limit: expected a rate such as 20/minute, got {rate_limit!r}") from None
    values = {"signin_max_failures": _as_int(raw, "magpie.signin.max_failures", 10, "failed sign-ins"),
              "signin_lockout_seconds": _as_int(raw, "magpie.signin.lockout_seconds", 900, "seconds"),
              "signin_rate_limit": rate_limit,
              "signin_rate_limit_storage": str(raw.get("magpie.signin.rate_limit_storage") or "memory://").strip()}
    if values["signin_max_failures"] < 1 or values["signin_lockout_seconds"] < 1:
        raise SettingsError("magpie.signin.max_failures and magpie.signin.lockout_seconds must be at least 1")
    return values


def _group_names(raw: Mapping[str, object]) -> dict:
    names = {key: str(raw.get(f"magpie.{key}") or default).strip()
             for key, default in (("admin_group", "administrators"), ("anonymous_group", "anonymous"),
                                  ("users_group", "users"))}
    if len(set(names.values())) != 3 or not all(names.values()):
        raise SettingsError(f"magpie.admin_group, magpie.anonymous_group and magpie.users_group must be three "
                            f"different names, got {', '.join(names.values())}")
    return names


def settings_of(registry) -> Settings:
    """The typed settings of a running application (set by :func:`magpie.main`)."""
    return registry["magpie.settings"]


def load_ini_settings(config_uri: str) -> dict:
    """Settings of the ``[app:main]`` section of an ini file, with the environment applied."""
    from pyramid.paster import get_appsettings

    if not os.path.isfile(config_uri.split("#", 1)[0]):
        raise SettingsError(f"configuration file not found: {config_uri}")
    return apply_env_overrides(get_appsettings(config_uri))


def settings_from_cli(db_url: Optional[str] = None, config_uri: Optional[str] = None) -> dict:
    """Settings for a console command: ``--db URL`` wins over ``--config INI``, which wins over
    ``MAGPIE_DB_URL`` alone."""
    settings = load_ini_settings(config_uri) if config_uri else apply_env_overrides({})
    if db_url:
        settings["sqlalchemy.url"] = db_url
    if not settings.get("sqlalchemy.url"):
        raise SettingsError("no database: give --db URL, --config INI or set MAGPIE_DB_URL")
    return settings
