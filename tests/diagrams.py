"""Small diagrams for engine tests, and registries with the forms and handlers they use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree
from marshmallow import fields
from sqlalchemy import func, select

from engine import ProcessEngine
from engine.bpmn.decisions import defined_decisions
from engine.store.models import AuditEvent, ProcessDefinition
from forms import FormRegistry, FormSchema
from handlers import HandlerRegistry

SHIPPED = Path(__file__).resolve().parent.parent / "processes"


def shipped(key: str) -> bytes | None:
    """A called process, looked up among the shipped diagrams (one file per key)."""
    path = SHIPPED / f"{key}.bpmn"
    return path.read_bytes() if path.exists() else None


def shipped_decision(key: str) -> bytes | None:
    """A decision table, looked up among the shipped DMN files."""
    for path in SHIPPED.glob("*.dmn"):
        if key in defined_decisions(etree.parse(str(path)).getroot()):
            return path.read_bytes()
    return None

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" '
    'targetNamespace="https://varnapot.example/tests">\n'
)


def definitions(body: str) -> bytes:
    return (HEAD + body + "\n</bpmn:definitions>\n").encode()


def process(key: str, lanes: dict[str, list[str]], body: str, executable: bool = True) -> bytes:
    """A process whose lanes (role -> node ids) and body (flow nodes, flows) are given."""
    lane_xml = "".join(
        f'<bpmn:lane id="lane_{role}" name="{role}">'
        + "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
        + "</bpmn:lane>"
        for role, nodes in lanes.items()
    )
    lane_set = f'<bpmn:laneSet id="lanes_{key}">{lane_xml}</bpmn:laneSet>' if lanes else ""
    flag = "true" if executable else "false"
    return definitions(
        f'<bpmn:process id="{key}" name="{key}" isExecutable="{flag}">{lane_set}{body}'
        "</bpmn:process>"
    )


def linear(key: str, *, note: str = "", extra_tasks: str = "") -> bytes:
    """start -> user task `first` (form test.note) -> end."""
    return process(key, {"coordinator": ["start", "first", "end"]}, f"""
        <bpmn:startEvent id="start" camunda:formKey="test.start"/>
        <bpmn:userTask id="first" name="First step{note}" camunda:formKey="test.note"
                       camunda:dueDate="first_due">
          <bpmn:documentation>Write a note.</bpmn:documentation>
        </bpmn:userTask>
        <bpmn:endEvent id="end"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
        <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="end"/>
        {extra_tasks}""")


def boundary_timer(key: str, expression: str) -> bytes:
    """A user task with an interrupting boundary timer leading to `after_timer`."""
    return process(key, {"coordinator": ["start", "wait", "after_timer", "end", "end_timer",
                                         "timer"]}, f"""
        <bpmn:startEvent id="start"/>
        <bpmn:userTask id="wait" name="Wait for her decision" camunda:formKey="test.note"/>
        <bpmn:boundaryEvent id="timer" attachedToRef="wait">
          <bpmn:timerEventDefinition>
            <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{expression}</bpmn:timeDuration>
          </bpmn:timerEventDefinition>
        </bpmn:boundaryEvent>
        <bpmn:userTask id="after_timer" name="Act on expiry" camunda:formKey="test.note"/>
        <bpmn:endEvent id="end"/>
        <bpmn:endEvent id="end_timer"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
        <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
        <bpmn:sequenceFlow id="f3" sourceRef="timer" targetRef="after_timer"/>
        <bpmn:sequenceFlow id="f4" sourceRef="after_timer" targetRef="end_timer"/>""")


def with_handler(key: str, handler: str = "test.flaky") -> bytes:
    """user task `first` -> service task `call` (handler) -> user task `second`."""
    return process(key, {"coordinator": ["start", "first", "call", "second", "end"]}, f"""
        <bpmn:startEvent id="start"/>
        <bpmn:userTask id="first" name="First" camunda:formKey="test.note"/>
        <bpmn:serviceTask id="call" name="Call the handler" camunda:type="external"
                          camunda:topic="{handler}"/>
        <bpmn:userTask id="second" name="Second" camunda:formKey="test.note"/>
        <bpmn:endEvent id="end"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
        <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="call"/>
        <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="second"/>
        <bpmn:sequenceFlow id="f4" sourceRef="second" targetRef="end"/>""")


def gateway(key: str, condition: str) -> bytes:
    """A user task, then a gateway whose `yes` flow has ``condition``."""
    return process(key, {"coordinator": ["start", "first", "gw", "yes", "no", "end_yes",
                                         "end_no"]}, f"""
        <bpmn:startEvent id="start"/>
        <bpmn:userTask id="first" name="First" camunda:formKey="test.note"/>
        <bpmn:exclusiveGateway id="gw" default="to_no"/>
        <bpmn:userTask id="yes" name="Yes" camunda:formKey="test.note"/>
        <bpmn:userTask id="no" name="No" camunda:formKey="test.note"/>
        <bpmn:endEvent id="end_yes"/>
        <bpmn:endEvent id="end_no"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
        <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="gw"/>
        <bpmn:sequenceFlow id="to_yes" sourceRef="gw" targetRef="yes">
          <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
            >{condition}</bpmn:conditionExpression>
        </bpmn:sequenceFlow>
        <bpmn:sequenceFlow id="to_no" sourceRef="gw" targetRef="no"/>
        <bpmn:sequenceFlow id="f5" sourceRef="yes" targetRef="end_yes"/>
        <bpmn:sequenceFlow id="f6" sourceRef="no" targetRef="end_no"/>""")


class Note(FormSchema):
    note = fields.String(required=True, metadata={"label": "Note"})
    count = fields.Integer(load_default=0, metadata={"label": "Count"})


class Start(FormSchema):
    """What the test procedures may be started with."""

    first_due = fields.String(metadata={"label": "First task due"})
    origin = fields.String(metadata={"label": "Where it came from"})
    note = fields.String(metadata={"label": "Note"})
    count = fields.Integer(metadata={"label": "Count"})
    legal_date = fields.String(metadata={"label": "Legal date"})
    services = fields.List(fields.String(), metadata={"label": "Services of her plan"})


class Switch:
    """A handler that fails while ``broken`` is set, and counts its calls."""

    def __init__(self) -> None:
        self.broken = True
        self.calls = 0

    def __call__(self, ctx: Any) -> dict[str, Any]:
        self.calls += 1
        if self.broken:
            raise RuntimeError("the registry of residence permits did not answer")
        return {"handled": True, "handled_calls": self.calls}


def registries() -> tuple[FormRegistry, HandlerRegistry, Switch]:
    forms, handlers, switch = FormRegistry(), HandlerRegistry(), Switch()
    forms.register("test.note")(Note)
    forms.register("test.start")(Start)
    handlers.register("test.flaky")(switch)
    return forms, handlers, switch


def snapshot(engine: ProcessEngine) -> tuple:
    """What a failed deploy must leave unchanged."""
    with engine.db.reading() as session:
        return (session.scalar(select(func.count()).select_from(ProcessDefinition)),
                session.scalar(select(func.count()).select_from(AuditEvent)))


BAD = {
    "malformed XML": (b"<bpmn:definitions><unclosed>", None, "malformed XML"),
    "no executable process": (
        process("idle", {"coordinator": ["start"]}, '<bpmn:startEvent id="start"/>',
                executable=False), None, "no executable process"),
    "user task outside any lane": (
        process("x", {}, '<bpmn:startEvent id="s"/><bpmn:userTask id="loose" '
                'camunda:formKey="test.note"/><bpmn:sequenceFlow id="f" sourceRef="s" '
                'targetRef="loose"/>'), "loose", "outside any lane"),
    "unknown form key": (
        process("x", {"police": ["s", "t"]}, '<bpmn:startEvent id="s"/><bpmn:userTask id="t" '
                'camunda:formKey="no.such.form"/><bpmn:sequenceFlow id="f" sourceRef="s" '
                'targetRef="t"/>'), "t", "unknown form key 'no.such.form'"),
    "unknown handler": (
        process("x", {"police": ["s", "call"]}, '<bpmn:startEvent id="s"/><bpmn:serviceTask '
                'id="call" camunda:type="external" camunda:topic="no.such.handler"/>'
                '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="call"/>'),
        "call", "unknown handler 'no.such.handler'"),
    "misspelt form key": (
        process("x", {"police": ["s", "t"]}, '<bpmn:startEvent id="s"/><bpmn:userTask id="t" '
                'camunda:formKey="test.nte"/><bpmn:sequenceFlow id="f" sourceRef="s" '
                'targetRef="t"/>'), "t", "'test.nte': did you mean 'test.note'?"),
    "Camunda Tasklist form": (
        process("x", {"police": ["s", "t"]}, '<bpmn:startEvent id="s"/><bpmn:userTask id="t" '
                'camunda:formKey="embedded:app:forms/grant.html"/><bpmn:sequenceFlow id="f" '
                'sourceRef="s" targetRef="t"/>'), "t",
        "Camunda Tasklist forms are not run by this engine; name a registered form"),
    "misspelt handler": (
        process("x", {"police": ["s", "call"]}, '<bpmn:startEvent id="s"/><bpmn:serviceTask '
                'id="call" camunda:type="external" camunda:topic="test.flak"/>'
                '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="call"/>'),
        "call", "did you mean 'test.flaky'?"),
    "script task": (
        process("x", {"police": ["s", "code"]}, '<bpmn:startEvent id="s"/><bpmn:scriptTask '
                'id="code"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'
                '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="code"/>'),
        "code", "use a service task that names a handler"),
    "condition that does not parse": (
        process("x", {"police": ["s", "gw", "a"]}, '<bpmn:startEvent id="s"/>'
                '<bpmn:exclusiveGateway id="gw"/><bpmn:userTask id="a" '
                'camunda:formKey="test.note"/><bpmn:sequenceFlow id="f" sourceRef="s" '
                'targetRef="gw"/><bpmn:sequenceFlow id="cond" sourceRef="gw" targetRef="a">'
                '<bpmn:conditionExpression>decision ==</bpmn:conditionExpression>'
                '</bpmn:sequenceFlow>'), "cond", "does not parse"),
    "lane that is not a role": (
        process("x", {"ministers": ["s", "t"]}, '<bpmn:startEvent id="s"/><bpmn:userTask '
                'id="t" camunda:formKey="test.note"/><bpmn:sequenceFlow id="f" sourceRef="s" '
                'targetRef="t"/>'), "t", "'ministers' is not a role"),
}
"""Diagrams deploy refuses: (content, the element named, words of the problem)."""
