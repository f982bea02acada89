"""Who may use Magpie: user accounts and the administrator created at start-up
(:mod:`~magpie.accounts.users`), groups (:mod:`~magpie.accounts.groups`), managing users, groups
and memberships (:mod:`~magpie.accounts.manage`, with the rules of :mod:`~magpie.accounts.rules`),
and the security policy that turns a session cookie or HTTP Basic into an identity
(:mod:`~magpie.accounts.security`).

It imports :mod:`magpie.config`, :mod:`magpie.errors`, :mod:`magpie.names`, :mod:`magpie.audit`,
:mod:`magpie.db` and :mod:`magpie.models` only.
"""


def includeme(config) -> None:
    config.include("magpie.accounts.security")
