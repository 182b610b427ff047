"""BPMN as analysts draw it: each construct of ``constructs/`` runs to its end or is refused.

A diagram that deploys must run: the constructs this engine gives no meaning (a plain or
manual task, a send task, an escalation or error that nothing catches) are refused at
deploy with the element named and what to draw instead, and nothing is stored. Those
that run are walked step by step with a new engine between the steps, as after a restart,
so every step is taken from the state saved in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from engine import ProcessEngine
from engine.errors import DeployError
from tests.conftest import PROCESSES
from tests.diagrams import registries, snapshot
from tests.engine.construct_runs import RUNS

CONSTRUCTS = Path(__file__).parent / "constructs"
CASE = "SI-7C4N-2R8T"

REFUSED = {
    "plain_task": [("draft", "user task in a role lane")],
    "manual_task": [("draft", "service task with a handler")],
    "send_task": [("draft", "user task in a role lane")],
    "uncaught_escalation": [("raise", "escalation thrown here is caught nowhere")],
    "uncaught_error": [("fail", "error thrown here is caught nowhere")],
    "id_with_space": [("draft plan", "not allowed in BPMN 2.0")],
    "call_without_element": [("draft", "set calledElement")],
    "juel_condition": [("to_few", "Camunda 7 (JUEL)"), ("to_many", "'count > 10'")],
    "feel_condition": [("to_few", "without the leading '='"), ("to_many", "'count > 10'")],
    "cron_timer": [("every_morning", "'R/P1D' for every day")],
    "zeebe_task": [("draft", "Camunda 8 (Zeebe) diagram"), ("draft", "names no handler")],
    "input_output": [("draft", "input/output mappings are not run")],
    "message_throw": [("raise", "throw a signal")],
    "collection_expression": [("report", "inside the braces, 'services'")],
}
"""Construct -> every problem deploy reports: (the element named, words of its hint)."""


START_DATA = {"multi_instance_collection": {"services": ["shelter", "psychologist"]}}


ELSEWHERE = {"message_catch", "receive_task", "event_gateway", "message_start",
             "business_rule"}
"""Walked in ``test_messages.py`` with the messages that move them, and in
``test_decisions.py`` with the decision table it runs."""


def _engine(make_engine: Callable[..., ProcessEngine]) -> ProcessEngine:
    forms, handlers, _ = registries()
    return make_engine(forms=forms, handlers=handlers)


def test_every_construct_file_is_listed():
    assert {p.stem for p in CONSTRUCTS.glob("*.bpmn")} == (
        set(REFUSED) | set(RUNS) | {"no_matching_branch"} | ELSEWHERE)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_construct_that_cannot_run_is_refused_at_deploy(make_engine, name):
    engine = _engine(make_engine)
    before = snapshot(engine)
    with pytest.raises(DeployError) as refused:
        engine.repository.deploy(CONSTRUCTS / f"{name}.bpmn")
    found = sorted(refused.value.problems, key=lambda p: p.element_id or "")
    assert [p.element_id for p in found] == [element for element, _ in REFUSED[name]]
    for problem, (_, hint) in zip(found, REFUSED[name], strict=True):
        assert hint in problem.message, problem.message
    assert snapshot(engine) == before


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_construct_runs_to_its_end_across_restarts(make_engine, name):
    steps, end = RUNS[name]
    _engine(make_engine).repository.deploy(CONSTRUCTS / f"{name}.bpmn")
    instance_id = _engine(make_engine).runtime.start(name, CASE, actor="coordinator",
                                                     data=START_DATA.get(name)).id
    for element in steps:
        engine = _engine(make_engine)  # a new engine: the step starts from the saved state
        open_tasks = engine.runtime.instance(instance_id).open_tasks
        assert open_tasks and {t.element_id for t in open_tasks} == {element}
        task = open_tasks[0]
        engine.tasks.complete(task.id, "coordinator", {"note": f"{element} done"})
    done = _engine(make_engine).runtime.instance(instance_id)
    assert (done.status, done.open_tasks) == ("completed", [])
    state = _engine(make_engine).runtime.diagram_state(instance_id)
    assert end in state.process(name).completed


IGNORED = [
    ("camunda_settings", "camunda:historyTimeToLive is ignored"),
    ("camunda_settings", "camunda:isStartableInTasklist is ignored: who may start"),
    ("camunda_settings", "camunda:versionTag is ignored: versions are numbered at deploy"),
    ("read", "camunda:asyncBefore is ignored"),
    ("read", "camunda:candidateGroups is ignored: a user task goes to the role of its lane"),
    ("read", "camunda:properties is ignored"),
    ("start", "camunda:asyncAfter is ignored"),
]
"""Each Camunda setting of ``camunda_settings.bpmn`` this engine accepts and does not act
on: (the element that carries it, words of its warning)."""


def test_settings_it_does_not_act_on_are_named_as_warnings_at_deploy(make_engine):
    """A diagram saved by Camunda Modeler deploys; none of its settings is dropped in
    silence: each is named on its element with what this engine does instead."""
    engine = _engine(make_engine)
    content = (CONSTRUCTS / "camunda_settings.bpmn").read_bytes()
    assert engine.repository.validate(content) == []
    (deployed,) = engine.repository.deploy(content, source="camunda_settings.bpmn")
    found = sorted((w.element_id, w.message) for w in deployed.warnings)
    assert len(found) == len(IGNORED)
    for (element, message), (expected, words) in zip(found, IGNORED, strict=True):
        assert element == expected and message.startswith(words), (element, message)
    assert sorted(map(str, engine.repository.warnings(content))) == sorted(
        map(str, deployed.warnings))
    refused = (CONSTRUCTS / "input_output.bpmn").read_bytes()
    assert engine.repository.warnings(refused) == []  # a problem, not also a warning
    again = engine.repository.deploy(content, source="camunda_settings.bpmn")
    assert again[0].warnings == deployed.warnings and not again[0].new_version


def test_a_gateway_no_branch_of_which_matches_stops_as_an_incident(make_engine):
    """Not a crash: the case stops at the gateway with a one-line reason for its monitor."""
    engine = _engine(make_engine)
    engine.repository.deploy(CONSTRUCTS / "no_matching_branch.bpmn")
    instance = engine.runtime.start("no_matching_branch", CASE, actor="coordinator")
    (task,) = instance.open_tasks
    engine.tasks.complete(task.id, "coordinator", {"note": "none open", "count": 0})
    stuck = _engine(make_engine).runtime.instance(instance.id)
    assert (stuck.status, stuck.incident_element) == ("incident", "choose")
    assert "\n" not in stuck.incident_message and "choose" in stuck.incident_message


BPMN20 = Path(__file__).parents[1] / "data" / "bpmn20" / "BPMN20.xsd"
FLOW_ELEMENTS = ("task", "Task", "Event", "Gateway", "subProcess", "callActivity",
                 "sequenceFlow", "lane", "participant", "boundaryEvent")


@pytest.mark.parametrize("path", sorted(PROCESSES.glob("*.bpmn")), ids=lambda p: p.stem)
def test_our_procedures_are_valid_bpmn_with_a_complete_diagram(path):
    """Valid against the OMG BPMN 2.0 schema, so any modeler opens them, and every node,
    flow and lane has its shape or edge, so every modeler draws all of it."""
    schema = etree.XMLSchema(etree.parse(str(BPMN20)))
    document = etree.parse(str(path))
    assert schema.validate(document), [str(e) for e in schema.error_log][:3]
    drawn = {e.get("bpmnElement") for e in document.iter(
        "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape",
        "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")}
    semantic = {e.get("id") for e in document.iter()
                if isinstance(e.tag, str) and e.tag.startswith("{http://www.omg.org/spec/BPMN/"
                                                               "20100524/MODEL}")
                and e.tag.rsplit("}", 1)[1].endswith(FLOW_ELEMENTS)}
    assert semantic - drawn == set()


@pytest.mark.parametrize(("name", "data", "titles"), [
    ("multi_instance_collection", {"services": ["shelter", "psychologist"]},
     ["Refer her to the service: psychologist", "Refer her to the service: shelter"]),
    ("multi_instance_parallel", None, [f"Monthly school report: {n}" for n in (1, 2, 3)]),
    ("multi_instance_sequential", None, ["Monthly school report: 1 of 3"]),
])
def test_each_child_of_a_multi_instance_task_says_what_it_is_for(make_engine, name, data,
                                                                 titles):
    engine = _engine(make_engine)
    engine.repository.deploy(CONSTRUCTS / f"{name}.bpmn")
    instance = engine.runtime.start(name, CASE, actor="coordinator", data=data)
    assert sorted(t.title for t in instance.open_tasks) == titles


@pytest.mark.parametrize(("data", "words"), [
    ({}, "the collection 'services' is not a list"),
    ({"services": [f"service {n}" for n in range(1001)]}, "runs at most 1000"),
])
def test_a_collection_it_cannot_run_stops_the_activity_as_an_incident(make_engine, data,
                                                                       words):
    engine = _engine(make_engine)
    engine.repository.deploy(CONSTRUCTS / "multi_instance_collection.bpmn")
    instance = engine.runtime.start("multi_instance_collection", CASE, actor="coordinator",
                                    data=data)
    assert (instance.status, instance.incident_element) == ("incident", "report")
    assert words in instance.incident_message and instance.open_tasks == []


def test_an_error_the_engine_did_not_foresee_is_an_incident_not_a_crash(make_engine,
                                                                        monkeypatch):
    """Whatever SpiffWorkflow raises while it runs a step (here a TypeError planted in the
    step that creates the children), the case stops at that element with one line."""
    from engine.bpmn.loops import CaseParallelMultiInstance

    def broken(self, my_task):
        raise TypeError("unsupported operand")

    monkeypatch.setattr(CaseParallelMultiInstance, "_count", broken)
    engine = _engine(make_engine)
    engine.repository.deploy(CONSTRUCTS / "multi_instance_parallel.bpmn")
    instance = engine.runtime.start("multi_instance_parallel", CASE, actor="coordinator")
    assert (instance.status, instance.incident_element) == ("incident", "report")
    assert instance.incident_message == ("the engine could not run this step (TypeError: "
                                         "unsupported operand)")
