"""A small diagram with a tracked deadline, and a handler that opens it."""

from __future__ import annotations

from datetime import date

from tests.diagrams import process


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
