"""Setup files applied at start-up and by console commands: Magpie's permissions configuration
(``permissions.cfg``: users, groups and the permissions applied on services and the resources
below them). :mod:`~magpie.setup_files.permissions_file` reads and checks a file without a
database; :mod:`~magpie.setup_files.permissions_apply` applies it in one transaction and holds
``magpie-register-permissions``.

It sits above :mod:`magpie.resources` (it creates the resources a path names) and may import
``resources``, ``services``, ``permissions``, ``accounts``, ``db``, ``audit`` and ``models``;
never ``helpers``, ``api`` or ``ui``.
"""
