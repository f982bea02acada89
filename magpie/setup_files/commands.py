"""The permissions configuration applied at start-up (``magpie.permissions_config``) and by
``magpie-register-permissions FILE``: read and check the file(s), then apply them in one
transaction. Lines name what changed; a run that changes nothing says "unchanged"."""
import argparse
import logging
import sys
from typing import List

import sqlalchemy as sa
import transaction
from sqlalchemy.orm import Session

from magpie import db
from magpie.setup_files.permissions_apply import Outcome, apply_permissions_config
from magpie.setup_files.permissions_file import PermissionsFileError, load_permissions_config

LOGGER = logging.getLogger(__name__)
COMMAND = "magpie-register-permissions"


def summary(path: str, outcomes: List[Outcome]) -> str:
    changes = sum(outcome.changed for outcome in outcomes)
    return f"{path}: {changes} change(s)" if changes else f"{path}: unchanged"


def apply_permissions_file(path: str, session: Session, actor: str, settings=None) -> List[Outcome]:
    """Apply the file, or the ``.cfg`` files of the directory, ``path`` in the caller's
    transaction; :class:`PermissionsFileError` (the transaction must then be aborted) otherwise."""
    outcomes = apply_permissions_config(session, load_permissions_config(path), actor, settings)
    for outcome in outcomes:
        if outcome.changed:
            LOGGER.info("%s", outcome)
    LOGGER.info("permissions %s", summary(path, outcomes))
    return outcomes


def quietly(function, *args):
    """Call ``function`` with the warnings of :mod:`magpie.config` silenced (a weak password is the
    server's concern, not this command's)."""
    logger = logging.getLogger("magpie.config")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return function(*args)
    finally:
        logger.setLevel(level)


def main(argv=None) -> int:
    """``magpie-register-permissions FILE``: exit 0 when applied, 2 for a bad file or database."""
    from magpie.config import SettingsError, load_settings, settings_from_cli

    parser = argparse.ArgumentParser(prog=COMMAND, description=(
        "Apply Magpie's permissions configuration (users, groups, permissions) from a YAML file or "
        "a directory of .cfg files, in one transaction."))
    parser.add_argument("file", help="permissions file (YAML), or a directory of .cfg files applied in name order")
    parser.add_argument("--db", help="database URL (wins over --config and MAGPIE_DB_URL)")
    parser.add_argument("--config", help="ini file holding sqlalchemy.url")
    args = parser.parse_args(argv)
    try:
        config = load_permissions_config(args.file)
        settings = settings_from_cli(args.db, args.config)
        typed = quietly(load_settings, settings)  # the group names; its warnings are the server's
        if not db.is_database_ready(settings):
            raise SettingsError("the database is unreachable or not migrated (run magpie-migrate)")
        manager = transaction.TransactionManager(explicit=True)
        session = db.get_db_session_from_settings(settings, manager)
        try:
            with manager:
                outcomes = apply_permissions_config(session, config, COMMAND, typed)
        finally:
            session.close()
    except (PermissionsFileError, SettingsError) as exc:
        print(f"{COMMAND}: {exc}", file=sys.stderr)
        return 2
    except sa.exc.SQLAlchemyError as exc:  # its first line: the rest quotes statement parameters
        print(f"{COMMAND}: database error: {str(getattr(exc, 'orig', None) or exc).splitlines()[0]}", file=sys.stderr)
        return 2
    for outcome in outcomes:
        print(outcome)
    print(summary(args.file, outcomes))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
