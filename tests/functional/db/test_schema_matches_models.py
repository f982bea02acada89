"""The migrations build exactly the schema the models describe, on both databases: a model change
without its migration (or the reverse) fails here, not in production."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from magpie import db, models


def test_the_migrated_schema_matches_the_models(db_url):
    with db.get_engine({"sqlalchemy.url": db_url}).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), models.Base.metadata)
    assert differences == []
