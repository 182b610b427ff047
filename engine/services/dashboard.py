"""The coordinators' dashboard, read in a handful of queries whatever the number of cases.

Counts come from GROUP BY and COUNT over the instance, task and deadline tables; the
lists beside them are capped and most urgent first, so the page stays small.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from engine.context import EngineContext
from engine.obligations.deadlines import deadline_view
from engine.services.summaries import read_summaries
from engine.services.tasks import task_view
from engine.store.instances import INCIDENT
from engine.store.models import HumanTask, LegalDeadline, ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import DashboardView, StatusCount

OVERDUE_TASKS_SHOWN = 20
INCIDENTS_SHOWN = 100
DEADLINES_SHOWN = 100
DEADLINE_HORIZON_DAYS = 7
"""Deadlines whose latest safe day is at most this many days away are on the dashboard."""


def read_dashboard(ctx: EngineContext, session: UnitOfWork) -> DashboardView:
    today = ctx.today()
    counts = [StatusCount(process_key=key, status=status, count=count)
              for key, status, count in session.execute(
                  select(ProcessInstance.process_key, ProcessInstance.status,
                         func.count(ProcessInstance.id))
                  .group_by(ProcessInstance.process_key, ProcessInstance.status)
                  .order_by(ProcessInstance.process_key, ProcessInstance.status))]

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
    deadlines = [deadline_view(row, today) for row in session.scalars(
        select(LegalDeadline).where(*soon)
        .order_by(LegalDeadline.latest_safe_day, LegalDeadline.id)
        .limit(DEADLINES_SHOWN))]

    return DashboardView(
        today=today, counts=counts, overdue_count=overdue_count, overdue_tasks=overdue_tasks,
        incident_count=sum(c.count for c in counts if c.status == INCIDENT),
        incidents=incidents, deadline_count=deadline_count, deadlines=deadlines,
    )
