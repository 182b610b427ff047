"""One unit of work on a process instance: load, run, save with projections and audit.

Every change to an instance goes through :meth:`InstanceStore.save`, which writes the
serialized state, the open-task and timer projections and the audit events in the
caller's transaction. The row's ``revision`` is SQLAlchemy's version column: if another
process saved the instance since we read it, the flush updates no row and we raise
:class:`Conflict` instead of overwriting its work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, inspect, select, true, update
from sqlalchemy.orm import defer, joinedload
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from engine.bpmn.compaction import compact
from engine.bpmn.diagrams import HandlerTask
from engine.bpmn.execution import (
    CaseDeadline,
    OpenTask,
    RestrictedScriptEngine,
    Scan,
    StateSerializer,
    WaitingTimer,
    latest_data,
    run_guarded,
    scan,
)
from engine.config import HandlerRegistry
from engine.context import EngineContext
from engine.errors import Conflict, NotFound
from engine.kit.clock import using_clock
from engine.kit.effects import Effect, PauseCase, ResumeCase
from engine.obligations.deadlines import apply_effects, cancel_open_deadlines
from engine.obligations.reminders import ESCALATION_PROCESS
from engine.store.case_jurisdiction import case_jurisdiction
from engine.store.definitions import Definitions
from engine.store.models import (
    CaseRecord,
    HumanTask,
    LegalDeadline,
    ProcessDefinition,
    ProcessInstance,
    Timer,
)
from engine.store.timer_states import BPMN_TIMER, FIRED, PENDING
from engine.store.timer_states import CANCELLED as TIMER_CANCELLED
from engine.store.unit_of_work import UnitOfWork
from engine.store.workflow_cache import WorkflowCache

RUNNING = "running"
WAITING = "waiting"
COMPLETED = "completed"
CANCELLED = "cancelled"
SUSPENDED = "suspended"
INCIDENT = "incident"
STATUSES = (RUNNING, WAITING, COMPLETED, CANCELLED, SUSPENDED, INCIDENT)
"""running: people have tasks open; waiting: only a timer or message can move it."""
RESUMED = "resumed"
"""What :meth:`InstanceStore.set_status` is asked for to let a suspended instance go on."""
_STATUS_EVENTS = {SUSPENDED: "instance_suspended", RESUMED: "instance_resumed",
                  CANCELLED: "instance_cancelled"}


@dataclass
class StepLog:
    """What the engine did during one unit of work, for the audit trail."""

    completed: list[Task] = field(default_factory=list)

    def __call__(self, task: Task) -> None:
        if task.has_state(TaskState.COMPLETED):
            self.completed.append(task)


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k, _MISSING) != after.get(k, _MISSING))


_MISSING = object()
_WITH_CASE = joinedload(ProcessInstance.case).options(defer(CaseRecord.person))


class InstanceStore:
    def __init__(self, ctx: EngineContext, definitions: Definitions,
                 workflows: WorkflowCache, handlers: HandlerRegistry) -> None:
        self.ctx = ctx
        self.handlers = handlers
        self.definitions = definitions
        self.workflows = workflows
        self.serializer = StateSerializer()

    def get(self, session: UnitOfWork, instance_id: int) -> ProcessInstance:
        """The instance row, with its case record (the sealed key) in the same query."""
        row = session.get(ProcessInstance, instance_id, options=[_WITH_CASE])
        if row is None:
            raise NotFound(f"process instance {instance_id} does not exist")
        return row

    def script_engine(self, row: ProcessInstance,
                      session: UnitOfWork | None = None) -> RestrictedScriptEngine:
        place = case_jurisdiction(self.ctx, session, row.case_code) if session is not None \
            else self.ctx.jurisdiction
        engine = RestrictedScriptEngine(self.handlers, place, self.ctx.now(),
                                        self.ctx.timezone, row.id, row.case_code)
        if session is not None and row.id is not None:
            engine.stored_deadline = partial(_stored_deadline, session, row.id)
            engine.case_deadlines = partial(_case_deadlines, session, row.case_code, row.id)
        return engine

    def new_workflow(self, session: UnitOfWork, definition: ProcessDefinition,
                     row: ProcessInstance) -> BpmnWorkflow:
        row.bindings = self.definitions.bind_calls(session, definition) or None
        spec, subprocess_specs = self.definitions.specs(session, definition, row.bindings)
        return BpmnWorkflow(spec, subprocess_specs,
                            script_engine=self.script_engine(row, session))

    def load(self, session: UnitOfWork, row: ProcessInstance) -> BpmnWorkflow:
        """The instance's workflow: the one kept at this revision, else restored from JSON."""
        workflow = self.workflows.take(row.id, row.definition_id, row.revision)
        if workflow is None:
            workflow = self.restore(session, row)
        workflow.script_engine = self.script_engine(row, session)
        return workflow

    def restore(self, session: UnitOfWork, row: ProcessInstance) -> BpmnWorkflow:
        """A fresh workflow from the row's JSON state, for reading only.

        It never takes the workflow kept in memory, which a unit of work may be changing.
        """
        spec, subprocess_specs = self.definitions.specs_for(session, row.definition_id,
                                                            row.bindings)
        state = self.ctx.vault.open(session, row.case_code, "state", row.state)
        return self.serializer.load(state, spec, subprocess_specs)

    def run(self, workflow: BpmnWorkflow, step: Any) -> StepLog:
        """Run ``step(workflow, log)`` with Spiff's timers reading the engine clock."""
        log = StepLog()
        with using_clock(self.ctx.clock):
            step(workflow, log)
        return log

    @staticmethod
    def prefetch_tasks(session: UnitOfWork, instance_ids: list[int]) -> None:
        """Read the open task rows of many instances in one query.

        A timer worker saves a batch of instances in one transaction; each save would
        otherwise query its own rows. Each instance's rows are used by its next save only.
        """
        found: dict[int, list[Any]] = {instance_id: [] for instance_id in instance_ids}
        for task in session.scalars(select(HumanTask).where(
                HumanTask.instance_id.in_(instance_ids), HumanTask.status == "open")):
            found[task.instance_id].append(task)
        for instance_id, rows in found.items():
            keep_for_save(session, instance_id, HumanTask, rows)

    def save(self, session: UnitOfWork, row: ProcessInstance, workflow: BpmnWorkflow,
             actor: str, log: StepLog | None = None, *, flush: bool = True,
             relay: bool = True, scanned: Scan | None = None) -> None:
        """Write state, projections and audit events; raise Conflict if we lost a race.

        The instance row is written first, with its revision check: a unit of work that
        lost the race must stop there, before it writes a projection the winner wrote
        too (a legal deadline is unique per instance, kind and ref), which would fail
        as a duplicate instead of as a conflict.

        ``flush=False`` leaves the writes in the session for a caller that saves many
        instances and writes them together: :func:`write_instances` for the instance
        rows, then one flush (SQLAlchemy sends each table's other rows in one statement),
        both inside :func:`lost_race_is_a_conflict`. That caller holds the rows locked
        (``FOR UPDATE``), so no one else can write their projections meanwhile.

        ``relay=False`` keeps the signals this save finds uncaught to itself: a signal
        crosses from one procedure of the case to the others once (:meth:`_relay_signals`).
        ``scanned`` is the caller's :func:`scan` of the workflow as it is now, when it
        needed one before saving: walking every task of a large workflow costs.
        """
        with session.no_autoflush, lost_race_is_a_conflict(row.id):
            self._save(session, row, workflow, actor, log, write_row=flush, relay=relay,
                       found=scanned or scan(workflow))
            if flush:
                session.flush()

    def _save(self, session: UnitOfWork, row: ProcessInstance, workflow: BpmnWorkflow,
              actor: str, log: StepLog | None, *, write_row: bool, relay: bool,
              found: Scan) -> None:
        # A signal this procedure does not catch itself goes to the case's other
        # procedures (below); whatever else is left uncaught (a permit renewed while no
        # school enrolment runs) is dropped rather than kept, with the copy of her data it
        # carries, in the state.
        uncaught = workflow.get_events()
        now = self.ctx.now()
        vault = self.ctx.vault
        before = vault.open(session, row.case_code, "variables", row.variables) \
            if row.variables else {}
        after = latest_data(workflow)
        if row.status not in (SUSPENDED, CANCELLED):
            row.status = self._status(workflow, found)
        if found.incidents:
            first = found.incidents[0]
            row.incident_element, row.incident_message = first.element_id, first.message
        else:
            row.incident_element = row.incident_message = None
        if row.status in (COMPLETED, CANCELLED) and row.ended_at is None:
            row.ended_at = now
        compact(workflow)  # after the variables and the scan: it removes finished tasks only
        row.state = vault.seal(session, row.case_code, "state", self.serializer.dump(workflow),
                               compress=True)
        row.variables = vault.seal(session, row.case_code, "variables", after)
        row.updated_at = now
        flag_modified(row, "state")  # always UPDATE, so the revision check always runs
        if write_row:
            write_instances(session, [row])
        self.workflows.offer(session, row, workflow)

        engine = workflow.script_engine
        if isinstance(engine, RestrictedScriptEngine) and engine.effects:
            effects, engine.effects = engine.effects, []
            apply_effects(self.ctx, session, row, effects, actor)
            self._pause_or_resume_case(session, row, effects, actor)
        if relay:
            self._relay_signals(session, row, uncaught, actor)
        if row.status == CANCELLED:
            cancel_open_deadlines(self.ctx, session, row, "the procedure was cancelled", actor)
        for task in (log.completed if log else []):
            self._audit_step(session, row, task, actor)
        self._sync_tasks(session, row, found.open_tasks, actor, now)
        self._sync_timers(session, row, found.timers, actor, now)
        if found.incidents:
            for incident in found.incidents:
                session.audit("incident", actor, instance_id=row.id,
                               element_id=incident.element_id, detail=incident.message)
        keys = changed_keys(before, after)
        if keys:
            session.audit("data_changed", actor, instance_id=row.id, data_keys=keys)
        if row.status == COMPLETED and row.ended_at == now:
            session.audit("instance_completed", actor, instance_id=row.id)

    def set_status(self, session: UnitOfWork, row: ProcessInstance, target: str, actor: str,
                   reason: str | None = None, *, paused_by: int | None = None) -> None:
        """Suspend, resume (``RESUMED``) or cancel ``row`` in the caller's unit of work.

        The reason goes into its history, sealed with the case's key: typed text may
        name someone. ``paused_by`` is the instance whose pause of the case suspends this
        one (her disappearance, which resumes it when she reappears); any other change of
        status ends that link, so a procedure resumed or suspended by hand stays as its
        actor left it.
        """
        if row.status in (COMPLETED, CANCELLED):
            raise Conflict(f"process instance {row.id} is {row.status}")
        if target == SUSPENDED and row.status == SUSPENDED:
            raise Conflict(f"process instance {row.id} is already suspended")
        if target == RESUMED and row.status != SUSPENDED:
            raise Conflict(f"process instance {row.id} is not suspended")
        workflow = self.load(session, row)
        log = None
        if target == CANCELLED:
            workflow.cancel()
            row.status = CANCELLED
        elif target == SUSPENDED:
            row.status = SUSPENDED
        else:
            row.status = RUNNING  # recomputed by save()
            log = self.run(workflow, lambda wf, log: run_guarded(wf, None, log))
        row.paused_by = paused_by if target == SUSPENDED else None
        detail = (self.ctx.vault.seal_text(session, row.case_code, "reason", reason)
                  if reason else None)
        session.audit(_STATUS_EVENTS[target], actor, instance_id=row.id,
                       detail=detail)
        self.save(session, row, workflow, actor, log)

    def _pause_or_resume_case(self, session: UnitOfWork, row: ProcessInstance,
                              effects: list[Effect], actor: str) -> None:
        """Apply the pauses and resumes of the case that ``row``'s handlers recorded.

        Pausing suspends every other running or waiting instance of the case, except
        the escalations of legal deadlines (the deadlines keep running, and so must the
        coordinator's answer to them) and other instances of the pausing procedure.
        Resuming lets go on exactly the instances this one paused and that are still
        suspended. Each is locked, then changed as :meth:`set_status` changes it, in
        this unit of work.
        """
        for effect in effects:
            if isinstance(effect, PauseCase):
                targets = self._case_rows(session, row, (RUNNING, WAITING))
                targets = [t for t in targets
                           if t.process_key not in (row.process_key, ESCALATION_PROCESS)]
                target, paused_by = SUSPENDED, row.id
            elif isinstance(effect, ResumeCase):
                targets = [t for t in self._case_rows(session, row, (SUSPENDED,))
                           if t.paused_by == row.id]
                target, paused_by = RESUMED, None
            else:
                continue
            reason = f"{effect.reason} ({row.process_key}, instance {row.id})"
            for other in targets:
                self.set_status(session, other, target, actor, reason, paused_by=paused_by)
            event = "case_paused" if target == SUSPENDED else "case_resumed"
            session.audit(event, actor, instance_id=row.id,
                           element_id=effect.element_id,
                           detail=", ".join(f"{t.process_key} instance {t.id}"
                                            for t in targets) or "no other procedure")

    def _relay_signals(self, session: UnitOfWork, row: ProcessInstance, events: list[BpmnEvent],
                       actor: str) -> None:
        """Deliver the signals ``row`` threw and did not catch to the case's other procedures.

        A signal in BPMN is broadcast; here it reaches only the procedures of the same
        case that wait for it, running or waiting, never another person's. It carries no
        data: the thrower's variables stay in the thrower (a receiver reads what it needs
        from the case's legal deadlines). A receiver's own uncaught signals stop there, so
        two procedures can never echo a signal to each other. Each receiver is locked,
        run and saved in this unit of work, and the delivery is audited on the thrower.
        """
        signals = [e for e in events if isinstance(e.event_definition, SignalEventDefinition)]
        rows = self._listeners(session, row, {e.event_definition.name for e in signals}) \
            if signals else []
        if not rows:
            return
        others = [(other, self.load(session, other)) for other in rows]
        for event in signals:
            name = event.event_definition.name
            heard = [(other, workflow) for other, workflow in others
                     if any(w.event_type == SignalEventDefinition.__name__ and w.name == name
                            for w in workflow.waiting_events())]
            for other, workflow in heard:
                def deliver(wf: BpmnWorkflow, log: StepLog,
                            definition: Any = event.event_definition) -> None:
                    wf.catch(BpmnEvent(definition))
                    run_guarded(wf, None, log)
                log = self.run(workflow, deliver)
                self.save(session, other, workflow, actor, log, relay=False)
            if heard:
                session.audit("signal_delivered", actor, instance_id=row.id,
                               detail=f"{name}: " + ", ".join(
                                   f"{o.process_key} instance {o.id}" for o, _ in heard))

    def _listeners(self, session: UnitOfWork, row: ProcessInstance,
                   names: set[str]) -> list[ProcessInstance]:
        """The case's other running or waiting instances whose version can catch one of
        the signals ``names``, locked until the commit.

        Which versions can is read from their parsed diagrams, before any row is locked
        or any state restored: a procedure that never listens for the signal is neither
        restored nor held, so its actors are not kept waiting by a step elsewhere in the
        case. Whether a listener waits for it at this moment is its workflow's to say.
        """
        candidates = session.execute(_LIVE_OTHERS, {"case_code": row.case_code,
                                                    "instance_id": row.id})
        ids = [c.id for c in candidates
               if names & self.definitions.caught_signals(session, c.definition_id, c.bindings)]
        return self._case_rows(session, row, (RUNNING, WAITING), fresh=False, among=ids) \
            if ids else []

    @staticmethod
    def _case_rows(session: UnitOfWork, row: ProcessInstance, statuses: tuple[str, ...], *,
                   fresh: bool = True, among: list[int] | None = None) -> list[ProcessInstance]:
        """The case's other instances in ``statuses`` (of ``among`` alone, when given),
        locked until the commit.

        ``fresh`` reads again the rows this session already holds. A timer batch holds
        rows it changed and has not written yet, and reading those again would lose the
        change: the signals it relays ask for them as they are, and a row read before
        someone else changed it fails its revision check as a conflict at the save.
        """
        query = (select(ProcessInstance)
                 .where(ProcessInstance.case_code == row.case_code, ProcessInstance.id != row.id,
                        ProcessInstance.status.in_(statuses),
                        ProcessInstance.id.in_(among) if among is not None else true())
                 .order_by(ProcessInstance.id)
                 .with_for_update(of=ProcessInstance))
        if fresh:
            query = query.execution_options(populate_existing=True)
        return list(session.scalars(query))

    @staticmethod
    def _status(workflow: BpmnWorkflow, found: Scan) -> str:
        if workflow.is_completed():
            return COMPLETED
        if found.incidents:
            return INCIDENT
        return RUNNING if found.open_tasks else WAITING

    def _audit_step(self, session: UnitOfWork, row: ProcessInstance, task: Task,
                    actor: str) -> None:
        spec = task.task_spec
        if isinstance(spec, HandlerTask):
            session.audit("handler_completed", actor, instance_id=row.id,
                           element_id=spec.bpmn_id, detail=spec.handler)

    def _sync_tasks(self, session: UnitOfWork, row: ProcessInstance, ready: list[OpenTask],
                    actor: str, now: Any) -> None:
        current = {t.spiff_task_id: t for t in ready}
        existing = _prefetched(session, row.id, HumanTask)
        if existing is None:
            existing = session.scalars(select(HumanTask).where(
                HumanTask.instance_id == row.id, HumanTask.status == "open")).all()
        # Closed in this unit but not flushed yet: the query above still finds them open.
        due = _DeadlineDue(session, row.id)
        for task in (t for t in existing if t.status == "open"):
            fresh = current.pop(task.spiff_task_id, None)
            if fresh is None:
                task.status, task.ended_at = "cancelled", now
                session.audit("task_cancelled", actor, instance_id=row.id,
                               task_id=task.id, element_id=task.element_id)
            else:
                task.due_date, task.legal_date = due.of(fresh)
        created = [
            HumanTask(instance_id=row.id, spiff_task_id=fresh.spiff_task_id,
                      element_id=fresh.element_id, title=fresh.title, role=fresh.role,
                      form_key=fresh.form_key, documentation=fresh.documentation,
                      due_date=due_date, legal_date=legal_date, status="open",
                      created_at=now)
            for fresh, (due_date, legal_date) in ((f, due.of(f)) for f in current.values())
        ]
        session.add_all(created)
        for task in created:
            session.audit("task_created", actor, instance_id=row.id, task=task,
                           element_id=task.element_id, detail=task.role)

    def _sync_timers(self, session: UnitOfWork, row: ProcessInstance, timers: list[WaitingTimer],
                     actor: str, now: Any) -> None:
        """Bring the instance's BPMN timer rows in line with the timers Spiff waits on.

        A pending row whose timer is gone has fired if it was due, and is cancelled if
        not (the task it guarded was completed, or the instance ended).
        """
        if row.status == SUSPENDED:
            return  # its timers wait, unclaimed, until it is resumed
        stopped = row.status in (CANCELLED, COMPLETED)
        waiting = {t.spiff_task_id: t for t in ([] if stopped else timers)}
        pending = _prefetched(session, row.id, Timer)
        if pending is None:
            pending = session.scalars(select(Timer).where(
                Timer.instance_id == row.id, Timer.kind == BPMN_TIMER,
                Timer.status == PENDING)).all()
        for old in (t for t in pending if t.status == PENDING):
            fresh = waiting.pop(old.spiff_task_id or "", None)
            if fresh is not None:
                if old.due_at != fresh.due_at:
                    old.due_at = old.next_attempt_at = fresh.due_at
                continue
            fired = old.due_at < now and row.status != CANCELLED  # as Spiff compares
            old.status = FIRED if fired else TIMER_CANCELLED
            old.fired_at, old.fired_by = (now, actor) if fired else (None, None)
            session.audit("timer_fired" if fired else "timer_cancelled", actor,
                           instance_id=row.id, element_id=old.element_id,
                           detail=old.due_at.isoformat())
        created = [Timer(instance_id=row.id, kind=BPMN_TIMER, spiff_task_id=t.spiff_task_id,
                         element_id=t.element_id, due_at=t.due_at, next_attempt_at=t.due_at,
                         status=PENDING, attempts=0, created_at=now)
                   for t in waiting.values()]
        if created:
            session.add_all(created)
            session.timer_due(min(t.due_at for t in created))


def write_instances(session: UnitOfWork, rows: Sequence[ProcessInstance]) -> None:
    """Write the saved instances of a batch with one UPDATE per set of changed columns.

    The ORM checks a row's revision with an UPDATE of its own, a round trip each, and a
    timer batch saves dozens of instances. Here the rows that changed the same columns
    share one executemany whose WHERE still holds each row to the revision it was read
    at; fewer rows matched than sent is the same lost race the ORM reports. The rows are
    then marked as written, so the flush that follows leaves them alone. A single save
    writes its row here too, before its projections.
    """
    groups: dict[tuple[str, ...], list[tuple[ProcessInstance, dict[str, Any]]]] = {}
    for row in rows:
        state = inspect(row)
        changed = {column.key: state.attrs[column.key].history.added[0]
                   for column in state.mapper.column_attrs
                   if state.attrs[column.key].history.added}
        if not changed:
            continue
        changed.update(revision=row.revision + 1, _id=row.id, _revision=row.revision)
        groups.setdefault(tuple(sorted(changed)), []).append((row, changed))
    for members in groups.values():
        with session.no_autoflush:  # else the ORM would write them first, row by row
            matched = session.execute(_WRITE_INSTANCE,
                                      [values for _, values in members]).rowcount
        with lost_race_is_a_conflict(members[0][0].id if len(members) == 1 else None):
            if matched != len(members):
                raise StaleDataError(f"{len(members)} instance rows sent, {matched} matched")
        for row, values in members:
            for key, value in values.items():
                if not key.startswith("_"):
                    set_committed_value(row, key, value)


def keep_for_save(session: UnitOfWork, instance_id: int, model: type[HumanTask] | type[Timer],
                  rows: list[Any]) -> None:
    """Hand the instance's open task (or pending BPMN timer) rows, already read, to its
    next save, which would otherwise query them again."""
    session.notes.prefetched[(model, instance_id)] = rows


def _prefetched(session: UnitOfWork, instance_id: int, model: type) -> list[Any] | None:
    """The rows kept for this instance's save, once; else None."""
    return session.notes.prefetched.pop((model, instance_id), None)


@contextlib.contextmanager
def lost_race_is_a_conflict(instance_id: int | None = None) -> Iterator[None]:
    """Turn the flush's failed revision check into a Conflict the user can act on."""
    try:
        yield
    except StaleDataError as exc:
        which = f"process instance {instance_id}" if instance_id else "a process instance"
        raise Conflict(f"{which} was changed by someone else; reload and try again") from exc


def _stored_deadline(session: UnitOfWork, instance_id: int, kind: str, ref: str) -> date | None:
    return session.scalar(select(LegalDeadline.legal_date).where(
        LegalDeadline.instance_id == instance_id, LegalDeadline.kind == kind,
        LegalDeadline.ref == ref))


def _case_deadlines(session: UnitOfWork, case_code: str, instance_id: int,
                    until: date) -> list[CaseDeadline]:
    rows = session.scalars(select(LegalDeadline).where(
        LegalDeadline.case_code == case_code, LegalDeadline.instance_id != instance_id,
        LegalDeadline.status == "open", LegalDeadline.latest_safe_day <= until)
        .order_by(LegalDeadline.latest_safe_day, LegalDeadline.id))
    return [CaseDeadline(kind=d.kind, ref=d.ref, title=d.title, owner=d.owner_role,
                         legal_date=d.legal_date, latest_safe_day=d.latest_safe_day,
                         instance_id=d.instance_id) for d in rows]


_WRITE_INSTANCE = update(ProcessInstance.__table__).where(
    ProcessInstance.__table__.c.id == bindparam("_id"),
    ProcessInstance.__table__.c.revision == bindparam("_revision"))
"""Each row held to the revision it was read at; the columns set are the ones sent."""
_LIVE_OTHERS = (select(ProcessInstance.id, ProcessInstance.definition_id,
                       ProcessInstance.bindings)
                .where(ProcessInstance.case_code == bindparam("case_code"),
                       ProcessInstance.id != bindparam("instance_id"),
                       ProcessInstance.status.in_((RUNNING, WAITING))))
"""The case's other live procedures, for a thrown signal: built once."""
_DAYS = (select(LegalDeadline.kind, LegalDeadline.latest_safe_day, LegalDeadline.legal_date)
         .where(LegalDeadline.instance_id == bindparam("instance_id"))
         .order_by(LegalDeadline.status == "open", LegalDeadline.id))
"""Built once, as most saves that open a task run it."""


class _DeadlineDue:
    """Due dates that follow a legal deadline of the case: read once per save, when asked."""

    def __init__(self, session: UnitOfWork, instance_id: int) -> None:
        self.session, self.instance_id = session, instance_id
        self._days: dict[str, tuple[date, date]] | None = None

    def of(self, task: OpenTask) -> tuple[date | None, date | None]:
        """The task's due date and, when it meets a legal deadline, that deadline's legal
        date: the latest safe day first, the legal date beside it."""
        if task.due_deadline is None:
            return task.due_date, None
        if self._days is None:
            # A kind kept once per renewal or review has a row each: the open one counts,
            # else the newest (later rows overwrite earlier ones below).
            rows = self.session.execute(_DAYS, {"instance_id": self.instance_id})
            self._days = {kind: (safe, legal) for kind, safe, legal in rows}
        return self._days.get(task.due_deadline, (None, None))
