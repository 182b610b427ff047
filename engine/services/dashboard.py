"""The coordinators' dashboard, read in a handful of queries whatever the number of cases.

Counts come from GROUP BY and COUNT over the live rows of the instance, task and
deadline tables (of the closed instances, those of the last year); the lists beside them
are capped and most urgent first, so the page stays small.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import load_only

from engine.context import EngineContext
from engine.obligations.deadlines import deadline_view
from engine.services.summaries import read_summaries
from engine.services.tasks import task_view
from engine.store.instances import CANCELLED, COMPLETED, INCIDENT, STATUSES
from engine.store.models import HumanTask, LegalDeadline, ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import DashboardView, StatusCount, TrendsView

OVERDUE_TASKS_SHOWN = 20
INCIDENTS_SHOWN = 100
DEADLINES_SHOWN = 100
DEADLINE_HORIZON_DAYS = 7
"""Deadlines whose latest safe day is at most this many days away are on the dashboard."""
ENDED_WITHIN_DAYS = 365
"""Completed and cancelled procedures are counted from the last year: every one ever
closed would make the page cost what ten years of history weigh."""
CLOSED = (COMPLETED, CANCELLED)
LIVE = tuple(status for status in STATUSES if status not in CLOSED)
WEEKS_AHEAD = 12
MONTHS_BACK = 12


def read_dashboard(ctx: EngineContext, session: UnitOfWork) -> DashboardView:
    today = ctx.today()
    live = ProcessInstance.status.in_(LIVE)  # IN, not NOT IN: an index finds IN
    lately = (ProcessInstance.status.in_(CLOSED),
              ProcessInstance.ended_at >= ctx.now() - timedelta(days=ENDED_WITHIN_DAYS))
    counts = sorted((StatusCount(process_key=key, status=status, count=count)
                     for where in ((live,), lately)
                     for key, status, count in session.execute(
                         select(ProcessInstance.process_key, ProcessInstance.status,
                                func.count(ProcessInstance.id)).where(*where)
                         .group_by(ProcessInstance.process_key, ProcessInstance.status))),
                    key=lambda c: (c.process_key, c.status))

    late = (HumanTask.status == "open", HumanTask.due_date < today)
    overdue_count = session.scalar(select(func.count(HumanTask.id)).where(*late)) or 0
    overdue_tasks = [task_view(task, instance) for task, instance in session.execute(
        select(HumanTask, ProcessInstance)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(*late)
        .order_by(HumanTask.due_date, HumanTask.id)
        .limit(OVERDUE_TASKS_SHOWN)
        .options(load_only(ProcessInstance.case_code, ProcessInstance.process_key)))]

    incidents = read_summaries(session, today, [ProcessInstance.status == INCIDENT],
                               limit=INCIDENTS_SHOWN)

    soon = (LegalDeadline.status == "open",
            LegalDeadline.latest_safe_day <= today + timedelta(days=DEADLINE_HORIZON_DAYS))
    deadline_count = session.scalar(select(func.count(LegalDeadline.id)).where(*soon)) or 0
    deadlines = [deadline_view(ctx, row, today) for row in session.scalars(
        select(LegalDeadline).where(*soon)
        .order_by(LegalDeadline.latest_safe_day, LegalDeadline.id)
        .limit(DEADLINES_SHOWN))]

    return DashboardView(
        today=today, counts=counts, overdue_count=overdue_count, overdue_tasks=overdue_tasks,
        incident_count=sum(c.count for c in counts if c.status == INCIDENT),
        incidents=incidents, deadline_count=deadline_count, deadlines=deadlines,
    )


def read_trends(ctx: EngineContext, session: UnitOfWork) -> TrendsView:
    """Open tasks by role and age, safe days by week ahead, missed deadlines by month:
    three GROUP BY queries, whatever the number of cases."""
    today, now = ctx.today(), ctx.now()
    week_ago, month_ago = now - timedelta(days=7), now - timedelta(days=30)
    open_tasks = [(role, int(week or 0), int(month or 0), int(older or 0))
                  for role, week, month, older in session.execute(
                      select(HumanTask.role,
                             func.sum(case((HumanTask.created_at >= week_ago, 1), else_=0)),
                             func.sum(case((HumanTask.created_at >= week_ago, 0),
                                           (HumanTask.created_at >= month_ago, 1), else_=0)),
                             func.sum(case((HumanTask.created_at < month_ago, 1), else_=0)))
                      .where(HumanTask.status == "open")
                      .group_by(HumanTask.role).order_by(HumanTask.role))]

    monday = today - timedelta(days=today.weekday())
    weeks = [monday + timedelta(weeks=n) for n in range(WEEKS_AHEAD)]
    by_week = dict.fromkeys(weeks, 0)
    for day, count in session.execute(
            select(LegalDeadline.latest_safe_day, func.count(LegalDeadline.id))
            .where(LegalDeadline.status == "open", LegalDeadline.latest_safe_day >= monday,
                   LegalDeadline.latest_safe_day < monday + timedelta(weeks=WEEKS_AHEAD))
            .group_by(LegalDeadline.latest_safe_day)):
        by_week[day - timedelta(days=day.weekday())] += count

    months = _months_back(today, MONTHS_BACK)
    by_month = dict.fromkeys(months, 0)
    for day, count in session.execute(
            select(LegalDeadline.legal_date, func.count(LegalDeadline.id))
            .where(LegalDeadline.status == "missed", LegalDeadline.legal_date >= months[0],
                   LegalDeadline.legal_date <= today)
            .group_by(LegalDeadline.legal_date)):
        by_month[day.replace(day=1)] += count

    return TrendsView(today=today, open_tasks=open_tasks,
                      safe_days_by_week=list(by_week.items()),
                      missed_by_month=list(by_month.items()))


def _months_back(today: date, count: int) -> list[date]:
    """The first days of the last ``count`` months, this one last."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]
