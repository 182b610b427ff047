"""Messages from outside the engine, correlated as Camunda users know it.

An outside party answers a procedure: the court's final decision, the administrative
unit's decision, the partner organisation's confirmation that she arrived. Whoever
records it sends the message by name to her case; the procedure that waits for it (a
message catch event, a receive task, a branch of an event-based gateway) takes it and
goes on. One message, one unit of work:

1. The message is checked: a name, a case code, correlation pairs and data that are
   plain named values (:func:`message_data`). A bad one is refused; nothing changes.
2. The case's running and waiting procedures are locked; those that wait for the
   message and whose variables equal every correlation pair are the candidates.
3. One candidate catches it: the data become its variables and it runs on.
4. No candidate, but a deployed procedure starts with this message: it starts for the
   case and catches the message at once.
5. No candidate and no such procedure: :class:`NotFound` says so. Several candidates:
   :class:`Conflict` names them, so the sender can add a correlation pair that tells
   them apart. A message is never delivered to a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from sqlalchemy import select

from engine.bpmn.diagrams import NS, HumanTask, read_xml
from engine.bpmn.execution import run_guarded
from engine.bpmn.message_events import FROM_OUTSIDE, CaseMessageEventDefinition
from engine.config import FormRegistry
from engine.context import EngineContext
from engine.errors import BadRequest, Conflict, NotFound
from engine.obligations.consents import standing
from engine.protection.plain_text import refuse_broken_text
from engine.services.runtime import RuntimeService
from engine.services.tasks import form_class, load_form
from engine.store.case_jurisdiction import case_jurisdiction
from engine.store.instances import RUNNING, WAITING, InstanceStore, StepLog
from engine.store.models import CaseRecord, ProcessDefinition, ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import View

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,99}")
"""A message name or variable name: letters, digits, ``_ . -``, a letter or ``_`` first."""
MAX_VALUES = 50
MAX_TEXT = 2000


@dataclass(frozen=True)
class Delivery(View):
    """Where a message went: the instance that caught it, and whether it was started."""

    instance_id: int
    process_key: str
    started: bool


def message_data(data: Any, what: str = "data") -> dict[str, Any]:
    """The values a message carries: at most 50, each named like a variable and a number,
    a yes/no, nothing, or text of at most 2000 characters (a date is ISO text)."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise BadRequest(f"the message {what} must be a JSON object of named values")
    if len(data) > MAX_VALUES:
        raise BadRequest(f"a message carries at most {MAX_VALUES} values, not {len(data)}")
    for key, value in data.items():
        if not isinstance(key, str) or not NAME.fullmatch(key):
            raise BadRequest(f"{what}: {str(key)[:100]!r} is not a variable name (letters, "
                             "digits, '_', '.', '-', a letter or '_' first)")
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise BadRequest(f"{what}: {key} must be a number, true/false, null or text, "
                             "not a list or an object")
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise BadRequest(f"{what}: {key} is longer than {MAX_TEXT} characters")
    refuse_broken_text(dict(data), "the message was not delivered")
    return dict(data)


class MessageService:
    """Delivers a message from outside to the one procedure of a case that waits for it."""

    def __init__(self, ctx: EngineContext, runtime: RuntimeService,
                 forms: FormRegistry) -> None:
        self.ctx = ctx
        self.forms = forms
        self.runtime = runtime
        self.store: InstanceStore = runtime.store

    def correlate(self, name: str, case_code: str, *,
                  correlate: Mapping[str, Any] | None = None,
                  data: Mapping[str, Any] | None = None,
                  actor: str = "system") -> Delivery:
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise BadRequest("a message name is letters, digits, '_', '.' or '-', starting "
                             "with a letter or '_'")
        if not isinstance(case_code, str) or not case_code.strip():
            raise BadRequest("a message goes to a case: give its case code")
        keys = message_data(correlate, "correlate")
        values = message_data(data)
        case_code = case_code.strip()
        with self.ctx.db.transaction() as session:
            waiting = self._waiting(session, name, case_code, keys)
            if len(waiting) > 1:
                listed = ", ".join(f"{row.process_key} instance {row.id}" for row, _ in waiting)
                raise Conflict(f"{len(waiting)} procedures of case {case_code} wait for "
                               f"message {name!r} ({listed}): add a correlation pair that "
                               "tells them apart")
            if waiting:
                (row, workflow), started = waiting[0], False
            else:
                key = self._started_by(session, name)
                if key is None:
                    raise NotFound(self._nothing_waits(name, case_code, keys))
                if session.get(CaseRecord, case_code) is None:
                    raise NotFound(f"case {case_code} does not exist: a message starts a "
                                   "procedure only for a case already open")
                row = self.runtime.start_in(session, key, case_code, actor=actor)
                workflow, started = self.store.load(session, row), True
                if _definition(workflow, name) is None:
                    raise NotFound(self._nothing_waits(name, case_code, keys))
            values = self._checked_by_task(session, row, workflow, name, values)
            self._deliver(session, row, workflow, name, values, actor)
            return Delivery(row.id, row.process_key, started)

    def _waiting(self, session: UnitOfWork, name: str, case_code: str,
                 keys: dict[str, Any]) -> list[tuple[ProcessInstance, BpmnWorkflow]]:
        rows = session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.case_code == case_code,
                   ProcessInstance.status.in_((RUNNING, WAITING)))
            .order_by(ProcessInstance.id).with_for_update(of=ProcessInstance))
        found = []
        for row in rows:
            workflow = self.store.load(session, row)
            if _definition(workflow, name) is None:
                continue
            if keys:
                variables = self.ctx.vault.open(session, row.case_code, "variables",
                                                row.variables) if row.variables else {}
                if any(variables.get(k) != v for k, v in keys.items()):
                    continue
            found.append((row, workflow))
        return found

    def _started_by(self, session: UnitOfWork, name: str) -> str | None:
        """The key of the deployed procedure whose latest version starts with ``name``."""
        latest: dict[str, ProcessDefinition] = {}
        for definition in session.scalars(select(ProcessDefinition)
                                          .order_by(ProcessDefinition.version)):
            latest[definition.key] = definition
        for key, definition in sorted(latest.items()):
            if name in _start_messages(definition.bpmn_xml, key):
                return key
        return None

    def _checked_by_task(self, session: UnitOfWork, row: ProcessInstance,
                         workflow: BpmnWorkflow, name: str,
                         values: dict[str, Any]) -> dict[str, Any]:
        """A message that answers a user task in place of its actor (a boundary event on
        it) is checked by that task's form, as the actor's answer would be; one that
        would record or withdraw her consent is refused: people ask her, not messages."""
        catcher = _catcher(workflow, name)
        answered = _answered_task(catcher) if catcher is not None else None
        if answered is None:
            return values
        form = form_class(self.forms, answered.task_spec.form_key)
        withdraws = getattr(form, "withdraws_consent", None)
        if getattr(form, "consent_asked", None) or (withdraws and values.get(withdraws[1])):
            raise BadRequest(f"message {name!r} would answer a question of consent; her "
                             "answers are recorded by the people who ask her, in the task")
        purpose = getattr(form, "needs_consent", None)
        if purpose and standing(session, row.case_code, purpose) is None:
            raise Conflict(f"message {name!r} answers a step that needs her consent for "
                           f"{purpose}, which does not stand")
        variables = self.ctx.vault.open(session, row.case_code, "variables",
                                        row.variables) if row.variables else {}
        return load_form(self.ctx, self.forms, answered.task_spec.form_key, values, variables,
                         "the message was not delivered",
                         case_jurisdiction(self.ctx, session, row.case_code))

    def _deliver(self, session: UnitOfWork, row: ProcessInstance, workflow: BpmnWorkflow,
                 name: str, values: dict[str, Any], actor: str) -> None:
        definition = _definition(workflow, name)

        def catch(wf: BpmnWorkflow, log: StepLog) -> None:
            # Ours (events) takes the values under FROM_OUTSIDE; SpiffWorkflow's own (a
            # receive task) sets a payload's keys as variables.
            payload = {FROM_OUTSIDE: values} \
                if isinstance(definition, CaseMessageEventDefinition) else dict(values)
            wf.catch(BpmnEvent(definition, payload=payload))
            run_guarded(wf, None, log)

        log = self.store.run(workflow, catch)
        session.audit("message_received", actor, instance_id=row.id,
                       data_keys=list(values), detail=name)
        self.store.save(session, row, workflow, actor, log)

    @staticmethod
    def _nothing_waits(name: str, case_code: str, keys: dict[str, Any]) -> str:
        matching = f" with {', '.join(f'{k}={v}' for k, v in keys.items())}" if keys else ""
        return (f"no procedure of case {case_code}{matching} waits for message {name!r}, "
                "and no deployed procedure starts with it")


def _definition(workflow: BpmnWorkflow, name: str) -> MessageEventDefinition | None:
    """The definition of message ``name`` a waiting task of ``workflow`` catches."""
    catcher = _catcher(workflow, name)
    return None if catcher is None else _message_of(catcher, name)


def _catcher(workflow: BpmnWorkflow, name: str) -> Task | None:
    """The waiting task of ``workflow`` that catches message ``name``."""
    for task in workflow.event_manager.tasks.values():
        if _message_of(task, name) is not None:
            return task
    return None


def _message_of(task: Task, name: str) -> MessageEventDefinition | None:
    definition = task.task_spec.event_definition
    candidates = definition.event_definitions \
        if isinstance(definition, MultipleEventDefinition) else [definition]
    for candidate in candidates:
        if isinstance(candidate, MessageEventDefinition) and candidate.name == name:
            return candidate
    return None


def _answered_task(catcher: Task) -> Task | None:
    """The user task a boundary event catching a message is attached to, or None."""
    if not isinstance(catcher.task_spec, BoundaryEvent) or catcher.parent is None:
        return None
    for sibling in catcher.parent.children:
        if isinstance(sibling.task_spec, HumanTask) and sibling.task_spec.form_key:
            return sibling
    return None


def _start_messages(xml: str | bytes, key: str) -> set[str]:
    """Names of the messages that start process ``key`` (message start events)."""
    root = read_xml(xml.encode() if isinstance(xml, str) else xml)
    names = {m.get("id"): m.get("name") or m.get("id") for m in root.iterfind("bpmn:message", NS)}
    found: set[str] = set()
    for process in root.iterfind("bpmn:process", NS):
        if process.get("id") != key:
            continue
        for start in process.iterfind("bpmn:startEvent", NS):
            for message in start.iterfind("bpmn:messageEventDefinition", NS):
                ref = message.get("messageRef")
                if ref in names and names[ref]:
                    found.add(str(names[ref]))
    return found


__all__ = ["Delivery", "MessageService", "message_data"]
