"""Running a workflow: the restricted script engine, the state serializer and projections.

The workflow object is short-lived: it is restored from the instance row with the cached
spec, advanced, read for projections and serialized back, all in one unit of work.
"""

from __future__ import annotations

import ast
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.camunda.specs.event_definitions import (
    MessageEventDefinition as CamundaMessageEventDefinition,
)
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.compaction import Trail, trail_of
from engine.bpmn.diagram_code import MAX_INSTANCES, cycle_problem
from engine.bpmn.diagrams import HumanTask
from engine.bpmn.expressions import ExpressionError, check_expression, evaluate
from engine.bpmn.loops import child_label
from engine.bpmn.message_events import CaseMessageEventDefinition
from engine.bpmn.script_environment import ExpressionRefused, SafeEnvironment
from engine.kit.effects import (
    DEADLINE_KINDS,
    CancelDeadline,
    Effect,
    MeetDeadline,
    Notify,
    PauseCase,
    ResumeCase,
    SetDeadline,
    due_deadline,
)
from engine.kit.jurisdiction import Jurisdiction
from engine.kit.roles import ROLES

# SpiffWorkflow adds a task's data to its log records when its loggers are below INFO,
# and logs every task at INFO: nothing of hers goes to any log, so they stay at WARNING.
for _name in ("spiff.task", "spiff.workflow", "spiff.data", "spiff.dmn"):
    logging.getLogger(_name).setLevel(logging.WARNING)


DeadlineLookup = Callable[[str, str], date | None]
"""(kind, ref) -> the legal date of the instance's deadline, or None when there is none."""


@dataclass(frozen=True)
class CaseDeadline:
    """An open legal deadline of the case, as a handler may read it (no personal data)."""

    kind: str
    ref: str
    title: str
    owner: str
    legal_date: date
    latest_safe_day: date
    instance_id: int


CaseDeadlinesLookup = Callable[[date], Sequence[CaseDeadline]]
"""The open legal deadlines of the case's other instances whose latest safe day is on or
before the given day (those already past it included), by latest safe day."""


@dataclass(frozen=True)
class HandlerContext:
    """What a service-task handler is given: a read-only view of the data and the time,
    the jurisdiction's legal numbers, and ways to record deadlines and notices."""

    data: Mapping[str, Any]
    now: datetime
    timezone: ZoneInfo
    instance_id: int
    case_code: str
    element_id: str
    jurisdiction: Jurisdiction
    effects: list[Effect] = field(default_factory=list)
    known_deadline: DeadlineLookup = field(default=lambda kind, ref: None)
    """The case's current legal date of a deadline (this unit of work's changes first)."""
    case_deadlines: CaseDeadlinesLookup = field(default=lambda until: ())
    """The open legal deadlines of the case's other procedures (see open_case_deadlines)."""

    def legal_date(self, kind: str, ref: str = "") -> date | None:
        """The current legal date of this instance's deadline ``kind``, or None.

        A date derived from another procedure's date (the school deadline from the permit's
        expiry) is read here, where it is kept up to date, never from a copy in the data.
        """
        return self.known_deadline(kind, ref)

    @property
    def today(self) -> date:
        """Today in the jurisdiction's time zone (legal dates are local dates)."""
        return self.now.astimezone(self.timezone).date()

    def set_deadline(self, kind: str, legal_date: date, *, owner: str, title: str,
                     ref: str = "") -> None:
        """Open the legal deadline ``kind`` (one per ``ref``), or move it to a new date."""
        if kind not in DEADLINE_KINDS:
            raise ValueError(f"unknown deadline kind {kind!r}")
        if owner not in ROLES:
            raise ValueError(f"deadline owner {owner!r} is not a role")
        self.effects.append(SetDeadline(kind, ref, legal_date, owner, title, self.element_id))

    def meet_deadline(self, kind: str, on: date, *, ref: str = "") -> None:
        """Record that the action was done on ``on``; after the legal date it is missed."""
        self.effects.append(MeetDeadline(kind, ref, on, self.element_id))

    def cancel_deadline(self, kind: str, *, reason: str, ref: str = "") -> None:
        self.effects.append(CancelDeadline(kind, ref, reason, self.element_id))

    def notify(self, roles: Sequence[str], subject: str, body: str = "") -> None:
        """Tell every holder of ``roles``; never put personal data in the text."""
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise ValueError(f"cannot notify unknown roles {unknown}")
        self.effects.append(Notify(tuple(roles), subject, body, self.element_id))

    def open_case_deadlines(self, within_days: int) -> list[CaseDeadline]:
        """The open legal deadlines of the case's other procedures whose latest safe day
        falls within ``within_days`` of today, or has already passed."""
        return list(self.case_deadlines(self.today + timedelta(days=within_days)))

    def pause_case(self, reason: str) -> None:
        """Suspend the case's other running procedures until :meth:`resume_case`; the
        reason goes into each one's history. Her legal deadlines keep running."""
        self.effects.append(PauseCase(reason, self.element_id))

    def resume_case(self, reason: str) -> None:
        """Resume the procedures this instance's :meth:`pause_case` suspended."""
        self.effects.append(ResumeCase(reason, self.element_id))


class RestrictedScriptEngine(PythonScriptEngine):
    """Evaluates expressions with the whitelist evaluator, refuses scripts, calls handlers.

    ``effects`` collects what successful handlers recorded during this unit of work.
    """

    def __init__(self, handlers: Any, jurisdiction: Jurisdiction, now: datetime,
                 timezone: ZoneInfo, instance_id: int, case_code: str) -> None:
        super().__init__(environment=SafeEnvironment())
        self.handlers = handlers
        self.jurisdiction = jurisdiction
        self.now = now
        self.timezone = timezone
        self.instance_id = instance_id
        self.case_code = case_code
        self.effects: list[Effect] = []
        self.stored_deadline: DeadlineLookup = lambda kind, ref: None
        self.case_deadlines: CaseDeadlinesLookup = lambda until: ()

    def known_deadline(self, kind: str, ref: str = "") -> date | None:
        """The legal date set by this unit of work's effects, else the stored one."""
        for effect in reversed(self.effects):
            if isinstance(effect, SetDeadline) and (effect.kind, effect.ref) == (kind, ref):
                return effect.legal_date
        return self.stored_deadline(kind, ref)

    def validate(self, expression: str) -> None:
        # A decision table asks whether a cell is an expression of its own ("shelter")
        # or a test to put after its input (">= 3"): it tries again on a SyntaxError.
        ast.parse(expression.strip(), mode="eval")
        problem = check_expression(expression)
        if problem:
            raise ExpressionRefused(problem)

    def evaluate(self, task: Task, expression: str | None,
                 external_context: Any = None) -> Any:
        if expression is None:
            return None  # a Camunda message thrown without a payload expression carries none
        try:
            value = self.environment.evaluate(expression, task.data, external_context)
        except ExpressionRefused as exc:
            raise WorkflowTaskException(str(exc), task=task, exception=exc) from exc
        problem = _unfit_value(task.task_spec, expression, value)
        if problem:
            raise WorkflowTaskException(problem, task=task)
        return value

    def execute(self, task: Task, script: str, external_context: Any = None) -> Any:
        raise WorkflowTaskException("scripts are not run by this engine; use a handler", task=task)

    def call_service(self, task: Task, **kwargs: Any) -> Any:
        raise WorkflowTaskException("service calls are made only through registered handlers",
                                    task=task)

    def call_handler(self, task: Task, name: str) -> Mapping[str, Any] | None:
        handler = self.handlers.get(name)
        if handler is None:
            raise LookupError(f"handler {name!r} is not registered")
        context = HandlerContext(
            data=MappingProxyType(dict(task.data)), now=self.now, timezone=self.timezone,
            instance_id=self.instance_id, case_code=self.case_code,
            element_id=task.task_spec.bpmn_id, jurisdiction=self.jurisdiction,
            known_deadline=self.known_deadline, case_deadlines=self.case_deadlines,
        )
        updates = handler(context)
        self.effects.extend(context.effects)  # only reached when the handler succeeded
        return updates


def _unfit_value(spec: Any, expression: str, value: Any) -> str | None:
    """Why a value cannot be used where SpiffWorkflow asked for it (a timer needs ISO
    8601 text, a cardinality a bounded count), or None."""
    definition = getattr(spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition) and definition.expression == expression \
            and not isinstance(value, str):
        return (f"the timer expression {expression!r} must give an ISO 8601 date, "
                f"duration or cycle, not {type(value).__name__}")
    if isinstance(definition, CycleTimerEventDefinition) and definition.expression == expression:
        return cycle_problem(value)
    if getattr(spec, "cardinality", None) == expression:
        count = value if isinstance(value, int) else len(value) \
            if isinstance(value, (list, tuple, dict, str)) else None
        if count is None or not 0 <= count <= MAX_INSTANCES:
            return (f"the cardinality {expression!r} must give a count or a list of at "
                    f"most {MAX_INSTANCES}")
    return None


class _StateConverter(BpmnWorkflowConverter):
    """Writes and reads instance state without the spec: specs come from the cache."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        dct["trail"] = trail_of(workflow).to_dict()
        return dct

    def from_dict(self, dct: dict[str, Any], spec: BpmnProcessSpec | None = None,
                  subprocess_specs: dict[str, BpmnProcessSpec] | None = None) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        workflow.trail = Trail.from_dict(dct.pop("trail", None))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class StateSerializer:
    """Instance state to JSON-ready dicts and back, against a cached spec."""

    def __init__(self) -> None:
        # The state holds the message events an event-based gateway has seen: the
        # serializer must know the Camunda message class and ours.
        config = {**DEFAULT_CONFIG, CamundaMessageEventDefinition: MessageEventDefinitionConverter,
                  CaseMessageEventDefinition: MessageEventDefinitionConverter}
        registry = BpmnWorkflowSerializer.configure(config)
        _StateConverter(BpmnWorkflow, registry)
        self._serializer = BpmnWorkflowSerializer(registry)

    def dump(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = self._serializer.to_dict(workflow)
        dct[BpmnWorkflowSerializer.VERSION_KEY] = self._serializer.VERSION
        return dct

    def load(self, state: Mapping[str, Any], spec: BpmnProcessSpec,
             subprocess_specs: dict[str, BpmnProcessSpec]) -> BpmnWorkflow:
        """Restore a state this engine wrote. SpiffWorkflow's migrations of older formats
        are not run: one of them calls ``eval`` on timer text taken from the state."""
        dct = dict(state)
        version = dct.pop(BpmnWorkflowSerializer.VERSION_KEY, None)
        if version != self._serializer.VERSION:
            raise ValueError(f"workflow state of format {version!r} is not one this engine "
                             f"wrote (format {self._serializer.VERSION})")
        return self._serializer.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)


def workflows(workflow: BpmnWorkflow) -> Iterator[Any]:
    """The top workflow and every subprocess of it."""
    yield workflow
    yield from workflow.subprocesses.values()


def advance(workflow: BpmnWorkflow, log: Callable[[Task], None] | None = None) -> None:
    """Fire due timers and run every engine step until only people or time can move it."""
    workflow.refresh_timers()
    workflow.do_engine_steps(did_complete_task=log)


@dataclass(frozen=True)
class OpenTask:
    """A READY user task as the worklist shows it."""

    spiff_task_id: str
    element_id: str
    title: str
    role: str
    form_key: str
    documentation: str | None
    due_date: date | None
    due_deadline: str | None = None
    """The deadline kind whose latest safe day is the due date (see DEADLINE_DUE)."""


@dataclass(frozen=True)
class WaitingTimer:
    spiff_task_id: str
    element_id: str
    due_at: datetime


@dataclass(frozen=True)
class Incident:
    spiff_task_id: str
    element_id: str
    message: str


@dataclass
class Scan:
    """Open human tasks, waiting timers and incidents, found in one pass over the tree."""

    open_tasks: list[OpenTask]
    timers: list[WaitingTimer]
    incidents: list[Incident]


_WATCHED = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


def scan(workflow: BpmnWorkflow) -> Scan:
    """Read what the projections need; save() calls this once per unit of work."""
    result = Scan([], [], [])
    for wf in workflows(workflow):
        for task in wf.tasks.values():
            if task.state & _WATCHED:
                _classify(task, result)
    return result


def _classify(task: Task, result: Scan) -> None:
    spec = task.task_spec
    if task.state == TaskState.READY and isinstance(spec, HumanTask):
        title, label = spec.bpmn_name or spec.bpmn_id, child_label(task)
        result.open_tasks.append(OpenTask(
            spiff_task_id=str(task.id), element_id=spec.bpmn_id,
            title=f"{title}: {label}" if label else title, role=spec.lane or "",
            form_key=spec.form_key, documentation=spec.documentation,
            due_date=_due_date(task, spec.due_date), due_deadline=due_deadline(spec.due_date),
        ))
    elif task.state == TaskState.WAITING:
        definition = getattr(spec, "event_definition", None)
        if isinstance(definition, MultipleEventDefinition):
            # An event-based gateway keeps the due time of its timer branch as its own.
            definition = next((d for d in definition.event_definitions
                               if isinstance(d, TimerEventDefinition)), None)
        if isinstance(definition, TimerEventDefinition):
            due = _timer_due_at(task, definition)
            if due is not None:
                result.timers.append(WaitingTimer(str(task.id), spec.bpmn_id, due))
    elif task.state in (TaskState.STARTED, TaskState.ERROR):
        message = incident_of(task)
        if message is not None:
            result.incidents.append(Incident(str(task.id), spec.bpmn_id, message))


def incident_of(task: Task) -> str | None:
    """Why a task is stuck: it failed (ERROR), or its handler raised and it waits, STARTED,
    with the message noted in its internal data. None for a task that is not stuck."""
    if task.state not in (TaskState.STARTED, TaskState.ERROR):
        return None
    incident = task._get_internal_data("incident")
    if incident or task.state == TaskState.ERROR:
        return str((incident or {}).get("message", "the task failed"))
    return None


def _due_date(task: Task, expression: str | None) -> date | None:
    """The due date a diagram gives; an expression that cannot be computed yet gives none."""
    if not expression or due_deadline(expression):
        return None
    try:
        value = evaluate(expression, task.data)
    except ExpressionError:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _timer_due_at(task: Task, definition: TimerEventDefinition) -> datetime | None:
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(definition, CycleTimerEventDefinition):
        value = value["next"] if isinstance(value, dict) else None
        return datetime.fromisoformat(value) if value else None
    parsed = TimerEventDefinition.parse_time_or_duration(value)
    return parsed if isinstance(parsed, datetime) else None


def retry_incidents(workflow: BpmnWorkflow,
                    log: Callable[[Task], None] | None = None) -> list[str]:
    """Run again each task that failed; return the element ids retried."""
    retried = []
    for incident in scan(workflow).incidents:
        task = workflow.get_task_from_id(UUID(incident.spiff_task_id))
        task._set_state(TaskState.READY)
        retried.append(incident.element_id)
        run_guarded(workflow, task, log)
    return retried


def run_guarded(workflow: BpmnWorkflow, task: Task | None = None,
                log: Callable[[Task], None] | None = None) -> None:
    """Run ``task`` (if given) and the engine steps; a failing step becomes an incident.

    Spiff marks the failing task ERROR and raises; we keep that state and note the
    message on the task so the instance can be saved, shown and retried.
    """
    try:
        if task is not None:
            task.run()
            if log is not None and task.has_state(TaskState.COMPLETED):
                log(task)
        advance(workflow, log)
    except Exception as exc:  # noqa: BLE001 - a construct SpiffWorkflow mishandles too
        failed = getattr(exc, "task", None) or _unexplained_error(workflow) \
            or _task_in_traceback(exc)
        if failed is None:
            raise
        message = _reason(exc) if isinstance(exc, WorkflowException) \
            else f"the engine could not run this step ({exc.__class__.__name__}: {_reason(exc)})"
        failed._set_internal_data(incident={"message": message,
                                            "type": exc.__class__.__name__})
        if failed.state != TaskState.ERROR:
            failed._set_state(TaskState.ERROR)


def _task_in_traceback(exc: BaseException) -> Task | None:
    """The task SpiffWorkflow was working on when an error that names none was raised
    (a ``TypeError`` deep in a task spec): the innermost frame's ``my_task``."""
    found = None
    trace = exc.__traceback__
    while trace is not None:
        candidate = trace.tb_frame.f_locals.get("my_task")
        if isinstance(candidate, Task):
            found = candidate
        trace = trace.tb_next
    return found


def _reason(exc: Exception) -> str:
    """The first line of why it failed, without SpiffWorkflow's appended notes."""
    text = str(exc.args[0]) if exc.args else str(exc)
    return (text.splitlines() or [exc.__class__.__name__])[0]


def _unexplained_error(workflow: BpmnWorkflow) -> Task | None:
    """The task SpiffWorkflow marked ERROR when an exception named no task (it was raised
    by the script environment, which is not told the task)."""
    for wf in workflows(workflow):
        for candidate in wf.tasks.values():
            if candidate.state == TaskState.ERROR \
                    and not candidate._get_internal_data("incident"):
                return candidate
    return None


def latest_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The process variables as the most recently run task sees them."""
    task = workflow.last_task
    if task is None:
        return dict(workflow.data)
    return dict(task.data)
