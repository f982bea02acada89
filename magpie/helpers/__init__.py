"""The front door of the seed contract: :mod:`~magpie.helpers.sync_resources` and
:mod:`~magpie.helpers.sync_services` keep every name of ``sync_resources.rst`` importable with its
parameters, for in-process users and readers who start there. The work is done in
:mod:`magpie.sync`; nothing else lives here, and no domain package imports from here.
"""
