"""Drafts of a task's form: save what she typed, come back to it, finish it later.

A long form (the protection plan runs to seventy fields) is rarely filled in one sitting.
A draft keeps the inputs exactly as posted and unchecked (the form checks them when the
task is completed), sealed with the case's key and read only by the actor who saved it.
One draft per actor and task: saving again replaces it. Completing the task drops every
draft of it (engine.services.tasks); erasing the case drops them with her key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from engine.context import EngineContext
from engine.errors import Conflict, ValidationFailed
from engine.kit.texts import translatable
from engine.protection.plain_text import refuse_broken_text
from engine.services.tasks import TaskService
from engine.store.models import HumanTask, TaskDraft
from engine.store.unit_of_work import UnitOfWork
from engine.views import View

DRAFT_LIMIT = 200_000
"""Characters in all inputs of one draft: the longest form filled out in full is a
tenth of it."""


@dataclass(frozen=True)
class DraftView(View):
    task_id: int
    saved_at: datetime
    fields: dict[str, list[str]]
    """Input name -> the values posted, as a form post would give them again."""


class DraftService:
    def __init__(self, ctx: EngineContext, tasks: TaskService) -> None:
        self.ctx = ctx
        self.tasks = tasks

    def save(self, task_id: int, username: str, roles: Iterable[str],
             fields: Mapping[str, list[str]]) -> DraftView:
        """Keep ``fields`` as her draft of an open task of her roles."""
        task = self.tasks.own_task(task_id, roles)
        if task.status != "open":
            raise Conflict(f"task {task_id} is {task.status}: a draft of it is not kept")
        kept = _checked(fields)
        with self.ctx.db.transaction() as session:
            sealed = self.ctx.vault.seal(session, task.case_code, _place(task_id, username),
                                         kept)
            row = session.scalar(select(TaskDraft).where(TaskDraft.task_id == task_id,
                                                         TaskDraft.username == username))
            if row is None:
                row = TaskDraft(task_id=task_id, username=username, case_code=task.case_code)
                session.add(row)
            row.saved_at, row.fields = self.ctx.now(), sealed
            return DraftView(task_id, row.saved_at, kept)

    def draft(self, task_id: int, username: str) -> DraftView | None:
        """Her draft of the task, if she saved one and the task is still open."""
        with self.ctx.db.reading() as session:
            row = session.scalar(select(TaskDraft).join(
                HumanTask, HumanTask.id == TaskDraft.task_id).where(
                TaskDraft.task_id == task_id, TaskDraft.username == username,
                HumanTask.status == "open"))
            if row is None:
                return None
            fields = self.ctx.vault.open(session, row.case_code, _place(task_id, username),
                                         row.fields)
            return DraftView(task_id, row.saved_at, fields)

    def discard(self, task_id: int, username: str) -> None:
        with self.ctx.db.transaction() as session:
            session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id,
                                                    TaskDraft.username == username))

    @staticmethod
    def export(ctx: EngineContext, session: UnitOfWork, code: str) -> list[dict[str, Any]]:
        """Every draft about her, opened, for the export of all that is held about her."""
        rows = session.scalars(select(TaskDraft).where(TaskDraft.case_code == code)
                               .order_by(TaskDraft.id)).all()
        return [{"task": row.task_id, "by": row.username,
                 "saved_at": row.saved_at.isoformat(),
                 "fields": ctx.vault.open(session, code, _place(row.task_id, row.username),
                                          row.fields)} for row in rows]

    @staticmethod
    def erase(session: UnitOfWork, code: str) -> None:
        session.execute(delete(TaskDraft).where(TaskDraft.case_code == code))


def _checked(fields: Mapping[str, Any]) -> dict[str, list[str]]:
    """Input names and their text values; anything else is refused, nothing is kept."""
    if not isinstance(fields, Mapping) or not all(
            isinstance(name, str) and isinstance(values, list)
            and all(isinstance(v, str) for v in values) for name, values in fields.items()):
        raise ValidationFailed("the draft was not saved",
                               {"_form": ["Send the inputs as names with lists of text."]})
    refuse_broken_text(dict(fields), "the draft was not saved")
    if sum(len(name) + sum(len(v) for v in values) for name, values in fields.items()) \
            > DRAFT_LIMIT:
        raise ValidationFailed("the draft was not saved", {"_form": [translatable(
            "A draft holds at most {most} characters; complete the task instead.").format(
                most=DRAFT_LIMIT)]})
    return {name: list(values) for name, values in fields.items()}


def _place(task_id: int, username: str) -> str:
    return f"task draft {task_id} {username}"
