"""Who may use Magpie: user accounts and the administrator created at start-up
(:mod:`~magpie.accounts.users`), and the security policy that turns a session cookie or HTTP Basic
into an identity (:mod:`~magpie.accounts.security`).

It imports :mod:`magpie.config`, :mod:`magpie.db` and :mod:`magpie.models` only.
"""


def includeme(config) -> None:
    config.include("magpie.accounts.security")
