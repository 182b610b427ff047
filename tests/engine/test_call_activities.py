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
        <bpmn:startEvent id="start"/>
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
