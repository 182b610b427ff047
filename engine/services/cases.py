"""CaseService: a person's case, seen across all the procedures run for her.

Every instance carries the case code of the person it is for; the victim-protection
procedure, its escalations and any procedure started on its own for her share it. The
case pages group them, so a coordinator or legal adviser sees one person, not one
diagram at a time.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import load_only

from engine.context import EngineContext
from engine.errors import BadRequest, NotFound
from engine.obligations.deadlines import deadline_view
from engine.protection.plain_text import refuse_broken_text
from engine.services.summaries import check_page, read_summaries
from engine.services.tasks import task_view
from engine.store.instances import CANCELLED, COMPLETED
from engine.store.keyset import SortKey, continuing, count_of, ordering, write_cursor
from engine.store.models import CaseRecord, HumanTask, LegalDeadline, ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import CaseSummaryView, CaseView

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""No 0/O or 1/I: a code is read aloud on the phone."""
NEW_CODE = re.compile(rf"[A-Z]{{2}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}")


def new_code(country: str) -> str:
    """A pseudonymous code like SI-7K3Q-9F2M: random, never derived from the person, and
    no running number that tells how many victims an office has had."""
    part = lambda: "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))  # noqa: E731
    return f"{country.upper()[:2]}-{part()}-{part()}"


class CaseService:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def check_new_code(self, code: str) -> None:
        """Refuse a code for a new case that is not of the random form: a number that
        counts cases, or a name, would tell what a code must never tell."""
        refuse_broken_text({"case": code}, "nothing was started")
        with self.ctx.db.reading() as session:
            if session.get(CaseRecord, code) is not None:
                return  # a case she already has: another procedure for her
        if not NEW_CODE.fullmatch(code):
            raise BadRequest(f"a new case needs a random code like {new_code('SI')} "
                             "(two letters, then twice four of 2-9 and A-Z without I and O), "
                             "never a running number or anything of hers: leave it out "
                             "and one is made")

    def cases(self, *, code_contains: str | None = None, limit: int = 50, offset: int = 0,
              after: str | None = None) -> list[CaseSummaryView]:
        """One page of cases, the most recently active first, in three queries.

        ``code_contains`` matches any part of the code, in any case. ``after`` is the
        cursor of the last case of the page before (:func:`case_cursor`). The page is
        read from the cases along their last activity; only its own cases' instances,
        tasks and deadlines are counted.
        """
        check_page(limit, offset)
        where = [CaseRecord.last_active_at.is_not(None), *_code_filter(code_contains)]
        if after is not None:
            where.append(after_case(after, offset))
        query = (select(CaseRecord.code, CaseRecord.last_active_at).where(*where)
                 .order_by(*ordering(LAST_ACTIVE_FIRST)).limit(limit).offset(offset))
        running = ProcessInstance.status.not_in((COMPLETED, CANCELLED))
        with self.ctx.db.reading() as session:
            page = session.execute(query).all()
            codes = [code for code, _ in page]
            if not codes:
                return []
            counts = {code: (count, active) for code, count, active in session.execute(
                select(ProcessInstance.case_code, func.count(ProcessInstance.id),
                       func.sum(case((running, 1), else_=0)))
                .where(ProcessInstance.case_code.in_(codes))
                .group_by(ProcessInstance.case_code))}
            tasks = _open_tasks_by_case(session, codes)
            safe_days = {code: day for code, day in session.execute(
                select(LegalDeadline.case_code, func.min(LegalDeadline.latest_safe_day))
                .where(LegalDeadline.status == "open", LegalDeadline.case_code.in_(codes))
                .group_by(LegalDeadline.case_code))}
        return [CaseSummaryView(code=code, instances=counts.get(code, (0, 0))[0],
                                running=int(counts.get(code, (0, 0))[1] or 0),
                                open_tasks=tasks.get(code, 0),
                                next_safe_day=safe_days.get(code), updated_at=last)
                for code, last in page]

    def count(self, *, code_contains: str | None = None, cap: int | None = None) -> int:
        """How many cases :meth:`cases` would list without paging; with ``cap``, counting
        stops after ``cap + 1`` (more than ``cap``)."""
        matching = select(CaseRecord.code).where(CaseRecord.last_active_at.is_not(None),
                                                 *_code_filter(code_contains))
        with self.ctx.db.reading() as session:
            return session.scalar(count_of(matching, cap)) or 0

    def jurisdictions(self, codes: Iterable[str]) -> dict[str, str]:
        """The jurisdiction of each case (``SI``), in one read: a list's role labels and
        flags follow each case's law."""
        wanted = sorted({c for c in codes if c})
        if not wanted:
            return {}
        with self.ctx.db.reading() as session:
            found = dict(session.execute(select(CaseRecord.code, CaseRecord.jurisdiction)
                                         .where(CaseRecord.code.in_(wanted))).all())
        default = self.ctx.jurisdiction.code
        return {code: found.get(code) or default for code in wanted}

    def case(self, code: str) -> CaseView:
        """Every procedure of one person (in the order they started), her open tasks by
        due date, and all her legal deadlines (met and cancelled ones too)."""
        if not isinstance(code, str) or not code.strip():
            raise BadRequest("a case code is required")
        code = code.strip()
        today = self.ctx.today()
        with self.ctx.db.reading() as session:
            instances = read_summaries(session, today, [ProcessInstance.case_code == code],
                                       oldest_first=True)
            if not instances:
                raise NotFound(f"case {code!r} has no procedure")
            tasks = session.execute(
                select(HumanTask, ProcessInstance)
                .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                .where(ProcessInstance.case_code == code, HumanTask.status == "open")
                .order_by(HumanTask.due_date.is_(None), HumanTask.due_date, HumanTask.id)
                .options(load_only(ProcessInstance.case_code, ProcessInstance.process_key)))
            open_tasks = [task_view(task, instance) for task, instance in tasks]
            deadlines = [deadline_view(self.ctx, row, today) for row in session.scalars(
                select(LegalDeadline).where(LegalDeadline.case_code == code)
                .order_by(LegalDeadline.latest_safe_day, LegalDeadline.id))]
        return CaseView(code=code, instances=instances, open_tasks=open_tasks,
                        deadlines=deadlines)

    def last_completed(self, code: str, element_ids: Iterable[str]) -> dict[str, int]:
        """The task last completed in her case at each of ``element_ids``, by element:
        where a decision about her was recorded (her formal identification, say)."""
        wanted = list(element_ids)
        with self.ctx.db.reading() as session:
            rows = session.execute(
                select(HumanTask.element_id, HumanTask.id)
                .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                .where(ProcessInstance.case_code == code, HumanTask.status == "completed",
                       HumanTask.element_id.in_(wanted))
                .order_by(HumanTask.ended_at, HumanTask.id)).all()
        return dict(rows)  # the last one of each element wins


LAST_ACTIVE_FIRST = (SortKey(CaseRecord.last_active_at, "datetime", descending=True),
                     SortKey(CaseRecord.code, "str", descending=True))
"""The case list's order: the case whose procedures moved last first."""


def after_case(cursor: str, offset: int = 0) -> ColumnElement[bool]:
    """The cases listed after the one ``cursor`` names (:func:`case_cursor`)."""
    return continuing(cursor, offset, "active", LAST_ACTIVE_FIRST)


def case_cursor(summary: CaseSummaryView) -> str:
    """Where the case list goes on after ``summary``: give it back as ``after``."""
    return write_cursor("active", [summary.updated_at, summary.code])


def _code_filter(code_contains: str | None) -> list[ColumnElement[bool]]:
    if code_contains is not None and not isinstance(code_contains, str):
        raise BadRequest(f"code_contains must be text, not {code_contains!r}")
    refuse_broken_text({"code": code_contains}, "nothing was listed")
    if code_contains and code_contains.strip():
        return [CaseRecord.code.icontains(code_contains.strip(), autoescape=True)]
    return []


def _open_tasks_by_case(session: UnitOfWork, codes: list[str]) -> dict[str, int]:
    return {code: count for code, count in session.execute(
        select(ProcessInstance.case_code, func.count(HumanTask.id))
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.status == "open", ProcessInstance.case_code.in_(codes))
        .group_by(ProcessInstance.case_code))}
