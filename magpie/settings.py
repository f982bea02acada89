"""Settings: read once from the ini file, overridden by the environment, turned into typed values.

Every entry point (the WSGI app, the cron command, the providers command) goes through
:func:`apply_env_overrides` so the same environment variable means the same thing everywhere.
"""
import os
from typing import Mapping, Optional

#: Setting name -> environment variable that overrides it.
ENV_OVERRIDES = {
    "sqlalchemy.url": "MAGPIE_DB_URL",
    "magpie.admin_user": "MAGPIE_ADMIN_USER",
    "magpie.admin_password": "MAGPIE_ADMIN_PASSWORD",
    "magpie.providers_config": "MAGPIE_PROVIDERS_CONFIG",
    "magpie.secret": "MAGPIE_SECRET",
    "magpie.environment": "MAGPIE_ENVIRONMENT",
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A setting is missing or has a value that cannot be used."""


def apply_env_overrides(settings: Mapping[str, object], environ: Optional[Mapping[str, str]] = None) -> dict:
    """Return a copy of ``settings`` where each variable of :data:`ENV_OVERRIDES` that is set wins."""
    environ = os.environ if environ is None else environ
    result = dict(settings)
    for name, variable in ENV_OVERRIDES.items():
        value = environ.get(variable)
        if value is not None and value != "":
            result[name] = value
    return result


def weak_secret_problem(value: str, development_value: str, minimum: int, what: str, how_to_set: str):
    """Why ``value`` (a password or secret) is not fit to share a server with, or None."""
    if not value:
        return f"no {what}: set {how_to_set}"
    if value == development_value:
        return f"the {what} is the development {what.split()[-1]} of development.ini: set {how_to_set}"
    if len(value) < minimum:
        return f"the {what} is shorter than {minimum} characters"
    return None


def refuse_in_production(problem, production: bool, logger) -> None:
    """A weak setting stops a production start-up and is only a warning elsewhere."""
    if problem and production:
        raise SettingsError(f"refusing to start in production: {problem}")
    if problem:
        logger.warning("%s", problem)


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
