"""A service's local resource tree: load it in one query (:mod:`~magpie.resources.tree`), create
and delete resources where their parent may hold them (:mod:`~magpie.resources.actions`), and
reconcile it with the remote tree: clean what is gone, adopt what is new
(:mod:`~magpie.resources.reconcile`); grant on remote-only nodes (:mod:`~magpie.resources.grants`)
and show the tree for one user or group (:mod:`~magpie.resources.annotate`). Every change is
written to the audit log.

It imports :mod:`magpie.permissions` (names, applied permissions, decisions), :mod:`magpie.services`
(to find a service), :mod:`magpie.sync` (the stored remote tree), :mod:`magpie.accounts`,
:mod:`magpie.audit`, :mod:`magpie.db` and :mod:`magpie.models`; never the API or the UI.
"""
