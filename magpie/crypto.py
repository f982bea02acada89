"""Encryption at rest of the secrets magpie stores (service credentials), with Fernet
(AES-128-CBC and HMAC-SHA256: authenticated, so a tampered or foreign value is refused).

The keys come from ``magpie.secrets_key`` / ``MAGPIE_SECRETS_KEY``: one Fernet key, or several
separated by spaces, the first encrypting and all decrypting, so a new key can be put first and
every stored secret re-encrypted with it (``magpie-rotate-secrets``) before the old one goes.
Each process installs its keys once (:func:`install`); a process that did not falls back to the
environment, so in-process callers of the sync need nothing more than the variable.
"""
import os
import threading
from typing import Optional, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

ENVIRONMENT_VARIABLE = "MAGPIE_SECRETS_KEY"


class SecretsKeyError(ValueError):
    """No key is configured, a key is malformed, or a stored secret does not open with the keys."""


def parse_keys(value: object) -> tuple:
    """The keys of a setting (space-separated); each must be a Fernet key (SecretsKeyError)."""
    keys = tuple(str(value or "").split())
    for position, key in enumerate(keys):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise SecretsKeyError(f"magpie.secrets_key: key {position + 1} is not a Fernet key "
                                  "(32 url-safe base64-encoded bytes; make one with magpie-rotate-secrets "
                                  "--new-key)") from None
    return keys


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


class SecretBox:
    """Seals and opens secrets with a list of keys: the first seals, any of them opens."""

    def __init__(self, keys: Sequence[str]):
        if not keys:
            raise SecretsKeyError(f"no secrets key: set magpie.secrets_key ({ENVIRONMENT_VARIABLE}) to store "
                                  "credentials")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, plaintext: bytes) -> str:
        return self._fernet.encrypt(plaintext).decode("ascii")

    def open(self, sealed: str) -> bytes:
        try:
            return self._fernet.decrypt(sealed.encode("ascii"))
        except InvalidToken:
            raise SecretsKeyError("a stored secret does not open with the configured secrets keys "
                                  "(was the key changed without magpie-rotate-secrets?)") from None

    def rotate(self, sealed: str) -> str:
        """The same secret sealed with the first key."""
        try:
            return self._fernet.rotate(sealed.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SecretsKeyError("a stored secret does not open with the configured secrets keys") from None


_installed: Optional[tuple] = None
_lock = threading.Lock()


def install(keys: Sequence[str]) -> None:
    """Use ``keys`` in this process from now on (an empty list falls back to the environment)."""
    global _installed
    with _lock:
        _installed = tuple(keys) or None


def current_box() -> SecretBox:
    """The box of the installed keys, else of ``MAGPIE_SECRETS_KEY`` (SecretsKeyError if none)."""
    keys = _installed if _installed is not None else parse_keys(os.environ.get(ENVIRONMENT_VARIABLE))
    return SecretBox(keys)
