"""No diagram runs code: refused at deploy, and harmless even if it got past deploy.

Each hostile diagram hides an attack where SpiffWorkflow evaluates text: a message's
correlation path, a message payload, a multi-instance cardinality or completion
condition, a loop condition, a conditional event, a data association, pre/post scripts,
a timer, a due date, a flow condition. Deploy and the modeler's validate must refuse each
with the element's id. Then, parsed past our checks, each must end as a clean incident
when run, with Python's ``eval``/``exec`` never called by SpiffWorkflow and the marker
file never written.
"""

from __future__ import annotations

import ast
import builtins
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import SpiffWorkflow
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.bpmn.diagrams import DiagramParser, parse_processes
from engine.bpmn.execution import RestrictedScriptEngine, StateSerializer, run_guarded, scan
from engine.bpmn.script_environment import SafeEnvironment
from engine.errors import DeployError
from tests.diagrams import definitions, process, registries, snapshot

ATTACKS = {
    "import": "__import__('os').system('touch {marker}')",
    "open": "open('{marker}', 'w').write('x')",
    "mro": "().__class__.__mro__[1].__subclasses__()",
    "format": "'{{0.__class__}}'.format(1) or open('{marker}', 'w')",
}

LANES = {"coordinator": ["start", "first", "end", "hit", "catch", "wait", "after"]}
FIRST = '<bpmn:startEvent id="start"/>'


def flows(*pairs: str) -> str:
    return "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                   for i, pair in enumerate(pairs) for a, b in [pair.split(">")])


KEYED = """
        <bpmn:collaboration id="collab">
          <bpmn:participant id="p" processRef="hostile"/>
          <bpmn:correlationKey id="ck" name="by_case">
            <bpmn:correlationPropertyRef>cp</bpmn:correlationPropertyRef>
          </bpmn:correlationKey>
        </bpmn:collaboration>"""


def correlated(tag: str, collaboration: str = "") -> Callable[[str], bytes]:
    """A send task whose message's correlation property is read by ``<tag>``: Camunda
    Modeler writes ``messagePath``, bpmn-js a ``formalExpression``; SpiffWorkflow reads
    both, with or without a correlation key in a collaboration."""
    return lambda code: definitions(f"""{collaboration}
        <bpmn:message id="msg" name="referral"/>
        <bpmn:correlationProperty id="cp" name="case">
          <bpmn:correlationPropertyRetrievalExpression messageRef="msg">
            <bpmn:{tag}>{code}</bpmn:{tag}>
          </bpmn:correlationPropertyRetrievalExpression>
        </bpmn:correlationProperty>
        <bpmn:process id="hostile" isExecutable="true">
          {FIRST}
          <bpmn:sendTask id="hit" messageRef="msg"/>
          <bpmn:endEvent id="end"/>
          {flows("start>hit", "hit>end")}
        </bpmn:process>""")


def in_process(body: str) -> Callable[[str], bytes]:
    return lambda code: process("hostile", LANES, body.replace("CODE", code))


SERVICE = 'camunda:type="external" camunda:topic="test.flaky"'

CORPUS: dict[str, tuple[Callable[[str], bytes], str]] = {
    "message path": (correlated("messagePath"), "cp"),
    "correlation key": (correlated("formalExpression", KEYED), "cp"),
    "message payload": (in_process(f"""{FIRST}
        <bpmn:intermediateThrowEvent id="hit" name="referral">
          <bpmn:messageEventDefinition id="hit_def" camunda:expression="CODE"/>
        </bpmn:intermediateThrowEvent>
        <bpmn:endEvent id="end"/>{flows("start>hit", "hit>end")}"""), "hit"),
    "multi-instance cardinality": (in_process(f"""{FIRST}
        <bpmn:serviceTask id="hit" {SERVICE}>
          <bpmn:multiInstanceLoopCharacteristics>
            <bpmn:loopCardinality>CODE</bpmn:loopCardinality>
          </bpmn:multiInstanceLoopCharacteristics>
        </bpmn:serviceTask>
        <bpmn:endEvent id="end"/>{flows("start>hit", "hit>end")}"""), "hit"),
    "multi-instance completion": (in_process(f"""{FIRST}
        <bpmn:serviceTask id="hit" {SERVICE}>
          <bpmn:multiInstanceLoopCharacteristics isSequential="true">
            <bpmn:loopCardinality>2</bpmn:loopCardinality>
            <bpmn:completionCondition>CODE</bpmn:completionCondition>
          </bpmn:multiInstanceLoopCharacteristics>
        </bpmn:serviceTask>
        <bpmn:endEvent id="end"/>{flows("start>hit", "hit>end")}"""), "hit"),
    "loop condition": (in_process(f"""{FIRST}
        <bpmn:serviceTask id="hit" {SERVICE}>
          <bpmn:standardLoopCharacteristics loopMaximum="3">
            <bpmn:loopCondition>CODE</bpmn:loopCondition>
          </bpmn:standardLoopCharacteristics>
        </bpmn:serviceTask>
        <bpmn:endEvent id="end"/>{flows("start>hit", "hit>end")}"""), "hit"),
    "conditional event": (in_process(f"""{FIRST}
        <bpmn:intermediateCatchEvent id="hit">
          <bpmn:conditionalEventDefinition id="hit_def">
            <bpmn:condition xsi:type="bpmn:tFormalExpression">CODE</bpmn:condition>
          </bpmn:conditionalEventDefinition>
        </bpmn:intermediateCatchEvent>
        <bpmn:endEvent id="end"/>{flows("start>hit", "hit>end")}"""), "hit"),
    "timer duration": (in_process(f"""{FIRST}
        <bpmn:intermediateCatchEvent id="hit">
          <bpmn:timerEventDefinition id="hit_def">
            <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">CODE</bpmn:timeDuration>
          </bpmn:timerEventDefinition>
        </bpmn:intermediateCatchEvent>
        <bpmn:endEvent id="end"/>{flows("start>hit", "hit>end")}"""), "hit"),
    "flow condition": (in_process(f"""{FIRST}
        <bpmn:exclusiveGateway id="wait" default="f_other"/>
        <bpmn:endEvent id="end"/><bpmn:endEvent id="after"/>
        {flows("start>wait")}
        <bpmn:sequenceFlow id="hit" sourceRef="wait" targetRef="end">
          <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
            >CODE</bpmn:conditionExpression>
        </bpmn:sequenceFlow>
        <bpmn:sequenceFlow id="f_other" sourceRef="wait" targetRef="after"/>"""), "hit"),
    "script task": (in_process(f"""{FIRST}
        <bpmn:scriptTask id="hit"><bpmn:script>CODE</bpmn:script></bpmn:scriptTask>
        <bpmn:endEvent id="end"/>{flows("start>hit", "hit>end")}"""), "hit"),
}
"""Diagrams that also run when parsed past our checks: name -> (diagram, the element
deploy names; at run time the incident is on ``hit``, the element that evaluates it)."""

DEPLOY_ONLY: dict[str, tuple[Callable[[str], bytes], str]] = {
    "due date": (in_process(f"""{FIRST}
        <bpmn:userTask id="first" camunda:formKey="test.note" camunda:dueDate="CODE"/>
        <bpmn:endEvent id="end"/>{flows("start>first", "first>end")}"""), "first"),
    "data input transformation": (in_process(f"""{FIRST}
        <bpmn:dataObject id="obj"/>
        <bpmn:dataObjectReference id="ref" dataObjectRef="obj"/>
        <bpmn:userTask id="first" camunda:formKey="test.note">
          <bpmn:dataInputAssociation id="hit">
            <bpmn:sourceRef>ref</bpmn:sourceRef>
            <bpmn:transformation>CODE</bpmn:transformation>
          </bpmn:dataInputAssociation>
        </bpmn:userTask>
        <bpmn:endEvent id="end"/>{flows("start>first", "first>end")}"""), "hit"),
    "data output assignment": (in_process(f"""{FIRST}
        <bpmn:dataObject id="obj"/>
        <bpmn:dataObjectReference id="ref" dataObjectRef="obj"/>
        <bpmn:userTask id="first" camunda:formKey="test.note">
          <bpmn:dataOutputAssociation id="hit">
            <bpmn:targetRef>ref</bpmn:targetRef>
            <bpmn:assignment><bpmn:from>CODE</bpmn:from><bpmn:to>x</bpmn:to></bpmn:assignment>
          </bpmn:dataOutputAssociation>
        </bpmn:userTask>
        <bpmn:endEvent id="end"/>{flows("start>first", "first>end")}"""), "hit"),
    "pre and post scripts": (in_process(f"""{FIRST}
        <bpmn:userTask id="first" camunda:formKey="test.note">
          <bpmn:extensionElements>
            <spiffworkflow:preScript xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core">CODE</spiffworkflow:preScript>
            <spiffworkflow:postScript xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core">CODE</spiffworkflow:postScript>
          </bpmn:extensionElements>
        </bpmn:userTask>
        <bpmn:endEvent id="end"/>{flows("start>first", "first>end")}"""), "first"),
    "camunda input script": (in_process(f"""{FIRST}
        <bpmn:userTask id="first" camunda:formKey="test.note">
          <bpmn:extensionElements><camunda:inputOutput>
            <camunda:inputParameter name="x">
              <camunda:script scriptFormat="python">CODE</camunda:script>
            </camunda:inputParameter>
          </camunda:inputOutput></bpmn:extensionElements>
        </bpmn:userTask>
        <bpmn:endEvent id="end"/>{flows("start>first", "first>end")}"""), "first"),
    "execution listener": (in_process(f"""{FIRST}
        <bpmn:userTask id="first" camunda:formKey="test.note">
          <bpmn:extensionElements>
            <camunda:executionListener event="start" expression="CODE"/>
          </bpmn:extensionElements>
        </bpmn:userTask>
        <bpmn:endEvent id="end"/>{flows("start>first", "first>end")}"""), "first"),
    "decision table": (in_process(f"""{FIRST}
        <bpmn:businessRuleTask id="hit" camunda:decisionRef="CODE"/>
        <bpmn:endEvent id="end"/>{flows("start>hit", "hit>end")}"""), "hit"),
    "service expression": (in_process(f"""{FIRST}
        <bpmn:serviceTask id="hit" camunda:expression="CODE"/>
        <bpmn:endEvent id="end"/>{flows("start>hit", "hit>end")}"""), "hit"),
    "stray formal expression": (in_process(f"""{FIRST}
        <bpmn:userTask id="first" camunda:formKey="test.note">
          <bpmn:documentation>x</bpmn:documentation>
          <bpmn:extensionElements>
            <bpmn:formalExpression id="hit">CODE</bpmn:formalExpression>
          </bpmn:extensionElements>
        </bpmn:userTask>
        <bpmn:endEvent id="end"/>{flows("start>first", "first>end")}"""), "hit"),
}


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "a diagram ran code"


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call of Python's eval or exec made from SpiffWorkflow's code."""
    calls: list[str] = []
    for name in ("eval", "exec"):
        original = getattr(builtins, name)

        def watched(*args, _name=name, _original=original, **kwargs):
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if caller.startswith("SpiffWorkflow"):
                calls.append(f"{_name} from {caller}")
                raise RuntimeError(f"{_name} called from {caller}")
            return _original(*args, **kwargs)

        monkeypatch.setattr(builtins, name, watched)
    return calls


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("site", [*CORPUS, *DEPLOY_ONLY])
def test_a_hostile_diagram_is_refused_at_deploy_and_in_the_modeler(
        make_engine, marker, site, attack):
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    diagram, element = {**CORPUS, **DEPLOY_ONLY}[site]
    content = diagram(escape(ATTACKS[attack].format(marker=marker)))
    before = snapshot(engine)
    problems = engine.repository.validate(content, source="hostile.bpmn")
    assert element in {p.element_id for p in problems}, problems
    with pytest.raises(DeployError) as caught:
        engine.repository.deploy(content, source="hostile.bpmn")
    assert element in {p.element_id for p in caught.value.problems}
    assert snapshot(engine) == before


def _run_past_deploy(content: bytes) -> BpmnWorkflow:
    """Parse with SpiffWorkflow alone (no deploy checks) and run until it stops."""
    spec, subprocess_specs = parse_processes(content, ["hostile"])["hostile"]
    _, handlers, switch = registries()
    switch.broken = False
    script_engine = RestrictedScriptEngine(handlers, None, datetime(2026, 3, 2, tzinfo=UTC),
                                           ZoneInfo("Europe/Ljubljana"), 1, "C-HOSTILE")
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
    workflow.task_tree.set_data(n=1)
    for task in workflow.get_tasks():
        task.set_data(n=1)
    run_guarded(workflow)
    return workflow


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("site", CORPUS)
def test_a_hostile_expression_that_got_past_deploy_ends_as_an_incident(
        marker, tripwire, site, attack):
    diagram, element = CORPUS[site]
    workflow = _run_past_deploy(diagram(escape(ATTACKS[attack].format(marker=marker))))
    incidents = scan(workflow).incidents
    assert tripwire == []
    assert len(incidents) == 1, incidents
    assert incidents[0].element_id in {"hit", "wait"}
    assert "Traceback" not in incidents[0].message
    assert not workflow.completed


def test_harmless_expressions_at_the_same_places_run(tripwire):
    """The guard refuses code, not the constructs: with a plain expression each runs."""
    plain = {"timer duration": "'PT1H'", "multi-instance completion": "n > 5",
             "loop condition": "n > 5", "conditional event": "n == 1",
             "message payload": "n + 1"}
    for site in set(CORPUS) - {"script task"}:
        diagram, _ = CORPUS[site]
        workflow = _run_past_deploy(diagram(plain.get(site, "n + 1")))
        assert scan(workflow).incidents == [], site
    assert tripwire == []


def test_the_script_engine_has_no_python_environment():
    engine = RestrictedScriptEngine({}, None, datetime(2026, 3, 2, tzinfo=UTC), ZoneInfo("UTC"),
                                    1, "C-1")
    assert isinstance(engine.environment, SafeEnvironment)
    assert not isinstance(engine.environment, TaskDataEnvironment)


def test_an_old_state_format_is_not_migrated(marker):
    """SpiffWorkflow's migration from format 1.1 evals timer text kept in the state."""
    spec, subprocess_specs = parse_processes(CORPUS["flow condition"][0]("n"), ["hostile"])[
        "hostile"]
    state = {"serializer_version": "1.1", "spec": {"task_specs": {"t": {"event_definition": {
        "dateTime": f"open('{marker}', 'w')"}}}}}
    with pytest.raises(ValueError, match="format '1.1'"):
        StateSerializer().load(state, spec, subprocess_specs)


# Every place in SpiffWorkflow that evaluates or executes text, and why it is safe here.
# A new release that adds one fails the test below until it is reviewed.
REVIEWED_CALLS = {
    # Python's own eval/exec:
    ("bpmn/script_engine/python_environment.py", "eval"): "environment replaced",
    ("bpmn/script_engine/python_environment.py", "exec"): "environment replaced",
    ("bpmn/serializer/migration/version_1_2.py", "eval"): "old formats refused",
    ("specs/Transform.py", "exec"): "not a BPMN spec: no parser creates it",
    # the script engine's evaluate, which RestrictedScriptEngine overrides:
    ("bpmn/script_engine/python_engine.py", "environment.evaluate"): "environment replaced",
    ("bpmn/script_engine/python_engine.py", "environment.execute"): "environment replaced",
    ("bpmn/script_engine/python_engine.py", "environment.call_service"):
        "environment replaced",
    ("bpmn/specs/bpmn_process_spec.py", "environment.evaluate"): "environment replaced",
    ("bpmn/specs/event_definitions/message.py", "environment.evaluate"):
        "environment replaced",
}


def _calls_in(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("eval", "exec"):
            yield func.id
        elif isinstance(func, ast.Attribute) and func.attr in (
                "evaluate", "execute", "call_service"):
            receiver = func.value
            if isinstance(receiver, ast.Attribute) and receiver.attr == "environment":
                yield f"environment.{func.attr}"


def test_every_place_spiffworkflow_evaluates_text_is_reviewed():
    root = Path(SpiffWorkflow.__file__).parent
    found = {(str(path.relative_to(root)), call)
             for path in root.rglob("*.py") for call in _calls_in(path)}
    assert found == set(REVIEWED_CALLS)
    # The script engine's own evaluate/execute/call_service are overridden, so the many
    # `script_engine.evaluate(...)` sites (conditions, timers, multi-instance, conditional
    # events, DMN, payloads) all reach the safe environment.
    for method in ("evaluate", "execute", "call_service", "validate"):
        assert method in vars(RestrictedScriptEngine), method
    parser_specs = {spec for _, spec in DiagramParser.OVERRIDE_PARSER_CLASSES.values()}
    parser_specs |= {spec for _, spec in DiagramParser.PARSER_CLASSES.values()}
    assert not any("Transform" in spec.__name__ for spec in parser_specs)


def test_a_payload_that_would_be_rebuilt_as_a_class_is_refused(make_engine):
    """A payload naming a serializer type is refused by name; and since a message thrown
    by a procedure reaches no one here, no diagram holding such a throw deploys at all
    (the run-time defence is walked with the corpus, parsed past deploy, above)."""
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    diagram = CORPUS["message payload"][0]
    problems = engine.repository.validate(diagram("{'typename': 'BpmnProcessSpec'}"))
    assert any("typename" in p.message for p in problems)
    before = snapshot(engine)
    with pytest.raises(DeployError) as refused:
        engine.repository.deploy(diagram("{('type' + 'name'): 'BpmnProcessSpec'}"),
                                 source="hostile.bpmn")
    assert any("throw a signal" in p.message for p in refused.value.problems)
    assert snapshot(engine) == before
