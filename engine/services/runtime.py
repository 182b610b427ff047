"""RuntimeService: start instances for a case, read and list them, suspend, cancel, retry."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import defer

from engine.bpmn.compaction import find_task
from engine.bpmn.diagrams import start_form_key
from engine.bpmn.execution import retry_incidents, run_guarded
from engine.config import FormRegistry
from engine.context import EngineContext
from engine.crypto.vault import CaseErased
from engine.errors import BadRequest, Conflict, NotFound, ValidationFailed
from engine.kit.jurisdiction import Jurisdiction, JurisdictionError
from engine.obligations.reminders import ESCALATION_PROCESS
from engine.protection.plain_text import refuse_broken_text
from engine.services.dashboard import read_dashboard, read_trends
from engine.services.diagram_state import DiagramStates
from engine.services.repository import RepositoryService
from engine.services.summaries import (
    after_summary,
    check_page,
    check_status,
    conditions,
    count_instances,
    read_summaries,
)
from engine.services.tasks import load_form, task_view
from engine.store.instances import (
    CANCELLED,
    INCIDENT,
    RESUMED,
    SUSPENDED,
    InstanceStore,
    StepLog,
)
from engine.store.models import (
    CaseRecord,
    HumanTask,
    LegalDeadline,
    ProcessDefinition,
    ProcessInstance,
    Timer,
)
from engine.store.timer_states import FAILED, PENDING
from engine.store.unit_of_work import UnitOfWork
from engine.views import (
    DashboardView,
    DiagramStateView,
    InstanceSummaryView,
    InstanceView,
    TimerView,
    TrendsView,
)

INTERNAL_PROCESSES = frozenset({ESCALATION_PROCESS})
"""Procedures only the engine starts, with the data it alone holds."""


class RuntimeService:
    def __init__(self, ctx: EngineContext, repository: RepositoryService,
                 store: InstanceStore, forms: FormRegistry) -> None:
        self.ctx = ctx
        self.forms = forms
        self.repository = repository
        self.store = store
        self.diagrams = DiagramStates(ctx, self.store)

    def start(self, process_key: str, case_code: str, data: Mapping[str, Any] | None = None,
              *, actor: str = "system", jurisdiction: str | None = None) -> InstanceView:
        """Start the latest version of ``process_key`` for a case and run it to its first wait.

        ``data`` comes from outside (a person, the API, the command line), so it is
        loaded through the procedure's start form like any form, and refused when the
        procedure has none: nothing unchecked, of an unknown kind, enters her case.
        ``jurisdiction`` (a code, ``SI``) is chosen when her case is opened; a case keeps
        it (see :meth:`start_in`).
        """
        if data is not None and not isinstance(data, Mapping):
            raise BadRequest("initial data must be a JSON object")
        refuse_broken_text({"process_key": process_key, "case": case_code},
                           "nothing was started")
        if process_key in INTERNAL_PROCESSES:
            raise BadRequest(f"{process_key} is opened by the engine when a latest safe day "
                             "passes unmet; it cannot be started by hand")
        with self.ctx.db.transaction() as session:
            form_key = self._start_form(session, process_key)
            if form_key is not None:
                data = load_form(self.ctx, self.forms, form_key, data or {}, {},
                                 "nothing was started",
                                 self._form_place(session, case_code, jurisdiction))
            elif data:
                refuse_broken_text({"data": data}, "nothing was started")
                raise ValidationFailed("nothing was started", {"data": [
                    f"{process_key} takes no start data (its start event has no form); "
                    "record what you know in its first task"]})
            return self._view(session, self.start_in(session, process_key, case_code, data,
                                                     actor=actor, jurisdiction=jurisdiction))

    def start_form(self, process_key: str) -> str | None:
        """The form key of the latest version's start form, or None when it takes no data."""
        with self.ctx.db.reading() as session:
            return self._start_form(session, process_key)

    def _start_form(self, session: UnitOfWork, process_key: str) -> str | None:
        definition = self.repository.latest(session, process_key)
        return start_form_key(definition.bpmn_xml, definition.key)

    def start_in(self, session: UnitOfWork, process_key: str, case_code: str,
                 data: Mapping[str, Any] | None = None, *,
                 actor: str = "system", jurisdiction: str | None = None) -> ProcessInstance:
        """Start an instance inside the caller's unit of work (a timer starting one).

        A new case takes ``jurisdiction`` (the deployment's without it). A case keeps its
        own: another is refused once a legal deadline of the case was computed under it.
        """
        if not case_code or not case_code.strip():
            raise BadRequest("a case code is required")
        if data is not None and not isinstance(data, Mapping):
            raise BadRequest("initial data must be a JSON object")
        refuse_broken_text({"case": case_code, "data": data}, "nothing was started")
        definition = self.repository.latest(session, process_key)
        now = self.ctx.now()
        case_code = case_code.strip()
        record = self.ctx.vault.open_case(session, case_code, now)
        self._place_case(session, record, jurisdiction)
        self._refuse_foreign_procedure(definition.key, definition.name or definition.key, record)
        row = ProcessInstance(
            definition_id=definition.id, process_key=definition.key,
            case_code=case_code, status="running", state=b"", variables=b"",
            started_at=now, started_by=actor, updated_at=now,
        )
        session.add(row)
        session.flush()
        workflow = self.store.new_workflow(session, definition, row)
        initial = dict(data or {})
        workflow.task_tree.data.update(initial)  # children inherit it as they run
        log = self.store.run(workflow, lambda wf, log: run_guarded(wf, None, log))
        session.audit("instance_started", actor, instance_id=row.id,
                       data_keys=list(initial),
                       detail=f"{definition.key} version {definition.version}")
        self.store.save(session, row, workflow, actor, log)
        return row

    def _form_place(self, session: UnitOfWork, case_code: str,
                    jurisdiction: str | None) -> Jurisdiction:
        """The jurisdiction whose limits a start form checks: the one asked for, else the
        case's own, else the deployment's."""
        record = session.get(CaseRecord, case_code.strip()) if case_code else None
        return self._asked(jurisdiction or (record.jurisdiction if record is not None
                                            else None))

    def _asked(self, code: str | None) -> Jurisdiction:
        """The jurisdiction a start names; an unknown one refuses the start."""
        try:
            return self.ctx.jurisdiction_of(code)
        except JurisdictionError as exc:
            raise ValidationFailed("nothing was started", {"jurisdiction": [str(exc)]}) from exc

    def _place_case(self, session: UnitOfWork, record: CaseRecord,
                    jurisdiction: str | None) -> None:
        """Record the case's jurisdiction: the one asked for, else the one it has."""
        asked = self._asked(jurisdiction) if jurisdiction else None
        current = self.ctx.jurisdiction_of(record.jurisdiction)
        if asked is not None and asked.code != current.code:
            computed = session.scalar(select(LegalDeadline.id).where(
                LegalDeadline.case_code == record.code).limit(1))
            if computed is not None:
                raise Conflict(f"case {record.code} follows the law of {current.code}: its "
                               "legal deadlines were computed under it, so a procedure of "
                               f"it cannot start under {asked.code}")
            current = asked
        record.jurisdiction = current.code

    def _refuse_foreign_procedure(self, key: str, name: str, record: CaseRecord) -> None:
        """A procedure of one country's law runs only for that country's cases: Slovenia's
        Art. 50 permit is not what a case in Serbia applies for."""
        owners = self.ctx.procedure_owners(key)
        if owners and record.jurisdiction not in owners:
            laws = ", ".join(self.ctx.jurisdiction_of(code).name for code in owners)
            raise ValidationFailed("nothing was started", {"process_key": [
                f"{name} is a procedure of the law of {laws}; case {record.code} "
                f"is a case of {self.ctx.jurisdiction_of(record.jurisdiction).name}"]})

    def start_escalation(self, session: UnitOfWork, deadline: LegalDeadline) -> int:
        """Open the coordinator's escalation task for a deadline whose safe day passed."""
        row = self.start_in(session, ESCALATION_PROCESS, deadline.case_code, {
            "deadline_id": deadline.id, "deadline_kind": deadline.kind,
            "deadline_ref": deadline.ref, "deadline_title": deadline.title,
            "deadline_owner": deadline.owner_role,
            "legal_date": deadline.legal_date.isoformat(),
            "latest_safe_day": deadline.latest_safe_day.isoformat(),
            "source_instance_id": deadline.instance_id,
        }, actor="timer")
        return row.id

    def instance(self, instance_id: int) -> InstanceView:
        with self.ctx.db.reading() as session:
            return self._view(session, self.store.get(session, instance_id))

    def task_instance(self, task_id: int) -> InstanceView:
        """The task's instance with the data as that task sees it; read only.

        A task in a parallel branch or a called procedure works on its own copy of the
        data, which can differ from the instance's latest (:meth:`instance`): its form is
        checked against that copy, and that is what its page shows. A task no longer in
        the workflow shows the latest.
        """
        with self.ctx.db.reading() as session:
            task = session.get(HumanTask, task_id)
            if task is None:
                raise NotFound(f"task {task_id} does not exist")
            row = self.store.get(session, task.instance_id)
            view = self._view(session, row)
            own = find_task(self.store.restore(session, row), UUID(task.spiff_task_id))
        return view if own is None else dataclasses.replace(view, variables=dict(own.data))

    def diagram_state(self, instance_id: int) -> DiagramStateView:
        """What the diagram viewer colours on each process the instance entered: elements
        completed, active and in incident, and the sequence flows taken. Read only."""
        with self.ctx.db.reading() as session:
            return self.diagrams.read(session, self.store.get(session, instance_id))

    def instances(self, *, status: str | None = None, case_code: str | None = None,
                  process_key: str | None = None) -> list[InstanceView]:
        check_status(status)
        with self.ctx.db.reading() as session:
            # Not the state: a listing needs none of its tens of kilobytes per instance.
            query = (select(ProcessInstance).options(defer(ProcessInstance.state))
                     .order_by(ProcessInstance.id))
            if status:
                query = query.where(ProcessInstance.status == status)
            if case_code:
                query = query.where(ProcessInstance.case_code == case_code)
            if process_key:
                query = query.where(ProcessInstance.process_key == process_key)
            return self._views(session, session.scalars(query).all())

    def summaries(self, *, status: str | None = None, process_key: str | None = None,
                  case_code: str | None = None, overdue: bool = False,
                  started_from: date | None = None, started_to: date | None = None,
                  limit: int = 50, offset: int = 0,
                  after: str | None = None) -> list[InstanceSummaryView]:
        """One page of the monitor's instance list, newest first, in one query.

        ``case_code`` matches any part of the code in any case; ``overdue`` keeps the
        instances with an open task past its due date or an open legal deadline past its
        latest safe day; the start dates are days in the engine's time zone, included.
        ``after`` is the cursor of the last instance of the page before
        (:func:`~engine.services.summaries.summary_cursor`).
        """
        check_page(limit, offset)
        where = self._conditions(status, process_key, case_code, overdue, started_from,
                                 started_to)
        if after is not None:
            where.append(after_summary(after, offset))
        with self.ctx.db.reading() as session:
            return read_summaries(session, self.ctx.today(), where, limit=limit,
                                  offset=offset)

    def count_summaries(self, *, status: str | None = None, process_key: str | None = None,
                        case_code: str | None = None, overdue: bool = False,
                        started_from: date | None = None,
                        started_to: date | None = None, cap: int | None = None) -> int:
        """How many instances :meth:`summaries` would list without paging (at most
        ``cap + 1``: more than ``cap``)."""
        where = self._conditions(status, process_key, case_code, overdue, started_from,
                                 started_to)
        with self.ctx.db.reading() as session:
            return count_instances(session, where, cap)

    def _conditions(self, status: str | None, process_key: str | None,
                    case_code: str | None, overdue: bool, started_from: date | None,
                    started_to: date | None) -> list[ColumnElement[bool]]:
        return conditions(today=self.ctx.today(), timezone=self.ctx.timezone, status=status,
                          process_key=process_key, case_code=case_code, overdue=overdue,
                          started_from=started_from, started_to=started_to)

    def dashboard(self) -> DashboardView:
        """Instances by process and status, overdue tasks, incidents, deadlines this week."""
        with self.ctx.db.reading() as session:
            return read_dashboard(self.ctx, session)

    def trends(self) -> TrendsView:
        """Open tasks by role and age, safe days by week ahead, missed deadlines by month."""
        with self.ctx.db.reading() as session:
            return read_trends(self.ctx, session)

    def variables(self, instance_id: int) -> dict[str, Any]:
        return self.instance(instance_id).variables

    def suspend(self, instance_id: int, *, actor: str = "system",
                revision: int | None = None, reason: str | None = None) -> InstanceView:
        """Stop an instance where it is; the reason stays in its history for the team."""
        return self._set_status(instance_id, SUSPENDED, actor, revision, reason)

    def resume(self, instance_id: int, *, actor: str = "system",
               revision: int | None = None, reason: str | None = None) -> InstanceView:
        """Let a suspended instance go on; the reason stays in its history.

        An instance paused while she is missing may be resumed by hand too: it then no
        longer waits for her return.
        """
        return self._set_status(instance_id, RESUMED, actor, revision, reason)

    def cancel(self, instance_id: int, *, actor: str = "system",
               revision: int | None = None, reason: str | None = None) -> InstanceView:
        return self._set_status(instance_id, CANCELLED, actor, revision, reason)

    def _set_status(self, instance_id: int, target: str, actor: str,
                    revision: int | None, reason: str | None = None) -> InstanceView:
        refuse_broken_text({"reason": reason}, "nothing was changed")
        with self.ctx.db.transaction() as session:
            row = self.store.get(session, instance_id)
            check_revision(row, revision)
            self.store.set_status(session, row, target, actor, reason)
            return self._view(session, row)

    def retry(self, instance_id: int, *, actor: str = "system") -> InstanceView:
        """Run the failed handler or step of an instance in incident again."""
        with self.ctx.db.transaction() as session:
            row = self.store.get(session, instance_id)
            if row.status != INCIDENT:
                raise Conflict(f"process instance {instance_id} has no incident "
                               f"(it is {row.status})")
            workflow = self.store.load(session, row)
            retried: list[str] = []

            def step(wf: Any, log: StepLog) -> None:
                retried.extend(retry_incidents(wf, log))

            log = self.store.run(workflow, step)
            reset = session.execute(
                update(Timer).where(Timer.instance_id == row.id, Timer.status == FAILED)
                .values(status=PENDING, attempts=0, next_attempt_at=self.ctx.now())
                .execution_options(synchronize_session=False)).rowcount
            if reset:
                session.audit("timers_retried", actor, instance_id=row.id,
                               detail=f"{reset} failed timer(s) pending again")
            for element in retried:
                session.audit("incident_retried", actor, instance_id=row.id,
                               element_id=element)
            self.store.save(session, row, workflow, actor, log)
            return self._view(session, row)

    def _view(self, session: UnitOfWork, row: ProcessInstance) -> InstanceView:
        return self._views(session, [row], listing=False)[0]

    def _views(self, session: UnitOfWork, rows: Sequence[ProcessInstance], *,
               listing: bool = True) -> list[InstanceView]:
        """Views of many instances with one query each for definitions, tasks and timers.

        In a listing, an instance of an erased case is shown without data (none can be
        read any more); asked for on its own, it raises :class:`CaseErased`.
        """
        if not rows:
            return []
        ids = [row.id for row in rows]
        versions = dict(session.execute(
            select(ProcessDefinition.id, ProcessDefinition.version)
            .where(ProcessDefinition.id.in_({row.definition_id for row in rows}))).all())
        tasks: dict[int, list[HumanTask]] = {i: [] for i in ids}
        for task in session.scalars(select(HumanTask).where(
                HumanTask.instance_id.in_(ids), HumanTask.status == "open")
                .order_by(HumanTask.id)):
            tasks[task.instance_id].append(task)
        timers: dict[int, list[Timer]] = {i: [] for i in ids}
        for timer in session.scalars(select(Timer).where(
                Timer.instance_id.in_(ids), Timer.status == PENDING)
                .order_by(Timer.next_attempt_at, Timer.id)):
            timers[timer.instance_id].append(timer)
        if listing:
            self.ctx.vault.prefetch(session, [row.case_code for row in rows])

        def variables(row: ProcessInstance) -> dict[str, Any]:
            try:
                return self.ctx.vault.open(session, row.case_code, "variables", row.variables)
            except CaseErased:
                if not listing:
                    raise
                return {}

        return [InstanceView(
            id=row.id, process_key=row.process_key,
            version=versions.get(row.definition_id, 0), case_code=row.case_code,
            status=row.status, revision=row.revision, started_at=row.started_at,
            started_by=row.started_by, updated_at=row.updated_at, ended_at=row.ended_at,
            incident_element=row.incident_element, incident_message=row.incident_message,
            variables=variables(row),
            open_tasks=[task_view(t, row) for t in tasks[row.id]],
            timers=[TimerView(element_id=t.element_id, due_at=t.next_attempt_at, kind=t.kind)
                    for t in timers[row.id]],
        ) for row in rows]


def check_revision(row: ProcessInstance, expected: int | None) -> None:
    """Refuse a change made against an older revision than the one stored."""
    if expected is not None and expected != row.revision:
        raise Conflict(f"process instance {row.id} is at revision {row.revision}, "
                       f"not {expected}; reload and try again")
