"""TaskService: the worklist of human tasks; claim, unclaim and complete them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from marshmallow import ValidationError
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    bindparam,
    delete,
    exists,
    or_,
    select,
    true,
)
from sqlalchemy.orm import defer, load_only

from engine.bpmn.compaction import find_task
from engine.bpmn.execution import run_guarded
from engine.config import FormRegistry
from engine.context import EngineContext
from engine.errors import BadRequest, Conflict, EngineError, Forbidden, NotFound, ValidationFailed
from engine.identity.bearers import TOKEN_STATE, Bearer
from engine.identity.users import lanes
from engine.kit.jurisdiction import Jurisdiction
from engine.obligations import consents
from engine.protection.plain_text import refuse_broken_text
from engine.store.case_jurisdiction import case_jurisdiction
from engine.store.instances import CANCELLED, COMPLETED, SUSPENDED, InstanceStore, keep_for_save
from engine.store.keyset import SortKey, continuing, count_of, ordering, write_cursor
from engine.store.models import (
    ApiToken,
    CaseRecord,
    HumanTask,
    ProcessInstance,
    TaskDraft,
    Timer,
    UserAccount,
    UserRole,
)
from engine.store.timer_states import BPMN_TIMER, PENDING
from engine.store.unit_of_work import UnitOfWork
from engine.views import TaskView

TASK_STATUSES = ("open", "completed", "cancelled")


def task_view(task: HumanTask, instance: ProcessInstance) -> TaskView:
    return TaskView(
        id=task.id, instance_id=task.instance_id, case_code=instance.case_code,
        process_key=instance.process_key, element_id=task.element_id, title=task.title,
        role=task.role, form_key=task.form_key, documentation=task.documentation,
        due_date=task.due_date, legal_date=task.legal_date, assignee=task.assignee,
        status=task.status,
        created_at=task.created_at, ended_at=task.ended_at, completed_by=task.completed_by,
    )


Submitted = Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] | None
"""Form data, or a function that reads it with the task's form class."""


def _check_lane(task_id: int, role: str, roles: Iterable[str]) -> None:
    if role not in lanes(roles):
        raise Forbidden(f"task {task_id} is work for the {role} role, "
                        "which is not one of yours")


def check_release(task: TaskView, username: str) -> None:
    """Only she who claimed a task gives it back; the pages, the API and the command
    line ask this before :meth:`TaskService.unclaim`."""
    if task.assignee and task.assignee != username:
        raise Forbidden(f"task {task.id} is claimed by {task.assignee}")


def field_messages(messages: Any) -> dict[str, list[str]]:
    """Flatten marshmallow's error structure to ``field -> [messages]``."""
    if isinstance(messages, list):
        return {"_form": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for name, value in messages.items():
        if isinstance(value, dict):
            for inner, texts in field_messages(value).items():
                flat[f"{name}.{inner}"] = texts
        else:
            flat[name] = [str(v) for v in (value if isinstance(value, list) else [value])]
    return flat


_CASE_ONLY = load_only(ProcessInstance.case_code, ProcessInstance.process_key)
"""What a task view needs of its instance: not the state, tens of kilobytes of JSON."""


def _case_of(session: UnitOfWork, task: HumanTask) -> ProcessInstance:
    instance = session.get(ProcessInstance, task.instance_id, options=[_CASE_ONLY])
    assert instance is not None, task.instance_id
    return instance


_TASK_ID = bindparam("task_id")
_TOKEN = TOKEN_STATE.where(ApiToken.id == bindparam("token_id", type_=Integer)).subquery()
_OPEN_WITH_INSTANCE = (
    select(HumanTask, ProcessInstance, Timer, CaseRecord,
           exists().where(TaskDraft.task_id == _TASK_ID).label("drafted"), _TOKEN)
    .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
    .join(CaseRecord, CaseRecord.code == ProcessInstance.case_code)
    .outerjoin(Timer, and_(Timer.instance_id == ProcessInstance.id,
                           Timer.kind == BPMN_TIMER, Timer.status == PENDING))
    .outerjoin(_TOKEN, true())
    .where(HumanTask.instance_id == select(HumanTask.instance_id)
           .where(HumanTask.id == _TASK_ID).scalar_subquery(),
           or_(HumanTask.id == _TASK_ID, HumanTask.status == "open"))
    .options(defer(ProcessInstance.state), defer(CaseRecord.person))
)
"""A task, its instance and case record, the instance's other open tasks and pending BPMN
timers, whether a draft of it is kept, and the standing of the API token that asks
(``token_id``, None for none): built once, as every completion runs it."""


def _distinct(rows: Iterable[Any]) -> list[Any]:
    """Each row once, in the order first seen (a join repeats them)."""
    return list(dict.fromkeys(rows))


def form_class(forms: FormRegistry, form_key: str) -> Any:
    """The schema registered under ``form_key``; an engine error if a diagram names none."""
    schema = forms.get(form_key)
    if schema is None:
        raise EngineError(f"form {form_key!r} is not registered")
    return schema


def load_form(ctx: EngineContext, forms: FormRegistry, form_key: str,
              data: Mapping[str, Any], variables: Mapping[str, Any],
              refused: str, jurisdiction: Jurisdiction | None = None) -> dict[str, Any]:
    """``data`` loaded through the form ``form_key``, JSON-ready (dates as ISO strings);
    :class:`ValidationFailed` with ``refused`` and the messages by field otherwise.
    ``jurisdiction`` is the case's, whose limits the form checks (the deployment's)."""
    return load_schema(ctx, form_class(forms, form_key), data, variables, refused,
                       jurisdiction)


def load_schema(ctx: EngineContext, form: Any, data: Mapping[str, Any],
                variables: Mapping[str, Any], refused: str,
                jurisdiction: Jurisdiction | None = None) -> dict[str, Any]:
    """:func:`load_form` with the form class already looked up."""
    refuse_broken_text(data, refused)
    schema = form(variables=variables, today=ctx.today(),
                  jurisdiction=jurisdiction or ctx.jurisdiction)
    try:
        loaded = schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed(refused, field_messages(exc.messages)) from exc
    return schema.dump(loaded)


TASK_SORTS = ("due", "task", "case", "procedure", "role", "claimed", "created")
"""What a list of tasks is sorted by; ``-`` before one reverses it."""


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks a list shows: every field given narrows it."""

    role: str | None = None
    roles: Iterable[str] | None = None
    """Of any of these roles: a worklist."""
    assignee: str | None = None
    claimed: bool | None = None
    """Claimed by someone (True) or by nobody (False)."""
    status: str = "open"
    instance_id: int | None = None
    process_key: str | None = None
    case_code: str | None = None
    """Part of the case code, in any case."""
    due_after: date | None = None
    due_before: date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        refuse_broken_text({"case": self.case_code, "procedure": self.process_key,
                            "role": self.role, "assignee": self.assignee},
                           "nothing was listed")
        if self.status not in TASK_STATUSES:
            raise BadRequest(f"unknown task status {self.status!r}; one of: "
                             f"{', '.join(TASK_STATUSES)}")
        conditions = [HumanTask.status == self.status]
        if self.role:
            conditions.append(HumanTask.role == self.role)
        if self.roles is not None:
            conditions.append(HumanTask.role.in_(list(self.roles)))
        if self.assignee:
            conditions.append(HumanTask.assignee == self.assignee)
        if self.claimed is not None:
            conditions.append(HumanTask.assignee.is_not(None) if self.claimed
                              else HumanTask.assignee.is_(None))
        if self.instance_id is not None:
            conditions.append(HumanTask.instance_id == self.instance_id)
        if self.due_after is not None:
            conditions.append(HumanTask.due_date >= self.due_after)
        if self.due_before is not None:
            conditions.append(HumanTask.due_date <= self.due_before)
        instance = []
        if self.process_key:
            instance.append(ProcessInstance.process_key == self.process_key)
        if self.case_code and self.case_code.strip():
            instance.append(ProcessInstance.case_code.icontains(self.case_code.strip(),
                                                                autoescape=True))
        if instance:
            conditions.append(HumanTask.instance_id.in_(
                select(ProcessInstance.id).where(*instance)))
        return conditions


_SORT_COLUMNS: dict[str, tuple[Any, str, str]] = {
    # sort name: the column, how a cursor writes its value, the TaskView field holding it
    "due": (HumanTask.due_date, "date", "due_date"),
    "task": (HumanTask.title, "str", "title"),
    "case": (ProcessInstance.case_code, "str", "case_code"),
    "procedure": (ProcessInstance.process_key, "str", "process_key"),
    "role": (HumanTask.role, "str", "role"),
    "claimed": (HumanTask.assignee, "str", "assignee"),
    "created": (HumanTask.created_at, "datetime", "created_at"),
}
_BY_DUE = SortKey(HumanTask.due_date, "date", nullable=True)
_BY_ID = SortKey(HumanTask.id)


def _keys(sort: str) -> list[SortKey]:
    """The order of ``sort``: its column, then the due date (undated last), then the id."""
    name = sort.removeprefix("-")
    if name not in TASK_SORTS:
        raise BadRequest(f"unknown sort {sort!r}; one of: {', '.join(TASK_SORTS)}")
    if sort == "due":
        return [_BY_DUE, _BY_ID]
    column, kind, _ = _SORT_COLUMNS[name]
    nullable = name in ("due", "claimed")
    return [SortKey(column, kind, sort.startswith("-"), nullable), _BY_DUE, _BY_ID]


def task_cursor(task: TaskView, sort: str = "due") -> str:
    """Where the list sorted by ``sort`` goes on after ``task``: give it back as
    ``after`` for the next page."""
    fields = [_SORT_COLUMNS[sort.removeprefix("-")][2]] if sort != "due" else []
    values = [getattr(task, name) for name in (*fields, "due_date", "id")]
    return write_cursor(sort, values)


class TaskService:
    def __init__(self, ctx: EngineContext, store: InstanceStore, forms: FormRegistry) -> None:
        self.ctx = ctx
        self.forms = forms
        self.store = store

    def tasks(self, *, limit: int | None = None, offset: int = 0, sort: str = "due",
              after: str | None = None, **filters: Any) -> list[TaskView]:
        """Tasks matching ``filters`` (see :class:`TaskFilter`), by due date (undated
        last) unless ``sort`` names another column (``-`` before it reverses it).

        A page is chosen by task id first, from the ``(status, role, due_date, id)``
        index alone, and only its rows are then read: sorting the thousands of tasks of a
        worklist as whole rows (the documentation of each is long) would read them all.
        Of each instance only the case code and process key are read: its state is tens
        of kilobytes of JSON, and a page of tasks would otherwise fetch and parse it for
        every row.

        ``after`` is the cursor of the last task of the page before (:func:`task_cursor`).
        """
        conditions = TaskFilter(**filters).conditions()
        keys = _keys(sort)
        order = ordering(keys)
        if after is not None:
            conditions.append(continuing(after, offset, sort, keys))
        if limit is not None or offset:
            page = select(HumanTask.id)
            if sort.removeprefix("-") in ("case", "procedure"):  # sorted by the instance's
                page = page.join(ProcessInstance,
                                 HumanTask.instance_id == ProcessInstance.id)
            page = page.where(*conditions).order_by(*order).offset(offset).limit(limit)
            conditions = [HumanTask.id.in_(page)]
        query = (select(HumanTask, ProcessInstance)
                 .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                 .where(*conditions)
                 .options(_CASE_ONLY)
                 .order_by(*order))
        with self.ctx.db.reading() as session:
            return [task_view(t, i) for t, i in session.execute(query).all()]

    def count(self, *, cap: int | None = None, **filters: Any) -> int:
        """How many tasks :meth:`tasks` would list without paging; with ``cap``,
        counting stops after ``cap + 1`` (more than ``cap``), as a role's backlog of many
        thousands costs more to count than the page it numbers.

        The task table alone where no filter is on the instance: every task has its
        instance (a foreign key that is never null), so a join would drop no row and
        would only cost time.
        """
        conditions = TaskFilter(**filters).conditions()
        with self.ctx.db.reading() as session:
            return session.scalar(count_of(select(HumanTask.id).where(*conditions), cap)) or 0

    def answers(self, task_id: int, names: Iterable[str]) -> dict[str, Any]:
        """What a completed task recorded for ``names``, as its own data holds it: a
        called procedure keeps its data apart until it ends. A training's debrief compares
        them with the expected answers; nothing else is read."""
        with self.ctx.db.reading() as session:
            task = self._get(session, task_id)
            if task.status != "completed":
                raise Conflict(f"task {task_id} is {task.status}, not completed")
            workflow = self.store.restore(session, self.store.get(session, task.instance_id))
            spiff_task = find_task(workflow, UUID(task.spiff_task_id))
            data = spiff_task.data if spiff_task is not None else {}
            return {name: data.get(name) for name in names}

    def task(self, task_id: int) -> TaskView:
        with self.ctx.db.reading() as session:
            task = self._get(session, task_id)
            return task_view(task, _case_of(session, task))

    def own_task(self, task_id: int, roles: Iterable[str]) -> TaskView:
        """The task, if it exists (NotFound) and lies in a lane of ``roles`` (Forbidden).

        The one rule of the pages, the API and the command line: an actor sees, claims
        and completes only the tasks of her own roles.
        """
        task = self.task(task_id)
        _check_lane(task_id, task.role, roles)
        return task

    def form(self, form_key: str) -> Any:
        return form_class(self.forms, form_key)

    def claim(self, task_id: int, user: str) -> TaskView:
        if not user:
            raise BadRequest("say who claims the task")
        with self.ctx.db.transaction() as session:
            task = self._open(session, task_id)
            if task.assignee == user:
                raise Conflict(f"task {task_id} is already claimed by {user}")
            if task.assignee:
                raise Conflict(f"task {task_id} is claimed by {task.assignee}")
            task.assignee, task.claimed_at = user, self.ctx.now()
            session.audit("task_claimed", user, instance_id=task.instance_id,
                           task_id=task.id, element_id=task.element_id)
            return task_view(task, _case_of(session, task))

    def unclaim(self, task_id: int, user: str) -> TaskView:
        with self.ctx.db.transaction() as session:
            task = self._open(session, task_id)
            if not task.assignee:
                raise Conflict(f"task {task_id} is not claimed")
            previous, task.assignee, task.claimed_at = task.assignee, None, None
            session.audit("task_unclaimed", user, instance_id=task.instance_id,
                           task_id=task.id, element_id=task.element_id, detail=previous)
            return task_view(task, _case_of(session, task))

    def assign(self, task_id: int, assignee: str, *, by: str, reason: str) -> TaskView:
        """Hand an open task to a named actor of its lane: a coordinator reassigning it,
        or delegating it to a colleague. Why goes into its history, sealed with the
        case's key (typed text may speak of her); who had it and who has it now is
        there beside it. An actor without the task's role, or not active, is refused."""
        refuse_broken_text({"assignee": assignee, "reason": reason}, "nothing was changed")
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationFailed("nothing was changed", {"reason": [
                "Say why the task is handed over: the history keeps it."]})
        with self.ctx.db.transaction() as session:
            task = self._open(session, task_id)
            holder = session.scalar(select(UserAccount).where(
                UserAccount.username == assignee, UserAccount.active.is_(True)))
            lanes = set(session.scalars(select(UserRole.role).where(
                UserRole.user_id == holder.id))) if holder is not None else set()
            if task.role not in lanes:
                raise ValidationFailed("nothing was changed", {"assignee": [
                    f"{assignee} is not an active user with the role {task.role} of "
                    "this task"]})
            if task.assignee == assignee:
                raise Conflict(f"task {task_id} is already claimed by {assignee}")
            instance = _case_of(session, task)
            session.audit("task_reassigned", by, instance_id=task.instance_id,
                          task_id=task.id, element_id=task.element_id,
                          detail=self.ctx.vault.seal_text(
                              session, instance.case_code, "reason",
                              f"{task.assignee or '-'} -> {assignee}: {reason.strip()}"))
            task.assignee, task.claimed_at = assignee, self.ctx.now()
            return task_view(task, instance)

    def complete(self, task_id: int, user: str, data: Submitted,
                 *, revision: int | None = None,
                 roles: Iterable[str] | None = None,
                 bearer: Bearer | None = None) -> TaskView:
        """Validate ``data`` with the task's form, merge it and run the engine.

        State, projections and audit events are saved in one transaction guarded by the
        instance revision; a form error or a lost race changes nothing. With ``roles``,
        the task must lie in one of their lanes (:meth:`own_task`), checked on the row the
        completion reads. With ``bearer`` (an API token read from a cache), the token is
        checked again in the same transaction and her roles are the ones it finds.
        ``data`` may be a function of the task's form that reads the submitted fields
        with it (a page's form post), so the task is read only here.
        """
        if not user:
            raise BadRequest("say who completes the task")
        try:
            return self._complete(task_id, user, data, revision, roles, bearer)
        except Conflict as lost:
            closed = self._closed_meanwhile(task_id)
            if closed is None:
                raise
            raise closed from lost

    def _closed_meanwhile(self, task_id: int) -> Conflict | None:
        """A lost race told as the loser would be told had she come a moment later.

        Two completions read the task open at once; the loser finds out at the revision
        check (or finds the workflow moved on), and would otherwise be told only that the
        instance changed. If the winner closed this very task, that is what she hears, on
        every database alike (SQLite's writers take turns and always tell it so).
        """
        with self.ctx.db.reading() as session:
            status = session.scalar(select(HumanTask.status).where(HumanTask.id == task_id))
        if status is None or status == "open":
            return None
        return Conflict(f"task {task_id} is already {status}")

    def _complete(self, task_id: int, user: str, data: Submitted, revision: int | None,
                  roles: Iterable[str] | None, bearer: Bearer | None) -> TaskView:
        with self.ctx.db.transaction() as session:
            task, instance, drafted = self._open_with_instance(session, task_id, roles, bearer)
            if task.assignee and task.assignee != user:
                raise Conflict(f"task {task_id} is claimed by {task.assignee}")
            if revision is not None and revision != instance.revision:
                raise Conflict(f"process instance {instance.id} is at revision "
                               f"{instance.revision}, not {revision}; reload and try again")
            if instance.status == SUSPENDED and instance.paused_by is not None:
                raise Conflict(f"process instance {instance.id} is suspended while she is "
                               f"missing (the case is paused by instance "
                               f"{instance.paused_by}); its tasks wait until she reappears "
                               "or a coordinator resumes it; nothing was changed")
            if instance.status in (SUSPENDED, CANCELLED, COMPLETED):
                raise Conflict(f"process instance {instance.id} is {instance.status}")
            workflow = self.store.load(session, instance)
            spiff_task = find_task(workflow, UUID(task.spiff_task_id))
            if spiff_task is None or spiff_task.state != TaskState.READY:
                raise Conflict(f"task {task_id} is no longer waiting for input")
            form = self.form(task.form_key)
            # The task's own data: in parallel branches it can differ from the latest.
            clean = self._validate(form, data(form) if callable(data) else data,
                                   spiff_task.data,
                                   case_jurisdiction(self.ctx, session, instance.case_code))
            consents.on_task_completed(self.ctx, self.forms, session, instance, task, form,
                                       clean, user)
            spiff_task.data.update(clean)
            if drafted:  # drafts of it are not kept aside once it is done (services.drafts)
                session.execute(delete(TaskDraft).where(TaskDraft.task_id == task.id))
            task.status, task.ended_at, task.completed_by = "completed", self.ctx.now(), user
            task.assignee = task.assignee or user
            session.audit("task_completed", user, instance_id=instance.id,
                           task_id=task.id, element_id=task.element_id, data_keys=list(clean))
            log = self.store.run(workflow, lambda wf, log: run_guarded(wf, spiff_task, log))
            self.store.save(session, instance, workflow, user, log)
            return task_view(task, instance)

    def validate(self, form_key: str, data: Any, variables: Mapping[str, Any]) -> dict[str, Any]:
        """Load ``data`` through the form and return it JSON-ready (dates as ISO strings)."""
        return self._validate(self.form(form_key), data, variables)

    def _validate(self, form: Any, data: Any, variables: Mapping[str, Any],
                  jurisdiction: Jurisdiction | None = None) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise ValidationFailed("the submitted data must be an object of fields",
                                   {"_form": ["Send the form fields as a JSON object."]})
        return load_schema(self.ctx, form, data, variables, "the form has errors",
                           jurisdiction)

    def _get(self, session: UnitOfWork, task_id: int) -> HumanTask:
        task = session.get(HumanTask, task_id)
        if task is None:
            raise NotFound(f"task {task_id} does not exist")
        return task

    def _open_with_instance(self, session: UnitOfWork, task_id: int,
                            roles: Iterable[str] | None, bearer: Bearer | None
                            ) -> tuple[HumanTask, ProcessInstance, bool]:
        """The open task and its instance, read in one query, and whether a draft of it
        is kept.

        The same query reads the instance's other open tasks and its pending BPMN timers
        (a handful of rows each, joined), which the save compares with what Spiff waits
        on; a round trip to the database costs more than the few repeated columns. With
        ``bearer``, it reads the token's standing too, and her roles are the ones it
        gives (:meth:`Bearer.roles_now`). The state is left in the database: it is
        fetched only if the workflow kept in memory is not at the row's revision.
        """
        found = session.execute(_OPEN_WITH_INSTANCE, {
            "task_id": task_id, "token_id": bearer.token_id if bearer else None}).all()
        if bearer is not None:  # a revoked token learns nothing, not even of the task
            roles = bearer.roles_now(session, found[0] if found else None)
        task = next((row[0] for row in found if row[0].id == task_id), None)
        if task is None:
            raise NotFound(f"task {task_id} does not exist")
        if roles is not None:
            _check_lane(task_id, task.role, roles)
        if task.status != "open":
            raise Conflict(f"task {task_id} is already {task.status}")
        instance = found[0][1]
        self.ctx.vault.open_key_of(session, found[0][3])  # its case record, read alongside
        keep_for_save(session, instance.id, HumanTask, _distinct(row[0] for row in found))
        keep_for_save(session, instance.id, Timer, _distinct(row[2] for row in found if row[2]))
        return task, instance, found[0].drafted

    def _open(self, session: UnitOfWork, task_id: int) -> HumanTask:
        task = self._get(session, task_id)
        if task.status != "open":
            raise Conflict(f"task {task_id} is already {task.status}")
        return task
