"""Call activities run processes deployed from other files, on the versions bound at start."""

from __future__ import annotations

import pytest
from marshmallow import fields

from engine.errors import DeployError
from forms import FormSchema
from tests.diagrams import linear, process, registries


def parent(key: str = "parent", called: str = "child") -> bytes:
    """start -> call `called` -> user task `after` (coordinator) -> end."""
    return process(key, {"coordinator": ["start", "call", "after", "end"]}, f"""
        <bpmn:startEvent id="start" camunda:formKey="test.start"/>
        <bpmn:callActivity id="call" name="Run the child" calledElement="{called}"/>
        <bpmn:userTask id="after" name="After the child" camunda:formKey="test.note">
          <bpmn:documentation>Check what the child procedure recorded.</bpmn:documentation>
        </bpmn:userTask>
        <bpmn:endEvent id="end"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
        <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="after"/>
        <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end"/>""")


@pytest.fixture
def test_engine(make_engine):
    forms, handlers, _ = registries()
    return make_engine(forms=forms, handlers=handlers)


def test_called_process_runs_inside_the_instance_and_hands_its_data_back(test_engine):
    test_engine.repository.deploy(linear("child"), source="child.bpmn")
    test_engine.repository.deploy(parent(), source="parent.bpmn")
    instance = test_engine.runtime.start("parent", "C-1", data={"origin": "parent"})
    (task,) = test_engine.runtime.instance(instance.id).open_tasks
    assert (task.element_id, task.role) == ("first", "coordinator")
    test_engine.tasks.complete(task.id, "ana", {"note": "from the child"})
    after = test_engine.runtime.instance(instance.id)
    assert [t.element_id for t in after.open_tasks] == ["after"]
    assert after.variables["note"] == "from the child"
    assert after.variables["origin"] == "parent"


def test_running_instances_keep_the_called_version_they_started_with(test_engine):
    test_engine.repository.deploy(linear("child"), source="child.bpmn")
    test_engine.repository.deploy(parent(), source="parent.bpmn")
    old = test_engine.runtime.start("parent", "C-1")
    test_engine.repository.deploy(linear("child", note=" (revised)"), source="child.bpmn")
    new = test_engine.runtime.start("parent", "C-2")

    assert test_engine.runtime.instance(old.id).open_tasks[0].title == "First step"
    assert test_engine.runtime.instance(new.id).open_tasks[0].title == "First step (revised)"
    (task,) = test_engine.runtime.instance(old.id).open_tasks
    test_engine.tasks.complete(task.id, "ana", {"note": "done"})
    assert [t.element_id for t in test_engine.runtime.instance(old.id).open_tasks] == ["after"]


def test_a_call_to_a_process_nobody_deployed_is_refused(test_engine):
    with pytest.raises(DeployError) as caught:
        test_engine.repository.deploy(parent(called="nowhere"), source="parent.bpmn")
    problem = caught.value.problems[0]
    assert problem.element_id == "call" and "'nowhere'" in problem.message
    assert test_engine.repository.definitions() == []




def two_branches() -> bytes:
    """The child splits: `decide` and a side task `side`, each ending on its own."""
    return process("child", {"coordinator": ["start", "split", "decide", "side", "end_decide",
                                             "end_side"]}, """
        <bpmn:startEvent id="start"/>
        <bpmn:parallelGateway id="split"/>
        <bpmn:userTask id="decide" name="Record her decision" camunda:formKey="test.note"/>
        <bpmn:userTask id="side" name="Side task" camunda:formKey="test.count"/>
        <bpmn:endEvent id="end_decide"/>
        <bpmn:endEvent id="end_side"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
        <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="decide"/>
        <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="side"/>
        <bpmn:sequenceFlow id="f4" sourceRef="decide" targetRef="end_decide"/>
        <bpmn:sequenceFlow id="f5" sourceRef="side" targetRef="end_side"/>""")


class Count(FormSchema):
    count = fields.Integer(required=True, metadata={"label": "Count"})


def test_what_a_branch_recorded_survives_a_branch_that_ends_later(make_engine):
    """The branch that ends last carries an old copy of the data; it must not win."""
    forms, handlers, _ = registries()
    forms.register("test.count")(Count)
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(two_branches(), source="child.bpmn")
    engine.repository.deploy(parent(), source="parent.bpmn")
    instance = engine.runtime.start("parent", "C-1", data={"note": "undecided"})
    tasks = {t.element_id: t for t in engine.runtime.instance(instance.id).open_tasks}
    engine.tasks.complete(tasks["decide"].id, "ana", {"note": "she cooperates"})
    engine.tasks.complete(tasks["side"].id, "bea", {"count": 2})
    after = engine.runtime.instance(instance.id)
    assert [t.element_id for t in after.open_tasks] == ["after"]
    assert (after.variables["note"], after.variables["count"]) == ("she cooperates", 2)


def branches_joined(gateway: str = "parallelGateway") -> bytes:
    """A split into `permit` and `school`, joined by ``gateway`` before `after`."""
    return process("joined", {"coordinator": ["start", "split", "permit", "school", "join",
                                              "after", "end"]}, f"""
        <bpmn:startEvent id="start" camunda:formKey="test.start"/>
        <bpmn:parallelGateway id="split"/>
        <bpmn:userTask id="permit" name="Renew the permit" camunda:formKey="test.note"/>
        <bpmn:userTask id="school" name="Enrol at school" camunda:formKey="test.note"/>
        <bpmn:{gateway} id="join"/>
        <bpmn:userTask id="after" name="After both" camunda:formKey="test.note"/>
        <bpmn:endEvent id="end"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
        <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="permit"/>
        <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="school"/>
        <bpmn:sequenceFlow id="f4" sourceRef="permit" targetRef="join"/>
        <bpmn:sequenceFlow id="f5" sourceRef="school" targetRef="join"/>
        <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="after"/>
        <bpmn:sequenceFlow id="f7" sourceRef="after" targetRef="end"/>""")


@pytest.mark.parametrize("gateway", ["parallelGateway", "inclusiveGateway"])
@pytest.mark.parametrize("first, last", [("permit", "school"), ("school", "permit")])
def test_a_join_keeps_the_latest_write_of_every_branch(test_engine, gateway, first, last):
    """The branch that arrives last carries a stale copy of what the other one changed;
    after the join each value is the one written last, whichever branch wrote it."""
    test_engine.repository.deploy(branches_joined(gateway), source="joined.bpmn")
    instance = test_engine.runtime.start("joined", "C-1", data={"note": "at the split",
                                                                "count": 1})
    tasks = {t.element_id: t for t in test_engine.runtime.instance(instance.id).open_tasks}
    test_engine.tasks.complete(tasks[first].id, "ana", {"note": f"by {first}", "count": 2})
    test_engine.tasks.complete(tasks[last].id, "ana", {"note": f"by {last}", "count": 2})
    joined = test_engine.runtime.instance(instance.id)
    assert [t.element_id for t in joined.open_tasks] == ["after"]
    assert joined.variables["note"] == f"by {last}"

    # Now only the first branch changes a value: the last one's copy must not undo it.
    instance = test_engine.runtime.start("joined", "C-2", data={"note": "at the split",
                                                                "count": 1})
    tasks = {t.element_id: t for t in test_engine.runtime.instance(instance.id).open_tasks}
    test_engine.tasks.complete(tasks[first].id, "ana", {"note": "changed", "count": 5})
    test_engine.tasks.complete(tasks[last].id, "ana", {"note": "changed", "count": 1})
    assert test_engine.runtime.instance(instance.id).variables["count"] == 5
