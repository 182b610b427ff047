"""Instance summaries: the rows of the monitor's list, the dashboard and a case page.

A summary is read from the instance row and the task and deadline projections in one
statement per page, never from the serialized state: the list must stay fast with tens
of thousands of instances.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, CompoundSelect, func, or_, select, union

from engine.errors import BadRequest
from engine.protection.plain_text import refuse_broken_text
from engine.store.instances import STATUSES
from engine.store.keyset import SortKey, continuing, count_of, write_cursor
from engine.store.models import HumanTask, LegalDeadline, ProcessDefinition, ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import InstanceSummaryView

MAX_PAGE = 500


def check_page(limit: int, offset: int) -> None:
    """A page is 1 to 500 rows from a non-negative offset."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_PAGE}, not {limit!r}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise BadRequest(f"offset must be a whole number of at least 0, not {offset!r}")


def check_status(status: str | None) -> None:
    """An unknown status is refused with the list of those that exist."""
    if status is not None and status not in STATUSES:
        raise BadRequest(f"unknown status {status!r}; one of: {', '.join(STATUSES)}")


def overdue_instances(today: date) -> CompoundSelect:
    """The ids of instances with an open task past its due date or an open legal deadline
    past its latest safe day (its legal date may have passed too: it is being missed).

    The filter reads them once, as a set; a page's own flags are looked up row by row.
    """
    return union(
        select(HumanTask.instance_id).where(HumanTask.status == "open",
                                            HumanTask.due_date < today),
        select(LegalDeadline.instance_id).where(LegalDeadline.status == "open",
                                                LegalDeadline.latest_safe_day < today),
    )


def conditions(*, today: date, timezone: ZoneInfo, status: str | None = None,
               process_key: str | None = None, case_code: str | None = None,
               overdue: bool = False, started_from: date | None = None,
               started_to: date | None = None) -> list[ColumnElement[bool]]:
    """The WHERE clauses of the monitor's filters, each checked first.

    ``case_code`` matches any part of the code, in any case; the start dates are days in
    the engine's time zone, both included.
    """
    check_status(status)
    refuse_broken_text({"case": case_code, "procedure": process_key}, "nothing was listed")
    for name, day in (("started_from", started_from), ("started_to", started_to)):
        if day is not None and not isinstance(day, date):
            raise BadRequest(f"{name} must be a date (YYYY-MM-DD), not {day!r}")
    if started_from is not None and started_to is not None and started_from > started_to:
        raise BadRequest(f"started_from {started_from.isoformat()} is after started_to "
                         f"{started_to.isoformat()}")
    where: list[ColumnElement[bool]] = []
    if status:
        where.append(ProcessInstance.status == status)
    if process_key:
        where.append(ProcessInstance.process_key == process_key)
    if case_code and case_code.strip():
        where.append(ProcessInstance.case_code.icontains(case_code.strip(), autoescape=True))
    if overdue:
        where.append(ProcessInstance.id.in_(overdue_instances(today)))
    if started_from is not None:
        where.append(ProcessInstance.started_at >= _midnight(started_from, timezone))
    if started_to is not None:
        where.append(ProcessInstance.started_at
                     < _midnight(started_to + timedelta(days=1), timezone))
    return where


def _midnight(day: date, timezone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone)


def read_summaries(session: UnitOfWork, today: date, where: list[ColumnElement[bool]], *,
                   limit: int | None = None, offset: int = 0,
                   oldest_first: bool = False) -> list[InstanceSummaryView]:
    """The summaries of the instances ``where`` selects, newest first, one page of them.

    The page's ids are chosen first, on the instance table alone; the task counts, due
    dates and overdue flags are then computed for those rows only, whatever the offset.
    """
    order = (ProcessInstance.started_at, ProcessInstance.id)
    ordering = [c.asc() for c in order] if oldest_first else [c.desc() for c in order]
    page = (select(ProcessInstance.id, ProcessInstance.status).where(*where)
            .order_by(*ordering).limit(limit).offset(offset).subquery())
    open_tasks = (HumanTask.instance_id == ProcessInstance.id) & (HumanTask.status == "open")
    query = (
        select(
            ProcessInstance.id, ProcessInstance.process_key, ProcessDefinition.version,
            ProcessInstance.case_code, ProcessInstance.status, ProcessInstance.started_at,
            ProcessInstance.updated_at, ProcessInstance.ended_at,
            ProcessInstance.incident_message,
            select(func.count(HumanTask.id)).where(open_tasks)
            .scalar_subquery().label("open_tasks"),
            select(func.min(HumanTask.due_date)).where(open_tasks)
            .scalar_subquery().label("next_due"),
            or_(select(HumanTask.id).where(open_tasks, HumanTask.due_date < today).exists(),
                select(LegalDeadline.id).where(
                    LegalDeadline.instance_id == ProcessInstance.id,
                    LegalDeadline.status == "open", LegalDeadline.latest_safe_day < today,
                ).exists()).label("overdue"),
        )
        # The status too: on PostgreSQL it picks the partition of each row of the page.
        .join(page, (page.c.id == ProcessInstance.id)
              & (page.c.status == ProcessInstance.status))
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .order_by(*ordering)
    )
    return [InstanceSummaryView(
        id=row.id, process_key=row.process_key, version=row.version,
        case_code=row.case_code, status=row.status, started_at=row.started_at,
        updated_at=row.updated_at, ended_at=row.ended_at,
        incident_message=row.incident_message, open_tasks=row.open_tasks or 0,
        next_due=row.next_due, overdue=bool(row.overdue),
    ) for row in session.execute(query)]


NEWEST_FIRST = (SortKey(ProcessInstance.started_at, "datetime", descending=True),
                SortKey(ProcessInstance.id, descending=True))
"""The monitor's order: the instance started last first."""


def after_summary(cursor: str, offset: int = 0) -> ColumnElement[bool]:
    """The instances listed after the one ``cursor`` names (:func:`summary_cursor`)."""
    return continuing(cursor, offset, "newest", NEWEST_FIRST)


def summary_cursor(summary: InstanceSummaryView) -> str:
    """Where the list goes on after ``summary``: give it back as ``after``."""
    return write_cursor("newest", [summary.started_at, summary.id])


def count_instances(session: UnitOfWork, where: list[ColumnElement[bool]],
                    cap: int | None = None) -> int:
    """How many instances match; with ``cap``, counting stops after ``cap + 1``."""
    return session.scalar(count_of(select(ProcessInstance.id).where(*where), cap)) or 0
