"""The sync engine: crawl what a remote service exposes, store it as the service's remote tree,
and merge it with the local tree.

- :mod:`~magpie.sync.config`: a service's configuration, typed once (keys, bounds, defaults);
- :mod:`~magpie.sync.types`: one class per kind of remote service, and the registry of them;
- :mod:`~magpie.sync.remote`: HTTP with limits and origins, hardened XML;
- :mod:`~magpie.sync.tree` and :mod:`~magpie.sync.merge`: pure functions on trees (build, diff,
  merge, sort);
- :mod:`~magpie.sync.store`: the stored remote tree (read, merge with a local tree, apply a diff);
- :mod:`~magpie.sync.status`: status and history of runs;
- :mod:`~magpie.sync.runner`: one sync, in the caller's transaction or its own;
- :mod:`~magpie.sync.cron`: the ``magpie-sync-resources`` command.

It imports :mod:`magpie.db`, :mod:`magpie.models` and the base modules (config, errors, names),
never the services, resources, API or UI packages. The seed contract's names stay importable from
:mod:`magpie.helpers.sync_resources` and :mod:`magpie.helpers.sync_services`.
"""
