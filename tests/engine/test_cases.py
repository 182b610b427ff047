"""Cases: every procedure, open task and legal deadline of one person, under her code."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import bindparam, text

from engine.errors import BadRequest, NotFound
from engine.services.cases import case_cursor
from engine.services.summaries import summary_cursor
from engine.store.models import Moment
from tests.engine.monitor_steps import tracking_engine

MOMENT = bindparam("t", type_=Moment)


@pytest.fixture
def people(make_engine):
    """Julija (SI-7K3Q) has three procedures, one completed and one cancelled with its
    deadline; Ana (RS-1234) one, started later; Mira (BA-77) one, started last."""
    engine = tracking_engine(make_engine)
    start = engine.runtime.start
    first = start("demo", "SI-7K3Q", {"first_due": "2026-03-10"})
    permit = start("tracked", "SI-7K3Q", {"legal_date": "2026-06-30"})
    wrong = start("tracked", "SI-7K3Q", {"legal_date": "2026-04-15"})
    engine.runtime.cancel(wrong.id, reason="entered twice")
    done = start("demo", "SI-7K3Q")
    engine.tasks.complete(done.open_tasks[0].id, "ana", {"note": "done"})
    engine.set_clock(datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    ana = start("demo", "RS-1234", {"first_due": "2026-03-05"})
    engine.set_clock(datetime(2026, 3, 4, 8, 0, tzinfo=UTC))
    mira = start("demo", "BA-77")
    return engine, {"first": first.id, "permit": permit.id, "wrong": wrong.id,
                    "done": done.id, "ana": ana.id, "mira": mira.id}


def test_cases_are_listed_most_recently_active_first(people):
    engine, _ = people
    listed = engine.cases.cases()
    assert [c.code for c in listed] == ["BA-77", "RS-1234", "SI-7K3Q"]
    julija = listed[-1]
    assert (julija.instances, julija.running, julija.open_tasks, julija.next_safe_day) == (
        4, 2, 2, date(2026, 6, 30))
    assert julija.updated_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    mira = listed[0]
    assert (mira.instances, mira.running, mira.open_tasks, mira.next_safe_day) == (
        1, 1, 1, None)
    assert engine.cases.count() == 3


def test_cases_filter_on_any_part_of_the_code_and_page(people):
    engine, _ = people
    assert [c.code for c in engine.cases.cases(code_contains="7k3")] == ["SI-7K3Q"]
    assert engine.cases.count(code_contains="7k3") == 1
    assert engine.cases.cases(code_contains="%") == []
    assert [c.code for c in engine.cases.cases(limit=2, offset=1)] == ["RS-1234", "SI-7K3Q"]
    assert engine.cases.cases(offset=3) == []
    with pytest.raises(BadRequest, match="limit must be"):
        engine.cases.cases(limit=0)
    with pytest.raises(BadRequest, match="offset must be"):
        engine.cases.cases(offset=-5)


def test_a_case_shows_every_procedure_open_task_and_deadline(people):
    engine, ids = people
    case = engine.cases.case("SI-7K3Q")
    assert case.code == "SI-7K3Q"
    assert [(i.id, i.status) for i in case.instances] == [
        (ids["first"], "running"), (ids["permit"], "running"),
        (ids["wrong"], "cancelled"), (ids["done"], "completed")]
    assert [(t.instance_id, t.due_date) for t in case.open_tasks] == [
        (ids["first"], date(2026, 3, 10)), (ids["permit"], None)]
    assert [(d.instance_id, d.status, d.cancel_reason) for d in case.deadlines] == [
        (ids["wrong"], "cancelled", "the procedure was cancelled"),
        (ids["permit"], "open", None)]
    assert case.to_dict()["instances"][0]["case_code"] == "SI-7K3Q"


def test_an_unknown_or_blank_case_code_is_refused(people):
    engine, _ = people
    with pytest.raises(NotFound, match="case 'SI-0000' has no procedure"):
        engine.cases.case("SI-0000")
    with pytest.raises(NotFound):
        engine.cases.case("si-7k3q")  # a case code is exact
    with pytest.raises(BadRequest, match="a case code is required"):
        engine.cases.case("  ")


def test_no_case_at_all(engine):
    assert engine.cases.cases() == [] and engine.cases.count() == 0


def test_the_case_list_goes_on_by_cursor_each_case_once(people):
    engine, _ = people
    pages, after = [], None
    while True:
        page = engine.cases.cases(limit=1, after=after)
        if not page:
            break
        pages.append([c.code for c in page])
        after = case_cursor(page[-1])
    assert pages == [["BA-77"], ["RS-1234"], ["SI-7K3Q"]]
    assert engine.cases.count(cap=1) == 2, "the count stops one past its cap"
    assert engine.cases.count(cap=5) == 3


def test_a_case_that_moves_between_pages_goes_to_the_top_and_is_not_listed_twice(people):
    engine, ids = people
    first = engine.cases.cases(limit=1)
    engine.set_clock(datetime(2026, 3, 5, 8, 0, tzinfo=UTC))
    julija = engine.runtime.instance(ids["first"])
    engine.tasks.complete(julija.open_tasks[0].id, "ana", {"note": "seen her"})
    rest = engine.cases.cases(limit=10, after=case_cursor(first[-1]))
    assert [c.code for c in first + rest] == ["BA-77", "RS-1234"]
    again = engine.cases.cases()
    assert [c.code for c in again] == ["SI-7K3Q", "BA-77", "RS-1234"]
    assert again[0].updated_at == datetime(2026, 3, 5, 8, 0, tzinfo=UTC)


def test_a_cursor_the_case_list_did_not_give_is_refused(people):
    engine, ids = people
    instance_cursor = summary_cursor(engine.runtime.summaries(limit=1)[0])
    for foreign in (instance_cursor, "not a cursor", "W10"):
        with pytest.raises(BadRequest, match="not a cursor of this list"):
            engine.cases.cases(after=foreign)
    with pytest.raises(BadRequest, match="without an offset"):
        engine.cases.cases(after=case_cursor(engine.cases.cases()[0]), offset=1)


def test_a_case_knows_its_last_activity_however_its_instances_were_written(people):
    """The database keeps it: a status change, a row written by hand or copied in bulk
    with its case record after it, and a change back in time that must not move it."""
    engine, ids = people
    last_active = lambda code: engine.cases.cases(code_contains=code)[0].updated_at  # noqa: E731
    engine.set_clock(datetime(2026, 3, 6, 8, 0, tzinfo=UTC))
    engine.runtime.cancel(ids["ana"], reason="entered twice")
    assert last_active("RS-1234") == datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
    with engine.db.transaction() as session:
        session.execute(text("UPDATE process_instance SET updated_at = :t WHERE id = :i")
                        .bindparams(MOMENT), {"t": datetime(2026, 1, 1, tzinfo=UTC),
                                              "i": ids["ana"]})
    assert last_active("RS-1234") == datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
    copied = datetime(2026, 3, 7, 8, 0, tzinfo=UTC)
    with engine.db.transaction() as session:
        session.execute(text(
            "INSERT INTO process_instance (definition_id, process_key, case_code, status, "
            "revision, state, variables, started_at, started_by, updated_at) SELECT "
            "definition_id, process_key, 'HR-COPY', status, revision, state, variables, "
            "started_at, started_by, :t FROM process_instance WHERE id = :i")
            .bindparams(MOMENT), {"t": copied, "i": ids["mira"]})
        session.execute(text("INSERT INTO case_record (code, legal_hold, created_at) "
                             "VALUES ('HR-COPY', false, :t)").bindparams(MOMENT),
                        {"t": copied})
    assert [(c.code, c.updated_at) for c in engine.cases.cases(limit=1)] == [
        ("HR-COPY", copied)]
