"""Procedure analytics: how long each step took, where cases wait, and how legal
deadlines ended, at which step, by month; filtered by version, period and jurisdiction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.errors import NotFound
from tests.conftest import PROCESSES

GRANT = {"stay_decision": "granted", "victim_category": "trafficking",
         "informed_of_permit": True, "interpreter_provided": True}


def grant(engine, instance_id: int) -> None:
    [task] = [t for t in engine.runtime.instance(instance_id).open_tasks
              if t.element_id == "grant_permitted_stay"]
    engine.tasks.complete(task.id, "officer",
                          {**GRANT, "stay_decision_date": engine.ctx.today().isoformat()})


def step(stats, element_id: str):
    [found] = [s for s in stats.steps if s.element_id == element_id]
    return found


@pytest.fixture
def walked(engine):
    """Four stays opened on 2 March 2026, whose decision is due on 2 April: two granted
    after one and three days, one granted after 40 days (late), one never decided."""
    engine.repository.deploy(PROCESSES)
    ids = [engine.runtime.start("reflection_period", f"SI-2026-000{n}").id for n in range(4)]
    engine.advance_clock(timedelta(days=1))
    grant(engine, ids[0])
    engine.advance_clock(timedelta(days=2))
    grant(engine, ids[1])
    engine.advance_clock(timedelta(days=37))
    grant(engine, ids[2])
    return engine


def test_each_step_has_its_times_its_waiting_cases_and_its_deadlines(walked):
    stats = walked.analytics.procedure("reflection_period")
    decide = step(stats, "grant_permitted_stay")
    assert (decide.completed, decide.median_hours, decide.p90_hours) == (3, 72.0, 782.4)
    assert (decide.waiting, decide.waiting_median_hours) == (1, 960.0)
    assert decide.title == "Decide on the permitted stay"

    recorded = step(stats, "record_stay_decision")  # the step that meets the deadline
    assert (recorded.deadlines.met, recorded.deadlines.met_late) == (2, 1)
    assert decide.deadlines.missed == 1  # the task that was due by it, still open
    assert (stats.deadlines.met, stats.deadlines.met_late, stats.deadlines.missed) == (2, 1, 1)

    [march, april] = [m for m in stats.months if m.month in ("2026-03", "2026-04")]
    assert march.completed >= 2 and april.completed >= 1
    assert (april.deadlines.met, april.deadlines.met_late, april.deadlines.missed) == (2, 1, 1)


def test_the_figures_follow_version_period_and_jurisdiction(walked):
    engine = walked
    later = engine.analytics.procedure("reflection_period", since=date(2026, 5, 1))
    assert later.steps == [] and later.deadlines.met == 0
    first_days = engine.analytics.procedure("reflection_period", until=date(2026, 3, 2))
    assert step(first_days, "grant_permitted_stay").completed == 3
    assert first_days.deadlines.met == 0  # their legal date is in April
    elsewhere = engine.analytics.procedure("reflection_period", jurisdiction="RS")
    assert elsewhere.steps == [] and elsewhere.jurisdiction == "RS"
    assert engine.analytics.procedure("reflection_period", version=1).steps == \
        engine.analytics.procedure("reflection_period").steps
    with pytest.raises(NotFound, match="no version 2"):
        engine.analytics.procedure("reflection_period", version=2)
    with pytest.raises(NotFound, match="does not exist"):
        engine.analytics.procedure("nothing_like_it")
