"""A real database error in the middle of a sync's writes: a trigger refusing to insert a remote
node named ``poison.nc``, on SQLite and PostgreSQL."""
import pytest
import sqlalchemy as sa

REFUSE_POISON = {  # a real database error in the middle of a sync's writes: (create, drop)
    "sqlite": (["CREATE TRIGGER refuse_poison BEFORE INSERT ON remote_resources "
                "WHEN NEW.resource_name = 'poison.nc' BEGIN SELECT RAISE(ABORT, 'poison refused'); END"],
               ["DROP TRIGGER IF EXISTS refuse_poison"]),
    "postgresql": (["CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                    "IF NEW.resource_name = 'poison.nc' THEN RAISE EXCEPTION 'poison refused'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql",
                    "CREATE TRIGGER refuse_poison BEFORE INSERT ON remote_resources "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_poison()"],
                   ["DROP TRIGGER IF EXISTS refuse_poison ON remote_resources",
                    "DROP FUNCTION IF EXISTS refuse_poison()"]),
}


@pytest.fixture
def refuse_poison(db_url):
    """Inserting a remote node named ``poison.nc`` fails inside the database while this is active."""
    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    create, drop = REFUSE_POISON[engine.dialect.name]

    def run(statements):
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)

    yield lambda: run(create)
    run(drop)
    engine.dispose()
