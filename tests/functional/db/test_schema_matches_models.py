"""The migrations build exactly the schema the models describe, on both databases: a model change
without its migration (or the reverse) fails here, not in production."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from magpie import db, models


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    """procrastinate's tables (migration 0008) are its own, not described by our models."""
    return not (type_ == "table" and name.startswith("procrastinate_"))


def test_the_migrated_schema_matches_the_models(db_url):
    with db.get_engine({"sqlalchemy.url": db_url}).connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": _ours})
        differences = compare_metadata(context, models.Base.metadata)
    assert differences == []
