"""A token opens what it was made for: the API, or the calendar feed alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from engine.errors import BadRequest, Unauthorized
from engine.identity.credentials import API, CALENDAR
from engine.store.db import Database
from engine.store.models import ApiToken


def test_each_token_is_good_only_for_its_own_scope(engine):
    engine.users.add("ana", ["legal_adviser"])
    api = engine.credentials.create_token("ana", "laptop", by="admin").token
    feed = engine.credentials.create_token("ana", "phone calendar", scope=CALENDAR,
                                           by="admin").token
    assert engine.credentials.user_for_token(api).username == "ana"
    assert engine.credentials.user_for_token(feed, CALENDAR).username == "ana"
    with pytest.raises(Unauthorized):
        engine.credentials.user_for_token(feed)
    with pytest.raises(Unauthorized):
        engine.credentials.user_for_token(api, CALENDAR)


def test_an_unknown_scope_is_refused_and_no_token_made(engine):
    engine.users.add("ana", ["legal_adviser"])
    with pytest.raises(BadRequest, match="use one of api, calendar"):
        engine.credentials.create_token("ana", "x", scope="everything", by="admin")
    with engine.db.reading() as session:
        assert session.scalars(select(ApiToken)).all() == []


def test_the_migration_makes_existing_feed_tokens_calendar_tokens(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        database.upgrade("0011")
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO user_account (id, username, display_name, active, created_at) "
                "VALUES (1, 'ana', 'Ana', 1, '2026-11-01 09:00:00')"))
            for label, digest in (("calendar feed", "a" * 64), ("laptop", "b" * 64)):
                connection.execute(text(
                    "INSERT INTO api_token (user_id, token_hash, label, created_at) "
                    "VALUES (1, :digest, :label, '2026-11-01 09:00:00')"),
                    {"digest": digest, "label": label})
        database.upgrade()
        with database.engine.connect() as connection:
            scopes = dict(connection.execute(text("SELECT label, scope FROM api_token")).all())
            generation = connection.execute(text(
                "SELECT session_generation FROM user_account")).scalar_one()
        assert scopes == {"calendar feed": CALENDAR, "laptop": API}
        assert generation == 0
    finally:
        database.dispose()
