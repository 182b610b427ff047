"""Units of work: a reading unit never leaves a change behind."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from engine.store.db import Database
from engine.store.models import UserAccount

INSERT_ANA = text("INSERT INTO user_account (username, display_name, active, created_at) "
                  "VALUES ('ana', 'Ana', TRUE, CURRENT_TIMESTAMP)")


def test_a_reading_unit_cannot_change_data(database_url: str) -> None:
    database = Database(database_url)
    try:
        with database.transaction() as session:
            session.execute(INSERT_ANA)
        if database.engine.dialect.name == "postgresql":
            # READ ONLY: the write is refused outright.
            with (pytest.raises(DBAPIError, match="read-only transaction"),
                  database.reading() as session):
                session.execute(text("UPDATE user_account SET display_name = 'Mallory'"))
        else:
            with database.reading() as session:
                session.execute(text("UPDATE user_account SET display_name = 'Mallory'"))
        with database.reading() as session:
            assert session.scalars(select(UserAccount.display_name)).all() == ["Ana"]
    finally:
        database.dispose()


def test_a_writing_unit_after_a_reading_unit_can_write(database_url: str) -> None:
    """The read-only mode ends with the reading unit, on the same pooled connection."""
    database = Database(database_url, pool_size=1)
    try:
        with database.reading() as session:
            assert session.scalars(select(UserAccount.display_name)).all() == []
        with database.transaction() as session:
            session.execute(INSERT_ANA)
        with database.reading() as session:
            assert session.scalars(select(UserAccount.display_name)).all() == ["Ana"]
    finally:
        database.dispose()


def test_a_reading_unit_does_not_wait_for_a_writer(database_url: str) -> None:
    """A page read while a task is being completed sees the last committed state at once."""
    database = Database(database_url, connect_args={"timeout": 1}
                        if database_url.startswith("sqlite") else {})
    try:
        with database.transaction() as writer:
            writer.execute(INSERT_ANA)
            writer.flush()
            with database.reading() as reader:  # would time out behind BEGIN IMMEDIATE
                assert reader.scalars(select(UserAccount.display_name)).all() == []
        with database.reading() as reader:
            assert reader.scalars(select(UserAccount.display_name)).all() == ["Ana"]
    finally:
        database.dispose()
