"""The modeler's repository calls: validate without storing, versions, compare two versions."""

from __future__ import annotations

import pytest

from engine.bpmn.changes import compare_process
from engine.errors import BadRequest, NotFound
from tests.diagrams import BAD, definitions, linear, process, registries, snapshot


@pytest.fixture
def test_engine(make_engine):
    forms, handlers, _ = registries()
    return make_engine(forms=forms, handlers=handlers)


def test_a_good_diagram_validates_with_no_problem_and_nothing_stored(test_engine):
    before = snapshot(test_engine)
    assert test_engine.repository.validate(linear("demo"), source="demo.bpmn") == []
    assert test_engine.repository.validate(linear("demo").decode()) == []
    assert snapshot(test_engine) == before
    with pytest.raises(NotFound):
        test_engine.repository.definitions("demo")


@pytest.mark.parametrize("name", list(BAD))
def test_validate_finds_what_deploy_refuses(test_engine, name):
    content, element, message = BAD[name]
    before = snapshot(test_engine)
    problems = test_engine.repository.validate(content, source="bad.bpmn")
    assert any(message in p.message and p.element_id == element for p in problems), problems
    assert snapshot(test_engine) == before


def test_validate_lists_every_problem_on_its_element(test_engine):
    content = process("many", {"coordinator": ["s", "typo", "call"]}, """
        <bpmn:startEvent id="s"/>
        <bpmn:userTask id="loose" camunda:formKey="test.note"/>
        <bpmn:userTask id="typo" camunda:formKey="test.nope"/>
        <bpmn:serviceTask id="call" camunda:type="external" camunda:topic="nobody"/>
        <bpmn:callActivity id="sub" calledElement="nowhere"/>
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="loose"/>""")
    before = snapshot(test_engine)
    problems = test_engine.repository.validate(content)
    assert {p.element_id for p in problems} == {"loose", "typo", "call", "sub"}
    assert "calls process 'nowhere'" in next(p.message for p in problems
                                             if p.element_id == "sub")
    assert snapshot(test_engine) == before


def test_validate_finds_a_called_process_among_the_deployed(test_engine):
    caller = process("caller", {"coordinator": ["s", "call", "e"]}, """
        <bpmn:startEvent id="s"/><bpmn:callActivity id="call" calledElement="child"/>
        <bpmn:endEvent id="e"/>
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
        <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e"/>""")
    assert [p.element_id for p in test_engine.repository.validate(caller)] == ["call"]
    test_engine.repository.deploy(linear("child"), source="child.bpmn")
    assert test_engine.repository.validate(caller) == []


def test_validate_reports_a_process_key_defined_twice(test_engine):
    twice = definitions(
        '<bpmn:process id="dup" isExecutable="true"><bpmn:startEvent id="a"/></bpmn:process>'
        '<bpmn:process id="dup" isExecutable="true"><bpmn:startEvent id="b"/></bpmn:process>')
    problems = test_engine.repository.validate(twice)
    assert any(p.element_id == "dup" and "also defined" in p.message for p in problems)


def test_validate_refuses_what_is_not_a_diagram(test_engine):
    with pytest.raises(BadRequest, match="BPMN XML"):
        test_engine.repository.validate(None)  # type: ignore[arg-type]
    (problem,) = test_engine.repository.validate(b"")
    assert "malformed XML" in problem.message


def test_versions_count_the_instances_on_each(test_engine):
    test_engine.repository.deploy(linear("demo"), source="demo.bpmn")
    first = test_engine.runtime.start("demo", "C-1")
    test_engine.runtime.start("demo", "C-2")
    test_engine.tasks.complete(first.open_tasks[0].id, "ana", {"note": "done"})
    test_engine.repository.deploy(linear("demo", note=" (revised)"), source="demo.bpmn")
    third = test_engine.runtime.start("demo", "C-3")
    test_engine.runtime.cancel(third.id, reason="opened by mistake")
    test_engine.repository.deploy(linear("demo", note=" (third)"), source="demo.bpmn")

    versions = test_engine.repository.versions("demo")
    assert [(v.version, v.instances, v.running) for v in versions] == [
        (1, 2, 1), (2, 1, 0), (3, 0, 0)]
    assert versions[0].source == "demo.bpmn" and versions[0].deployed_by == "system"
    assert versions[0].to_dict()["instances"] == 2
    with pytest.raises(NotFound, match="'nope' does not exist"):
        test_engine.repository.versions("nope")


DI = """
  <bpmndi:BPMNDiagram xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
      xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="review">
      <bpmndi:BPMNShape id="first_di" bpmnElement="first">
        <dc:Bounds x="{x}" y="80" width="100" height="80"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>"""


def review(version: int) -> bytes:
    """v1: start -> first -> second -> end. v2 renames `first`, moves `second` to the
    police lane, changes the gateway condition, drops the flow second -> end and adds the
    task `third` in between; its layout moves too."""
    if version == 1:
        lanes = {"coordinator": ["start", "first", "gw", "second", "end"]}
        name, condition, body = "Check the file", "count &gt; 1", """
            <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end"/>"""
    else:
        lanes = {"coordinator": ["start", "first", "gw", "third", "end"], "police": ["second"]}
        name, condition, body = "Check the whole file", "count &gt; 2", """
            <bpmn:userTask id="third" name="Tell her" camunda:formKey="test.note"/>
            <bpmn:sequenceFlow id="f4" sourceRef="second" targetRef="third"/>
            <bpmn:sequenceFlow id="f5" sourceRef="third" targetRef="end"/>"""
    diagram = process("review", lanes, f"""
        <bpmn:startEvent id="start"/>
        <bpmn:userTask id="first" name="{name}" camunda:formKey="test.note">
          <bpmn:documentation>Read it.</bpmn:documentation>
        </bpmn:userTask>
        <bpmn:exclusiveGateway id="gw" default="to_end"/>
        <bpmn:userTask id="second" name="Decide" camunda:formKey="test.note"/>
        <bpmn:endEvent id="end"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
        <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="gw"/>
        <bpmn:sequenceFlow id="to_second" sourceRef="gw" targetRef="second">
          <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
        </bpmn:sequenceFlow>
        <bpmn:sequenceFlow id="to_end" sourceRef="gw" targetRef="end"/>
        {body}""")
    return diagram.replace(b"</bpmn:definitions>",
                           DI.format(x=100 * version).encode() + b"\n</bpmn:definitions>")


def test_compare_lists_the_renamed_added_moved_and_removed_elements(test_engine):
    test_engine.repository.deploy(review(1), source="review.bpmn")
    test_engine.repository.deploy(review(2), source="review.bpmn")
    changes = {c.element_id: c for c in test_engine.repository.compare("review", 1, 2)}

    assert set(changes) == {"first", "second", "third", "end", "to_second", "f3", "f4", "f5",
                            "lane_police", "lane_coordinator"}
    first = changes["first"]
    assert (first.element_type, first.name, first.change) == (
        "userTask", "Check the whole file", "changed")
    assert first.details == ["name: 'Check the file' -> 'Check the whole file'"]
    assert changes["second"].details == ["lane: coordinator -> police",
                                         "outgoing flows: added f4; removed f3"]
    assert (changes["third"].change, changes["third"].details) == ("added",
                                                                   ["lane: coordinator"])
    assert changes["end"].details == ["incoming flows: added f5; removed f3"]
    assert changes["to_second"].details == ["condition: count > 1 -> count > 2"]
    removed = changes["f3"]
    assert (removed.change, removed.element_type, removed.details) == (
        "removed", "sequenceFlow", ["second -> end"])
    assert (changes["f4"].change, changes["f4"].details) == ("added", ["second -> third"])
    assert changes["lane_police"].change == "added"
    assert changes["lane_coordinator"].details == ["flow nodes: added third; removed second"]

    backwards = {c.element_id: c.change for c in test_engine.repository.compare("review", 2, 1)}
    assert (backwards["third"], backwards["f3"]) == ("removed", "added")
    assert test_engine.repository.compare("review", 2, 2) == []


def test_an_element_only_drawn_elsewhere_is_moved_not_changed(test_engine):
    test_engine.repository.deploy(review(1), source="review.bpmn")
    dragged = review(1).replace(b'<dc:Bounds x="100" y="80"', b'<dc:Bounds x="140" y="80"')
    test_engine.repository.deploy(dragged, source="review.bpmn")
    assert [(c.element_id, c.change, c.details)
            for c in test_engine.repository.compare("review", 1, 2)] == [("first", "moved", [])]
    test_engine.repository.deploy(review(2), source="review.bpmn")
    assert "moved" not in {c.change for c in test_engine.repository.compare("review", 2, 3)}


def test_compare_sees_form_timer_and_documentation_changes(make_engine):
    def timed(form: str, duration: str, doc: str) -> bytes:
        return process("timed", {"coordinator": ["start", "wait", "timer", "end", "late"]}, f"""
            <bpmn:startEvent id="start"/>
            <bpmn:userTask id="wait" name="Wait" camunda:formKey="{form}">
              <bpmn:documentation>{doc}</bpmn:documentation>
            </bpmn:userTask>
            <bpmn:boundaryEvent id="timer" attachedToRef="wait">
              <bpmn:timerEventDefinition id="def_1">
                <bpmn:timeDuration>{duration}</bpmn:timeDuration>
              </bpmn:timerEventDefinition>
            </bpmn:boundaryEvent>
            <bpmn:endEvent id="end"/><bpmn:endEvent id="late"/>
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
            <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
            <bpmn:sequenceFlow id="f3" sourceRef="timer" targetRef="late"/>""")

    forms, handlers, _ = registries()
    forms.register("test.other")(forms.get("test.note"))
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(timed("test.note", "'P90D'", "Wait."), source="timed.bpmn")
    engine.repository.deploy(timed("test.other", "'P180D'", "Wait longer."),
                             source="timed.bpmn")
    changes = {c.element_id: c.details for c in engine.repository.compare("timed", 1, 2)}
    assert changes == {
        "wait": ["documentation changed", "form key: 'test.note' -> 'test.other'"],
        "timer": ["timer: timeDuration 'P90D' -> timeDuration 'P180D'"],
    }


def test_compare_refuses_unknown_keys_and_versions(test_engine):
    test_engine.repository.deploy(linear("demo"), source="demo.bpmn")
    with pytest.raises(NotFound, match="'nope' does not exist"):
        test_engine.repository.compare("nope", 1, 2)
    with pytest.raises(NotFound, match="'demo' has no version 2; the latest is 1"):
        test_engine.repository.compare("demo", 1, 2)
    with pytest.raises(BadRequest, match="whole number"):
        test_engine.repository.compare("demo", "1", 1)  # type: ignore[arg-type]


def test_compare_names_the_handler_and_the_type_of_a_changed_task():
    def handled(handler: str, tag: str = "serviceTask") -> bytes:
        return process("handled", {"coordinator": ["start", "call", "end"]}, f"""
            <bpmn:startEvent id="start"/>
            <bpmn:{tag} id="call" name="Ask the registry" camunda:type="external"
                        camunda:topic="{handler}"/>
            <bpmn:endEvent id="end"/>
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
            <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/>""")

    (change,) = compare_process(handled("registry.ask"), handled("registry.ask_twice"),
                                "handled")
    assert change.details == ["handler: 'registry.ask' -> 'registry.ask_twice'"]
    (change,) = compare_process(handled("a"), handled("a", tag="sendTask"), "handled")
    assert (change.element_type, change.details) == ("sendTask",
                                                     ["type: serviceTask -> sendTask"])
