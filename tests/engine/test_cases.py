"""Cases: every procedure, open task and legal deadline of one person, under her code."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.errors import BadRequest, NotFound
from tests.diagrams import linear, registries
from tests.engine.monitor_steps import open_deadline, tracked


@pytest.fixture
def people(make_engine):
    """Julija (SI-7K3Q) has three procedures, one completed and one cancelled with its
    deadline; Ana (RS-1234) one, started later; Mira (BA-77) one, started last."""
    forms, handlers, _ = registries()
    handlers.register("test.deadline")(open_deadline)
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(linear("demo"), source="demo.bpmn")
    engine.repository.deploy(tracked(), source="tracked.bpmn")
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
