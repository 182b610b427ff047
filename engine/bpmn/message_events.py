"""Message events whose values become the catching procedure's variables.

SpiffWorkflow's Camunda message event puts what it receives into one variable,
``camunda:resultVariable`` or ``<task>_Response``, as a whole. A message sent from outside
(:mod:`engine.services.messages`) carries named values, and a procedure reads them by name, as a
Camunda 7 user correlating a message with process variables expects: here they become
variables of their own (and, when the diagram names a ``camunda:resultVariable``, that
variable holds them together too). A message thrown by a diagram keeps SpiffWorkflow's
behaviour.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.specs.event_definitions import (
    MessageEventDefinition as CamundaMessageEventDefinition,
)

FROM_OUTSIDE = "variables"
"""The key of a message payload sent from outside: its named values."""


class CaseMessageEventDefinition(CamundaMessageEventDefinition):
    def update_internal_data(self, my_task: Any, event: Any) -> None:
        if isinstance(event.payload, dict) and FROM_OUTSIDE in event.payload:
            my_task.internal_data[self.name] = event.payload
        else:
            super().update_internal_data(my_task, event)

    def update_task_data(self, my_task: Any) -> None:
        received = my_task.internal_data.get(self.name) or {}
        if FROM_OUTSIDE not in received:
            super().update_task_data(my_task)
            return
        values = dict(received[FROM_OUTSIDE])
        my_task.set_data(**values)
        if self.result_var:
            my_task.data[self.result_var] = values


def _case_message_parser(base: type) -> type:
    def parse_message_event(self: Any, message_event: Any) -> CaseMessageEventDefinition:
        parsed = base.parse_message_event(self, message_event)
        return CaseMessageEventDefinition(parsed.name, parsed.correlation_properties,
                                          parsed.expression, parsed.result_var)

    return type(f"Case{base.__name__}", (base,), {"parse_message_event": parse_message_event})


MESSAGE_EVENT_PARSERS = {
    tag: (_case_message_parser(CamundaParser.OVERRIDE_PARSER_CLASSES[tag][0]),
          CamundaParser.OVERRIDE_PARSER_CLASSES[tag][1])
    for tag in (full_tag(t) for t in ("startEvent", "endEvent", "intermediateCatchEvent",
                                      "intermediateThrowEvent", "boundaryEvent"))
}
"""Camunda's event parsers, making :class:`CaseMessageEventDefinition` for messages."""
