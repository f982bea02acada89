"""What a process that syncs takes from its raw settings (the ini, with the environment), once at
start: the keys that open services' credentials and the internal networks service URLs may reach.
The web app gets both from its typed settings in :func:`magpie.main`; the cron command and
``magpie-worker`` read them here, so a worker syncs exactly as the app would."""
from typing import Mapping

from magpie import crypto
from magpie.config import allowed_networks_setting
from magpie.sync.remote import addresses


def configure_sync_process(settings: Mapping[str, object]) -> None:
    """Install the secrets keys and the allowed networks of ``settings`` for this process
    (:class:`~magpie.crypto.SecretsKeyError` or :class:`~magpie.config.SettingsError` when unusable)."""
    crypto.install(crypto.parse_keys(settings.get("magpie.secrets_key")))
    addresses.configure(allowed_networks_setting(settings))
