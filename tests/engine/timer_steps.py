"""A timer followed by a handler that may fail, and how tests read timers and open tasks."""

from __future__ import annotations

from sqlalchemy import select

from engine.store.models import Timer
from tests.diagrams import process


def timer_then_handler(key: str = "flaky") -> bytes:
    """start -> wait one hour -> handler `test.flaky` -> user task `after` -> end."""
    return process(key, {"coordinator": ["start", "hour", "call", "after", "end"]}, """
        <bpmn:startEvent id="start"/>
        <bpmn:intermediateCatchEvent id="hour">
          <bpmn:timerEventDefinition>
            <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration>
          </bpmn:timerEventDefinition>
        </bpmn:intermediateCatchEvent>
        <bpmn:serviceTask id="call" name="Ask the registry" camunda:type="external"
                          camunda:topic="test.flaky"/>
        <bpmn:userTask id="after" name="After" camunda:formKey="test.note"/>
        <bpmn:endEvent id="end"/>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="hour"/>
        <bpmn:sequenceFlow id="f2" sourceRef="hour" targetRef="call"/>
        <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="after"/>
        <bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end"/>""")


def open_elements(engine, instance_id):
    return [t.element_id for t in engine.runtime.instance(instance_id).open_tasks]


def rows(engine, **where):
    with engine.db.reading() as session:
        query = select(Timer).order_by(Timer.id)
        for name, value in where.items():
            query = query.where(getattr(Timer, name) == value)
        found = list(session.scalars(query))
        session.expunge_all()  # keep them readable after the session ends
        return found
