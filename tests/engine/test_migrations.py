"""The migrations build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from engine.store.db import Database
from engine.store.models import Base

PARTITIONS = """SELECT child.relname FROM pg_inherits
                  JOIN pg_class child ON child.oid = pg_inherits.inhrelid
                 WHERE child.relnamespace = current_schema()::regnamespace"""


def test_migrated_schema_matches_the_models(database_url):
    database = Database(database_url)
    dialect = database.engine.dialect.name

    try:
        with database.engine.connect() as connection:
            partitions = set(connection.scalars(text(PARTITIONS))) \
                if dialect == "postgresql" else set()

            def expected_here(item: Any, name: Any, kind: str, reflected: bool,
                              other: Any) -> bool:
                """The partitions of a table are the database's, not the models'; and a
                constraint the models give to one dialect alone is not looked for on the
                other (the foreign keys to the partitioned table, see migration 0026)."""
                if reflected:
                    table = item if kind == "table" else getattr(item, "table", None)
                    return getattr(table, "name", None) not in partitions
                return item.info.get("only_on", dialect) == dialect

            context = MigrationContext.configure(
                connection, opts={"include_object": expected_here})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.dispose()
