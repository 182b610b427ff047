"""The diagram state the coordinator's viewer paints: done, active, stuck, the path taken."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.bpmn.diagrams import NS, read_xml
from engine.errors import NotFound
from engine.store.models import AuditEvent
from tests.diagrams import boundary_timer, definitions, linear, process, registries, with_handler
from tests.scenarios.case import STAY_GRANTED as GRANT


@pytest.fixture
def test_engine(make_engine):
    forms, handlers, switch = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.switch = switch
    return engine


def xml_ids(engine, process) -> tuple[set[str], set[str]]:
    """The element ids and the sequence flow ids of a process state's own diagram."""
    root = read_xml(engine.repository.xml(process.definition_key, process.version).encode())
    (found,) = [p for p in root.iterfind("bpmn:process", NS)
                if p.get("id") == process.process_key]
    flows = {f.get("id") for f in found.iterfind(".//bpmn:sequenceFlow", NS)}
    return {n.get("id") for n in found.iter() if n.get("id")}, flows


def test_julija_after_identification(julija):
    engine = julija.engine
    state = engine.runtime.diagram_state(julija.id)
    # In the order the case entered them; identification has ended and is still shown.
    assert [p.process_key for p in state.processes] == [
        "victim_protection", "identification", "reflection_period", "protection_plan"]
    assert state.process("identification").active == []
    assert {p.version for p in state.processes} == {1}

    top = state.process("victim_protection")
    assert {"start", "prepare_case", "identification", "gw_identified", "split"} <= set(
        top.completed)
    assert top.active == ["protection_plan", "reflection_period"]  # called, running
    assert {"flow_identification_to_gw_identified", "flow_split_to_protection_plan"} <= set(
        top.taken_flows)

    found = state.process("identification")
    assert {"record_preliminary", "ask_referral_consent", "formal_identification",
            "end_victim"} <= set(found.completed)
    assert found.active == [] and found.incidents == []
    assert {"flow_start_to_record_preliminary", "flow_record_preliminary_to_assess_person",
            "flow_gw_formal_to_gw_family", "flow_gw_family_to_formal_identification"
            } <= set(found.taken_flows)

    open_now = sorted(a for p in state.processes[2:] for a in p.active)
    assert open_now == julija.open_elements() == ["ask_plan_consent", "grant_permitted_stay"]
    assert state.process("reflection_period").taken_flows == [
        "flow_open_stay_decision_to_grant_permitted_stay", "flow_start_to_open_stay_decision"]

    for shown in state.processes:
        elements, flows = xml_ids(engine, shown)
        assert set(shown.completed + shown.active + shown.incidents) <= elements, shown
        assert set(shown.taken_flows) <= flows, shown
        assert not set(shown.completed) & set(shown.active)
    untaken = xml_ids(engine, found)[1] - set(found.taken_flows)
    assert "flow_gw_child_to_ask_referral_consent" not in untaken
    assert any("child" in flow or "guardian" in flow for flow in untaken), untaken


def test_reading_the_state_changes_nothing(julija):
    engine = julija.engine

    def events() -> int:
        with engine.db.reading() as session:
            return session.scalar(select(func.count()).select_from(AuditEvent))

    before = (julija.instance.revision, events())
    first = engine.runtime.diagram_state(julija.id)
    assert engine.runtime.diagram_state(julija.id) == first
    assert (julija.instance.revision, events()) == before

    julija.complete("grant_permitted_stay", "officer", GRANT, role="police")
    after = engine.runtime.diagram_state(julija.id).process("reflection_period")
    assert "grant_permitted_stay" in after.completed
    assert {"flow_grant_permitted_stay_to_record_stay_decision",
            "flow_record_stay_decision_to_gw_granted"} <= set(after.taken_flows)


def test_a_failed_handler_is_red_and_the_path_stops_there(test_engine):
    test_engine.repository.deploy(with_handler("two"), source="two.bpmn")
    started = test_engine.runtime.start("two", "C-1")
    test_engine.tasks.complete(started.open_tasks[0].id, "ana", {"note": "go"})
    (shown,) = test_engine.runtime.diagram_state(started.id).processes
    assert (shown.completed, shown.active, shown.incidents) == (["first", "start"], [],
                                                                ["call"])
    assert shown.taken_flows == ["f1", "f2"]

    test_engine.switch.broken = False
    test_engine.runtime.retry(started.id)
    (shown,) = test_engine.runtime.diagram_state(started.id).processes
    assert (shown.completed, shown.active, shown.incidents) == (
        ["call", "first", "start"], ["second"], [])
    assert shown.taken_flows == ["f1", "f2", "f3"]


def parent(called: str = "child") -> bytes:
    return process("parent", {"coordinator": ["start", "run_child", "after", "end"]}, f"""
        <bpmn:startEvent id="start"/>
        <bpmn:callActivity id="run_child" name="Run the child" calledElement="{called}"/>
        <bpmn:userTask id="after" name="After" camunda:formKey="test.note"/>
        <bpmn:endEvent id="end"/>
        <bpmn:sequenceFlow id="p1" sourceRef="start" targetRef="run_child"/>
        <bpmn:sequenceFlow id="p2" sourceRef="run_child" targetRef="after"/>
        <bpmn:sequenceFlow id="p3" sourceRef="after" targetRef="end"/>""")


def test_an_incident_in_a_called_process_is_red_on_the_call_activity_too(test_engine):
    test_engine.repository.deploy(with_handler("child"), source="child.bpmn")
    test_engine.repository.deploy(parent(), source="parent.bpmn")
    started = test_engine.runtime.start("parent", "C-1")
    test_engine.tasks.complete(started.open_tasks[0].id, "ana", {"note": "go"})
    state = test_engine.runtime.diagram_state(started.id)
    assert state.status == "incident"
    assert state.process("child").incidents == ["call"]
    top = state.process("parent")
    assert (top.completed, top.active, top.incidents, top.taken_flows) == (
        ["start"], [], ["run_child"], ["p1"])


def test_each_called_process_shows_the_version_the_instance_is_bound_to(test_engine):
    test_engine.repository.deploy(linear("child"), source="child.bpmn")
    test_engine.repository.deploy(parent(), source="parent.bpmn")
    old = test_engine.runtime.start("parent", "C-1")
    test_engine.repository.deploy(linear("child", note=" (revised)"), source="child.bpmn")
    new = test_engine.runtime.start("parent", "C-2")

    def versions(instance_id: int) -> list[tuple[str, str, int]]:
        return [(p.process_key, p.definition_key, p.version)
                for p in test_engine.runtime.diagram_state(instance_id).processes]

    assert versions(old.id) == [("parent", "parent", 1), ("child", "child", 1)]
    assert versions(new.id) == [("parent", "parent", 1), ("child", "child", 2)]
    test_engine.tasks.complete(old.open_tasks[0].id, "ana", {"note": "done"})
    state = test_engine.runtime.diagram_state(old.id)
    assert state.process("parent").completed == ["run_child", "start"]
    assert state.process("parent").active == ["after"]
    assert state.process("child").completed == ["end", "first", "start"]
    assert state.process("child").taken_flows == ["f1", "f2"]


def test_a_process_called_from_its_own_file_is_shown_from_that_file(test_engine):
    both = definitions(
        parent("inner").decode().split("<bpmn:definitions", 1)[1].split(">", 1)[1]
        .rsplit("</bpmn:definitions>", 1)[0]
        + '<bpmn:process id="inner" isExecutable="true"><bpmn:startEvent id="i_start"/>'
        '<bpmn:endEvent id="i_end"/><bpmn:sequenceFlow id="i1" sourceRef="i_start" '
        'targetRef="i_end"/></bpmn:process>')
    test_engine.repository.deploy(both, source="both.bpmn")
    started = test_engine.runtime.start("parent", "C-1")
    state = test_engine.runtime.diagram_state(started.id)
    inner = state.process("inner")
    assert (inner.definition_key, inner.version) == ("parent", 1)
    assert (inner.completed, inner.taken_flows) == (["i_end", "i_start"], ["i1"])
    assert state.process("parent").active == ["after"]


def test_a_boundary_timer_that_fired_shows_the_path_it_opened(test_engine):
    test_engine.repository.deploy(boundary_timer("timed", "'P2D'"), source="timed.bpmn")
    started = test_engine.runtime.start("timed", "C-1")
    (before,) = test_engine.runtime.diagram_state(started.id).processes
    assert (before.active, before.taken_flows) == (["wait"], ["f1"])  # the timer only waits

    test_engine.advance_clock(timedelta(days=3))
    (after,) = test_engine.runtime.diagram_state(started.id).processes
    assert after.completed == ["start", "timer"]
    assert after.active == ["after_timer"]
    assert after.taken_flows == ["f1", "f3"]


def test_parallel_branches_meet_at_the_join(test_engine):
    test_engine.repository.deploy(process("both", {"coordinator": [
        "start", "split", "a", "b", "join", "after", "end"]}, """
        <bpmn:startEvent id="start"/>
        <bpmn:parallelGateway id="split"/>
        <bpmn:userTask id="a" name="A" camunda:formKey="test.note"/>
        <bpmn:userTask id="b" name="B" camunda:formKey="test.note"/>
        <bpmn:parallelGateway id="join"/>
        <bpmn:userTask id="after" name="After" camunda:formKey="test.note"/>
        <bpmn:endEvent id="end"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
        <bpmn:sequenceFlow id="to_a" sourceRef="split" targetRef="a"/>
        <bpmn:sequenceFlow id="to_b" sourceRef="split" targetRef="b"/>
        <bpmn:sequenceFlow id="a_done" sourceRef="a" targetRef="join"/>
        <bpmn:sequenceFlow id="b_done" sourceRef="b" targetRef="join"/>
        <bpmn:sequenceFlow id="f2" sourceRef="join" targetRef="after"/>
        <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end"/>"""), source="both.bpmn")
    started = test_engine.runtime.start("both", "C-1")
    tasks = {t.element_id: t.id for t in started.open_tasks}
    test_engine.tasks.complete(tasks["a"], "ana", {"note": "a"})
    (half,) = test_engine.runtime.diagram_state(started.id).processes
    assert half.active == ["b", "join"]  # the join waits for b
    assert half.taken_flows == ["a_done", "f1", "to_a", "to_b"]

    test_engine.tasks.complete(tasks["b"], "ana", {"note": "b"})
    (done,) = test_engine.runtime.diagram_state(started.id).processes
    assert done.completed == ["a", "b", "join", "split", "start"]
    assert done.active == ["after"]
    assert done.taken_flows == ["a_done", "b_done", "f1", "f2", "to_a", "to_b"]


def test_an_unknown_instance_is_not_found(test_engine):
    with pytest.raises(NotFound, match="process instance 99 does not exist"):
        test_engine.runtime.diagram_state(99)
