"""The badges of lists: how urgent a task or a deadline is, and whose deadlines she sees."""

from __future__ import annotations

from datetime import date, timedelta

from engine.identity.users import lanes as lanes_of
from engine.protection.privacy import DEADLINE_OVERSEERS
from engine.views import DeadlineView, TaskView

from .acting import User

DUE_SOON_DAYS = 3
URGENT_DAYS = 3
SOON_DAYS = 14


def lanes(user: User) -> list[str]:
    """The roles whose tasks she works on: every role but ``admin``, which has no lane."""
    return lanes_of(user.roles)


def task_urgency(task: TaskView, today: date) -> str:
    """overdue, due-soon or '' - the badge of a task in a list."""
    if task.due_date is None:
        return ""
    if task.due_date < today:
        return "overdue"
    if task.due_date <= today + timedelta(days=DUE_SOON_DAYS):
        return "due-soon"
    return ""


def deadline_urgency(deadline: DeadlineView) -> str:
    """The colour of a deadline: missed, late, urgent, soon or '' (in time)."""
    if deadline.status == "missed":
        return "missed"
    if deadline.status != "open":
        return ""
    if deadline.days_left < 0:
        return "late"  # the safe day is gone, the legal date not yet
    if deadline.days_left <= URGENT_DAYS:
        return "urgent"
    if deadline.days_left <= SOON_DAYS:
        return "soon"
    return ""


def owned_roles(user: User) -> list[str] | None:
    """None when she sees every deadline, else the roles whose deadlines she owns."""
    return None if user.has_role(*DEADLINE_OVERSEERS) else list(user.roles)
