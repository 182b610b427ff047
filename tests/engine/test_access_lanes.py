"""Readers at the same moment each log into a lane of their own, and no lane is weaker
than the one chain was (engine.protection.access).

On SQLite one writer runs at a time and every event lands in lane 1; these tests need
PostgreSQL, where a reader skips the lanes others hold.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from engine.protection.access import Reader, head_line, lane_genesis
from engine.store.models import AccessEvent

CASE = "SI-7K3Q-9F2M"
WAIT = 30
"""Seconds a reader may take before the test calls it stuck behind another."""


@pytest.fixture
def engine(make_engine, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("lanes are taken side by side only on PostgreSQL (SKIP LOCKED)")
    engine = make_engine()
    engine.access.record(reader("first"), CASE, ["family_name"], "case page")
    return engine


def reader(name: str) -> Reader:
    return Reader(name, ("coordinator",), "127.0.0.1")


def in_a_thread(work) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(WAIT)
    return thread


def lanes_of(engine) -> dict[str, tuple[int, int]]:
    with engine.db.reading() as session:
        return {e.username: (e.lane, e.number) for e in session.scalars(select(AccessEvent))}


def held_open_while_another_reads(engine) -> None:
    """One reader's unit of work holds lane 1 while a second reader logs her read."""
    with engine.db.transaction() as session:
        engine.access.record_in(session, reader("slow"), CASE, ["address"], "case page")
        other = in_a_thread(lambda: engine.access.record(reader("quick"), CASE,
                                                         ["address"], "case page"))
        assert not other.is_alive(), "the second reader waited for the first to commit"


def without_protection(engine, statement: str) -> None:
    with engine.db.transaction() as session:
        session.execute(text("ALTER TABLE access_event DISABLE TRIGGER USER"))
        session.execute(text(statement))
        session.execute(text("ALTER TABLE access_event ENABLE TRIGGER USER"))


def test_a_reader_does_not_wait_for_one_still_reading_and_both_reads_are_chained(engine):
    held_open_while_another_reads(engine)

    assert lanes_of(engine) == {"first": (1, 1), "quick": (2, 1), "slow": (1, 2)}
    check = engine.access.verify()
    assert (check.intact, check.events, check.lanes) == (True, 3, (2, 1)), check.problem
    assert head_line(check) == f"access-log-head 2.1 {check.head}"
    newest_first = [e.username for e in engine.access.events()]
    assert newest_first == ["slow", "quick", "first"]  # in the order they were committed


def test_eight_readers_at_once_leave_every_lane_whole(engine):
    readers, reads = 8, 25
    start = threading.Barrier(readers)

    def read(number: int) -> None:
        start.wait()
        for _ in range(reads):
            engine.access.record(reader(f"reader-{number}"), CASE, ["address"], "case page")

    threads = [threading.Thread(target=read, args=(n,), daemon=True) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 4)
    assert not any(thread.is_alive() for thread in threads)

    check = engine.access.verify()
    assert check.intact, check.problem
    assert check.events == 1 + readers * reads and len(check.lanes) > 1
    with engine.db.reading() as session:
        numbers = session.execute(select(AccessEvent.lane, AccessEvent.number)).all()
    for lane, count in enumerate(check.lanes, start=1):  # 1..n in each lane, no gap
        assert sorted(n for ln, n in numbers if ln == lane) == list(range(1, count + 1))


@pytest.mark.parametrize(("statement", "found"), [
    ("DELETE FROM access_event WHERE lane = 2", "lane 2's head names event 1, but the lane "
                                                "ends at event 0: events were removed"),
    ("UPDATE access_event SET what = 'nothing' WHERE lane = 2",
     "lane 2 event 1 was altered after it was written"),
    ("UPDATE access_event SET lane = 3 WHERE lane = 2",
     "lane 3 event 1 is not where lane 3 starts: one was moved or altered"),
])
def test_an_event_altered_removed_or_moved_in_another_lane_is_found(engine, statement, found):
    held_open_while_another_reads(engine)
    assert engine.access.verify().intact

    without_protection(engine, statement)
    check = engine.access.verify()
    assert not check.intact and check.problem == found


def test_a_lane_cut_back_to_before_the_filed_head_is_found(engine):
    held_open_while_another_reads(engine)
    filed = head_line(engine.access.verify())
    assert engine.access.verify(filed).intact
    held_open_while_another_reads(engine)  # the log goes on: the filed head still holds
    assert engine.access.verify(filed).intact
    counts = filed.split()[1]
    forged = engine.access.verify(f"access-log-head {counts} {'0' * 64}")
    assert forged.problem == ("the lanes do not end at the filed head with the links "
                              "filed: the chain was rewritten before it")

    # Someone with the database's rights drops lane 2 and moves its head back to where
    # the lane starts: every lane still holds on its own, the filed head does not.
    without_protection(engine, "DELETE FROM access_event WHERE lane = 2")
    with engine.db.transaction() as session:
        session.execute(text("UPDATE access_chain SET last_id = 0, last_hash = :start "
                             "WHERE id = 2"), {"start": lane_genesis(2)})
    assert engine.access.verify().intact
    cut = engine.access.verify(filed)
    assert cut.problem == ("the filed head names event 1 of lane 2, but the lane ends at "
                           "event 0: events were removed")


def test_reads_logged_twice_in_one_unit_follow_each_other_in_its_lane(engine):
    with engine.db.transaction() as session:
        engine.access.record_in(session, reader("ana"), CASE, ["address"], "case page")
        engine.access.record_in(session, reader("bea"), CASE, ["family_name"], "export")
        assert lanes_of(engine) == {"first": (1, 1)}  # written just before the commit
    assert lanes_of(engine) == {"first": (1, 1), "ana": (1, 2), "bea": (1, 3)}
    check = engine.access.verify()
    assert (check.intact, check.events, check.lanes) == (True, 3, (3,)), check.problem


def test_a_read_logged_in_a_unit_that_fails_leaves_its_lane_as_it_was(engine):
    with pytest.raises(LookupError), engine.db.transaction() as session:
        engine.access.record_in(session, reader("ana"), CASE, ["address"], "case page")
        raise LookupError("the page failed before showing anything")
    engine.access.record(reader("bea"), CASE, ["address"], "case page")
    assert lanes_of(engine) == {"first": (1, 1), "bea": (1, 2)}
    assert engine.access.verify().intact


def test_a_unit_that_only_reads_cannot_log_a_read(engine):
    with pytest.raises(RuntimeError, match="only reads"), engine.db.reading() as session:
        engine.access.record_in(session, reader("ana"), CASE, ["address"], "case page")
    assert lanes_of(engine) == {"first": (1, 1)}
