"""``magpie-rotate-secrets``: re-encrypt every stored secret with the first secrets key.

To change the key: put the new key first in ``magpie.secrets_key`` / ``MAGPIE_SECRETS_KEY``,
followed by the old one, run this command, then drop the old key. Every secret is opened before
anything is written, in one transaction: a secret no key opens changes nothing.
"""
import argparse
import sys

import sqlalchemy as sa
import transaction
from sqlalchemy.orm import Session

from magpie import crypto, db, models


def rotate_secrets(session: Session, box: crypto.SecretBox) -> int:
    """Seal every stored credential again with the box's first key; the number of secrets."""
    rows = list(session.execute(sa.select(models.ServiceCredential)).scalars())
    resealed = [box.rotate(row.sealed) for row in rows]  # all or nothing: any error before a write
    for row, sealed in zip(rows, resealed):
        row.sealed = sealed
    session.flush()
    return len(rows)


def main(argv=None) -> int:
    """Exit 0 when every secret was re-encrypted, 2 for bad keys, settings or database."""
    from magpie.config import SettingsError, settings_from_cli

    parser = argparse.ArgumentParser(prog="magpie-rotate-secrets", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (wins over --config and MAGPIE_DB_URL)")
    parser.add_argument("--config", help="ini file holding sqlalchemy.url and magpie.secrets_key")
    parser.add_argument("--new-key", action="store_true", help="print a new key and exit")
    args = parser.parse_args(argv)
    if args.new_key:
        print(crypto.new_key())
        return 0
    try:
        settings = settings_from_cli(args.db, args.config)
        box = crypto.SecretBox(crypto.parse_keys(settings.get("magpie.secrets_key")))
        if not db.is_database_ready(settings):
            raise SettingsError("the database is unreachable or not migrated (run magpie-migrate)")
        manager = transaction.TransactionManager(explicit=True)
        session = db.get_db_session_from_settings(settings, manager)
        with manager:
            count = rotate_secrets(session, box)
        session.close()
    except (crypto.SecretsKeyError, SettingsError, sa.exc.SQLAlchemyError) as exc:
        print(f"magpie-rotate-secrets: {exc}", file=sys.stderr)
        return 2
    print(f"{count} secret(s) re-encrypted with the first key")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
