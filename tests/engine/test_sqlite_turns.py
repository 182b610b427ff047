"""Writers on one SQLite file take turns: the next goes as soon as the last ends, one that
never gets a turn is refused with SQLite's own error, and no turn is ever kept."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from engine.store.db import Database

WAIT = 0.5
"""Seconds a writer here waits for its turn: long enough for a busy machine's thread to
start, short enough for a refusal to come quickly."""


@pytest.fixture
def file(tmp_path: Path) -> Path:
    path = tmp_path / "turns.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE note (body TEXT NOT NULL)")
    return path


@pytest.fixture
def database(file: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{file}", write_wait=WAIT)
    yield database
    database.dispose()


def notes(file: Path) -> list[str]:
    with sqlite3.connect(file) as connection:
        return [body for (body,) in connection.execute("SELECT body FROM note ORDER BY rowid")]


def write(database: Database, body: str) -> int:
    """Add a note; return how many notes the unit saw before its own."""
    with database.transaction() as session:
        seen = session.scalar(text("SELECT count(*) FROM note"))
        session.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": body})
        return seen


def test_a_second_thread_writes_once_the_first_has_committed(database: Database,
                                                             file: Path) -> None:
    first_wrote, let_go = threading.Event(), threading.Event()
    seen: dict[str, int] = {}

    def first() -> None:
        with database.transaction() as session:
            session.execute(text("INSERT INTO note (body) VALUES ('first')"))
            first_wrote.set()
            let_go.wait(10)

    def second() -> None:
        seen["second"] = write(database, "second")

    holder = threading.Thread(target=first)
    holder.start()
    assert first_wrote.wait(10)
    waiter = threading.Thread(target=second)
    waiter.start()
    waiter.join(WAIT / 5)
    assert waiter.is_alive(), "the second writer went ahead while the first still wrote"
    let_go.set()
    holder.join(10)
    waiter.join(10)
    assert seen == {"second": 1}, "the second writer began before the first's commit"
    assert notes(file) == ["first", "second"]


def test_a_writer_waits_for_another_process_then_goes(database: Database, file: Path) -> None:
    other = sqlite3.connect(file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO note (body) VALUES ('other process')")
    seen: dict[str, int] = {}
    waiter = threading.Thread(target=lambda: seen.update(ours=write(database, "ours")))
    waiter.start()
    waiter.join(WAIT / 5)
    assert waiter.is_alive(), "the writer went ahead while another process wrote"
    other.execute("COMMIT")
    other.close()
    waiter.join(10)
    assert seen == {"ours": 1}
    assert notes(file) == ["other process", "ours"]


def test_a_writer_that_gets_no_turn_is_refused_and_writes_nothing(database: Database,
                                                                  file: Path) -> None:
    other = sqlite3.connect(file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            write(database, "too late")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert notes(file) == []
    assert write(database, "next") == 0, "the refused writer kept its turn"
    assert notes(file) == ["next"]


def test_a_unit_that_fails_hands_its_turn_back(database: Database, file: Path) -> None:
    with pytest.raises(ValueError, match="a form error"), database.transaction() as session:
        session.execute(text("INSERT INTO note (body) VALUES ('rolled back')"))
        raise ValueError("a form error")
    other_thread = threading.Thread(target=write, args=(database, "after"))
    other_thread.start()
    other_thread.join(10)
    assert notes(file) == ["after"]


def test_a_write_inside_another_of_the_same_thread_is_refused_not_hung(
        database: Database, file: Path) -> None:
    """A unit that opened a second writing unit inside itself would wait for itself: it is
    told so after the wait instead of hanging its web process for ever."""
    with pytest.raises(OperationalError, match="no turn to write"), \
            database.transaction() as outer:
        outer.execute(text("INSERT INTO note (body) VALUES ('outer')"))
        write(database, "inner")
    assert notes(file) == []
    assert write(database, "then") == 0
