"""The remote services Magpie protects: create, change, find and delete them with one set of rules
(:mod:`~magpie.services.crud`), and register them from a providers file in Magpie's format
(:mod:`~magpie.services.providers`).

It imports :mod:`magpie.sync` (sync types and their configuration), :mod:`magpie.db` and
:mod:`magpie.models`; never the resources, API or UI packages.
"""
