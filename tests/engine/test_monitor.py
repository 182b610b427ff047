"""The coordinators' monitor: the instance list with its filters and pages, the dashboard."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engine.errors import BadRequest
from tests.diagrams import linear, registries, with_handler
from tests.engine.monitor_steps import open_deadline, tracked


@pytest.fixture
def monitored(make_engine):
    """Eight instances started over three days; today is Wednesday 4 March 2026.

    A (due yesterday) and H (due 27 February) have overdue tasks; D's deadline passed on
    20 February; F's latest safe day is next Monday, G's in May; E is in incident; C is
    completed. B started at 00:30 on 3 March in Ljubljana, still 2 March in UTC.
    """
    forms, handlers, _ = registries()
    handlers.register("test.deadline")(open_deadline)
    engine = make_engine(forms=forms, handlers=handlers)
    for content, name in ((linear("demo"), "demo"), (tracked(), "tracked"),
                          (with_handler("two"), "two")):
        engine.repository.deploy(content, source=f"{name}.bpmn")
    start = engine.runtime.start
    made = {"A": start("demo", "SI-ALPHA-1", {"first_due": "2026-03-03"})}
    engine.set_clock(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    made["B"] = start("demo", "si-alpha-2", {"first_due": "2026-03-20"})
    engine.set_clock(datetime(2026, 3, 4, 8, 0, tzinfo=UTC))
    made["C"] = start("demo", "RS-BETA-7")
    engine.tasks.complete(made["C"].open_tasks[0].id, "ana", {"note": "done"})
    made["E"] = start("two", "BA-DELTA-3")
    engine.tasks.complete(made["E"].open_tasks[0].id, "ana", {"note": "go on"})
    made["H"] = start("demo", "SI-ALPHA-8", {"first_due": "2026-02-27"})
    made["D"] = start("tracked", "SI-GAMMA-4", {"legal_date": "2026-02-20"})
    made["F"] = start("tracked", "SI-GAMMA-5", {"legal_date": "2026-03-09"})
    made["G"] = start("tracked", "SI-GAMMA-6", {"legal_date": "2026-05-04"})
    ids = {name: view.id for name, view in made.items()}
    assert engine.ctx.today() == date(2026, 3, 4)
    return engine, ids


def names(ids: dict[str, int], summaries) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[s.id] for s in summaries]


def test_the_list_is_newest_first_with_tasks_due_dates_and_overdue(monitored):
    engine, ids = monitored
    listed = engine.runtime.summaries()
    assert names(ids, listed) == ["G", "F", "D", "H", "E", "C", "B", "A"]
    a = listed[-1]
    assert (a.process_key, a.version, a.case_code, a.status) == (
        "demo", 1, "SI-ALPHA-1", "running")
    assert (a.open_tasks, a.next_due, a.overdue, a.ended_at) == (1, date(2026, 3, 3), True,
                                                                 None)
    b = listed[-2]
    assert (b.open_tasks, b.next_due, b.overdue) == (1, date(2026, 3, 20), False)
    c = listed[-3]
    assert (c.status, c.open_tasks, c.next_due, c.overdue) == ("completed", 0, None, False)
    assert c.ended_at is not None
    e = listed[4]
    assert e.status == "incident" and "did not answer" in e.incident_message
    assert {s.id: s.overdue for s in listed if s.process_key == "tracked"} == {
        ids["D"]: True, ids["F"]: False, ids["G"]: False}
    assert a.to_dict()["next_due"] == "2026-03-03"


def test_filters_by_status_process_and_any_part_of_the_case_code(monitored):
    engine, ids = monitored
    summaries = engine.runtime.summaries
    assert names(ids, summaries(status="incident")) == ["E"]
    assert names(ids, summaries(process_key="tracked")) == ["G", "F", "D"]
    assert names(ids, summaries(case_code="alpha")) == ["H", "B", "A"]
    assert names(ids, summaries(case_code=" gamma-5 ")) == ["F"]
    assert summaries(case_code="_") == [] and summaries(case_code="%") == []
    assert names(ids, summaries(process_key="demo", status="running",
                                case_code="ALPHA")) == ["H", "B", "A"]
    assert engine.runtime.count_summaries(case_code="alpha") == 3


def test_overdue_means_a_late_open_task_or_a_passed_safe_day(monitored):
    engine, ids = monitored
    assert names(ids, engine.runtime.summaries(overdue=True)) == ["D", "H", "A"]
    assert engine.runtime.count_summaries(overdue=True) == 3
    assert names(ids, engine.runtime.summaries(overdue=True, process_key="demo")) == ["H", "A"]

    engine.tasks.complete(engine.runtime.instance(ids["A"]).open_tasks[0].id, "ana",
                          {"note": "done late"})
    assert names(ids, engine.runtime.summaries(overdue=True)) == ["D", "H"]


def test_start_dates_are_local_days_both_included(monitored):
    engine, ids = monitored
    summaries = engine.runtime.summaries
    assert names(ids, summaries(started_from=date(2026, 3, 3),
                                started_to=date(2026, 3, 3))) == ["B"]
    assert names(ids, summaries(started_to=date(2026, 3, 2))) == ["A"]
    assert names(ids, summaries(started_from=date(2026, 3, 4))) == ["G", "F", "D", "H", "E",
                                                                    "C"]
    assert engine.runtime.count_summaries(started_from=date(2026, 3, 2),
                                          started_to=date(2026, 3, 3)) == 2


def test_pages_follow_each_other_and_the_count_is_the_total(monitored):
    engine, ids = monitored
    pages = [names(ids, engine.runtime.summaries(limit=3, offset=offset))
             for offset in (0, 3, 6, 9)]
    assert pages == [["G", "F", "D"], ["H", "E", "C"], ["B", "A"], []]
    assert engine.runtime.count_summaries() == 8
    assert names(ids, engine.runtime.summaries(process_key="tracked", limit=1,
                                               offset=1)) == ["F"]


@pytest.mark.parametrize("arguments, message", [
    ({"status": "asleep"}, "unknown status 'asleep'; one of: running, waiting, completed"),
    ({"limit": 0}, "limit must be a whole number from 1 to 500"),
    ({"limit": 501}, "limit must be a whole number from 1 to 500"),
    ({"offset": -1}, "offset must be a whole number of at least 0"),
    ({"started_from": "2026-03-01"}, "started_from must be a date"),
    ({"started_from": date(2026, 3, 5), "started_to": date(2026, 3, 4)},
     "started_from 2026-03-05 is after started_to 2026-03-04"),
])
def test_bad_filters_are_refused_with_a_clear_message(monitored, arguments, message):
    engine, _ = monitored
    with pytest.raises(BadRequest, match=message):
        engine.runtime.summaries(**arguments)


def test_counting_refuses_the_same_bad_filters(monitored):
    engine, _ = monitored
    with pytest.raises(BadRequest, match="unknown status"):
        engine.runtime.count_summaries(status="asleep")


def test_the_dashboard_counts_and_lists_what_needs_a_coordinator(monitored):
    engine, ids = monitored
    board = engine.runtime.dashboard()
    assert board.today == date(2026, 3, 4)
    assert [(c.process_key, c.status, c.count) for c in board.counts] == [
        ("demo", "completed", 1), ("demo", "running", 3), ("tracked", "running", 3),
        ("two", "incident", 1)]

    assert board.overdue_count == 2
    assert [(t.instance_id, t.due_date) for t in board.overdue_tasks] == [
        (ids["H"], date(2026, 2, 27)), (ids["A"], date(2026, 3, 3))]
    assert board.overdue_tasks[0].case_code == "SI-ALPHA-8"

    assert board.incident_count == 1
    assert [(i.id, i.case_code) for i in board.incidents] == [(ids["E"], "BA-DELTA-3")]

    assert board.deadline_count == 2
    assert [(d.instance_id, d.status) for d in board.deadlines] == [
        (ids["D"], "missed"), (ids["F"], "open")]
    assert board.deadlines[1].latest_safe_day == date(2026, 3, 9)
    assert board.to_dict()["counts"][0] == {"process_key": "demo", "status": "completed",
                                            "count": 1}


def test_the_dashboard_counts_the_procedures_closed_in_the_last_year(monitored):
    """C ended at 08:00 on 4 March 2026: counted for a year, then left to the history."""
    engine, ids = monitored
    closed = lambda: [(c.process_key, c.status, c.count)  # noqa: E731
                      for c in engine.runtime.dashboard().counts if c.status == "completed"]
    engine.advance_clock(timedelta(days=364, hours=23), fire=False)
    assert closed() == [("demo", "completed", 1)]
    engine.advance_clock(timedelta(hours=2), fire=False)
    assert closed() == []
    assert engine.runtime.instance(ids["C"]).status == "completed"


def test_the_dashboard_of_an_empty_engine_is_empty(engine):
    board = engine.runtime.dashboard()
    assert (board.counts, board.overdue_count, board.overdue_tasks, board.incidents,
            board.deadlines) == ([], 0, [], [], [])
