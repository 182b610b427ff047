"""A small diagram with a tracked deadline, a handler that opens it, and an engine with
both deployed beside the plain one-task diagram."""

from __future__ import annotations

from datetime import date

from tests.diagrams import linear, process, registries


def tracked(key: str = "tracked") -> bytes:
    """A handler opens a permit-expiry deadline on ``legal_date``; then a user task."""
    return process(key, {"legal_adviser": ["start", "open_deadline", "follow", "end"]}, """
        <bpmn:startEvent id="start" camunda:formKey="test.start"/>
        <bpmn:serviceTask id="open_deadline" name="Open the deadline" camunda:type="external"
                          camunda:topic="test.deadline"/>
        <bpmn:userTask id="follow" name="Follow the permit" camunda:formKey="test.note"/>
        <bpmn:endEvent id="end"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="open_deadline"/>
        <bpmn:sequenceFlow id="f2" sourceRef="open_deadline" targetRef="follow"/>
        <bpmn:sequenceFlow id="f3" sourceRef="follow" targetRef="end"/>""")


def open_deadline(ctx):
    ctx.set_deadline("permit_expiry", date.fromisoformat(ctx.data["legal_date"]),
                     owner="legal_adviser", title="The permit expires")
    return {}


def tracking_engine(make_engine):
    """An engine with ``demo`` (one task) and ``tracked`` deployed, its handler known."""
    forms, handlers, _ = registries()
    handlers.register("test.deadline")(open_deadline)
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(linear("demo"), source="demo.bpmn")
    engine.repository.deploy(tracked(), source="tracked.bpmn")
    return engine
