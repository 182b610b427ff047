"""A plan reviewed for years keeps a state of the same size: finished history is cut out
before each save, and the diagram and the case file still show what was done."""

from __future__ import annotations

import json

import pytest
from lxml import etree
from marshmallow import fields

from engine.bpmn.diagrams import NS
from engine.bpmn.execution import StateSerializer
from engine.store.models import ProcessInstance
from forms import FormSchema, examples
from tests.conftest import PROCESSES
from tests.diagrams import process, registries
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


class Fields(FormSchema):
    """Only what is sent is written: each step's writes are exactly the test's."""

    note = fields.String(metadata={"label": "Note"})
    step = fields.Integer(metadata={"label": "Step"})
    stop = fields.Boolean(metadata={"label": "Stop"})


def loop_beside_a_side_task() -> bytes:
    """A `step` that loops until `stop`, then `final`, beside an open `side` task; both
    branches meet at `join` before `after`."""
    nodes = ["start", "split", "prepare", "step", "more", "final", "side", "join", "after",
             "end"]
    tasks = "".join(f'<bpmn:userTask id="{n}" name="{n}" camunda:formKey="test.fields"/>'
                    for n in ("prepare", "step", "final", "side", "after"))
    flows = "".join(f'<bpmn:sequenceFlow id="{a}_{b}" sourceRef="{a}" targetRef="{b}"/>'
                    for a, b in (("start", "split"), ("split", "prepare"), ("split", "side"),
                                 ("prepare", "step"), ("step", "more"), ("final", "join"),
                                 ("side", "join"), ("join", "after"), ("after", "end")))
    return process("beside", {"coordinator": nodes}, f"""
        <bpmn:startEvent id="start"/>
        <bpmn:parallelGateway id="split"/>
        <bpmn:exclusiveGateway id="more" default="again"/>
        <bpmn:parallelGateway id="join"/>
        <bpmn:endEvent id="end"/>
        {tasks}{flows}
        <bpmn:sequenceFlow id="again" sourceRef="more" targetRef="step"/>
        <bpmn:sequenceFlow id="stopped" sourceRef="more" targetRef="final">
          <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
            >stop</bpmn:conditionExpression>
        </bpmn:sequenceFlow>""")


@pytest.fixture
def beside(make_engine):
    forms, handlers, _ = registries()
    forms.register("test.fields")(Fields)
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(loop_beside_a_side_task(), source="beside.bpmn")
    instance_id = engine.runtime.start("beside", "C-1").id

    def done(element_id: str, **data) -> None:
        (task,) = [t for t in engine.runtime.instance(instance_id).open_tasks
                   if t.element_id == element_id]
        engine.tasks.complete(task.id, "ana", data)

    done("prepare", note="prepared", stop=False)
    return engine, instance_id, done


def test_a_loop_beside_an_open_branch_keeps_one_size_and_the_join_every_write(beside):
    engine, instance_id, done = beside
    sizes = {}
    for number in range(1, 31):
        done("step", step=number)
        sizes[number] = state_of(engine, instance_id)[0]
    assert sizes[30] == sizes[5], sizes
    done("step", stop=True)
    done("final", note="final")
    done("side", note="beside")
    variables = engine.runtime.instance(instance_id).variables
    # The side branch's copy of the data never held `step`: the loop's last write stays.
    assert (variables["step"], variables["note"], variables["stop"]) == (30, "beside", True)


def test_a_write_of_another_branch_between_two_steps_is_not_overtaken(beside):
    """The side task writes `step` after the loop's second step and before its third,
    which writes only `stop`: after the join, the side task's write is the latest."""
    engine, instance_id, done = beside
    done("step", step=1)
    done("step", step=2)
    done("side", step=99)
    done("step", stop=True)
    done("final", note="final")
    assert engine.runtime.instance(instance_id).variables["step"] == 99


def test_a_value_set_back_after_another_branch_wrote_it_stays_set_back(beside):
    """The loop changes `note` and then sets it back to what it was before; the side
    task wrote `note` before both. The loop's last word on `note` is the latest."""
    engine, instance_id, done = beside
    done("side", note="beside")
    done("step", note="changed")
    done("step", note="prepared")
    done("step", stop=True)
    done("final")
    assert engine.runtime.instance(instance_id).variables["note"] == "prepared"
