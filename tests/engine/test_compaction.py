"""A plan reviewed for years keeps a state of the same size: finished history is cut out
before each save, and the diagram and the case file still show what was done."""

from __future__ import annotations

import json

from lxml import etree

from engine.bpmn.diagrams import NS
from engine.bpmn.execution import StateSerializer
from engine.store.models import ProcessInstance
from forms import examples
from tests.conftest import PROCESSES
from tests.scenarios.case import Case


def state_of(engine, instance_id: int) -> tuple[int, int]:
    """Tasks in the state, and its size as JSON."""
    with engine.db.reading() as session:
        workflow = engine.runtime.store.restore(session, session.get(ProcessInstance,
                                                                     instance_id))
    tasks = len(workflow.tasks) + sum(len(s.tasks) for s in workflow.subprocesses.values())
    return tasks, len(json.dumps(StateSerializer().dump(workflow)))


def review(case: Case, **data) -> None:
    """A review on the day the plan was drawn up: no indicator date passes meanwhile."""
    case.complete("review_plan", "coord", {**examples.PLAN_REVIEW, "review_date": "2026-04-01",
                                           **data})


def test_the_state_of_a_plan_reviewed_forty_times_is_that_of_one_reviewed_five_times(engine):
    engine.repository.deploy(PROCESSES)
    case = Case.open(engine, "SI-PLAN-0001", process="protection_plan")
    case.at("2026-03-02")
    case.complete("ask_plan_consent", "coord", examples.PLAN_CONSENT)
    case.at("2026-04-01")
    case.complete("draw_up_plan", "coord", examples.PLAN)
    sizes = {}
    for number in range(1, 41):
        review(case)
        sizes[number] = state_of(engine, case.id)
    (tasks_5, bytes_5), (tasks_40, bytes_40) = sizes[5], sizes[40]
    assert tasks_40 == tasks_5, sizes
    assert abs(bytes_40 - bytes_5) < bytes_5 / 100, sizes  # moments differ in their digits

    # The diagram still shows the whole path the reviews took, loop and all ...
    (plan,) = engine.runtime.diagram_state(case.id).processes
    assert {"start", "ask_plan_consent", "draw_up_plan", "open_monitoring", "split",
            "gw_review", "record_review", "gw_closing"} <= set(plan.completed)
    assert plan.active == ["review_plan"]
    flows = set(plan.taken_flows)
    outline = {(f.get("sourceRef"), f.get("targetRef")): f.get("id")
               for f in _flows("protection_plan")}
    assert {outline[("gw_closing", "gw_review")], outline[("start", "ask_plan_consent")],
            outline[("record_review", "gw_closing")]} <= flows

    # ... and the review can still close the plan.
    review(case, plan_next_step="close", close_reason="goals_reached", indicators_reached=[
        {"indicator_id": i, "reached_on": "2026-04-01"} for i in ("G1-1", "G2-1", "G3-1")])
    assert case.instance.status == "completed"


def _flows(key: str):
    return etree.parse(str(PROCESSES / f"{key}.bpmn")).iter(f"{{{NS['bpmn']}}}sequenceFlow")
