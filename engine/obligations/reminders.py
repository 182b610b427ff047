"""Reminders before, and an escalation after, the latest safe day of a legal deadline.

Each open deadline gets one timer row per reminder offset of the jurisdiction (30, 14,
7, 3 and 1 days before its latest safe day in Slovenia) and one escalation row for the
day after it, all at the jurisdiction's reminder hour, local time. They are written in
the unit of work that opens the deadline and cancelled in the one that meets or cancels
it, so a reminder is never sent for an action already done. Firing them is the timer
worker's job (:mod:`engine.jobs.timers`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update

from engine.context import EngineContext
from engine.kit.texts import translatable
from engine.obligations.inbox import notify
from engine.store.models import LegalDeadline, Timer
from engine.store.timer_states import CANCELLED, ESCALATION, PENDING, REMINDER
from engine.store.unit_of_work import UnitOfWork

ESCALATION_PROCESS = "deadline_escalation"
"""The procedure started for the coordinator when a latest safe day passes unmet."""
ESCALATION_VARIABLES = {
    "deadline_id": translatable("Number of the missed deadline"),
    "deadline_kind": translatable("Kind of deadline"),
    "deadline_ref": translatable("Which one of its kind"),
    "deadline_title": translatable("Missed deadline"),
    "deadline_owner": translatable("Who held the deadline"),
    "legal_date": translatable("Legal date"),
    "latest_safe_day": translatable("Latest safe day"),
    "source_instance_id": translatable("Procedure that set the deadline"),
}
"""The labels of what an escalation starts with (``RuntimeService.start_escalation``)."""
ESCALATION_ROLE = "coordinator"
"""Whoever owns a deadline, the coordinator hears of it too and handles escalations."""

StartEscalation = Callable[[UnitOfWork, LegalDeadline], int]
"""Starts the escalation procedure for a deadline; returns the new instance id."""


def schedule(ctx: EngineContext, session: UnitOfWork, deadline: LegalDeadline, *,
             replacing: bool = True) -> None:
    """(Re)plan the reminders and the escalation of an open deadline; ``replacing``
    cancels those planned before (a deadline just made has none).

    Reminders whose moment has already passed are not planned (the deadline was entered
    late); the escalation always is, and fires at once if its day has passed too.
    """
    if replacing:
        cancel(session, deadline)
    jurisdiction, now = ctx.jurisdiction_of(deadline.jurisdiction), ctx.now()
    planned: list[tuple[str, int, datetime]] = []
    for offset in jurisdiction.reminder_offsets:
        at = jurisdiction.at_reminder_hour(deadline.latest_safe_day - timedelta(days=offset))
        if at > now:
            planned.append((REMINDER, offset, at))
    planned.append((ESCALATION, 1, jurisdiction.at_reminder_hour(
        deadline.latest_safe_day + timedelta(days=1))))
    rows = [Timer(instance_id=deadline.instance_id, kind=kind, deadline_id=deadline.id,
                  element_id=deadline.opened_by_element, offset_days=offset, due_at=at,
                  next_attempt_at=at, status=PENDING, attempts=0, created_at=now)
            for kind, offset, at in planned]
    session.add_all(rows)
    session.timer_due(min(r.due_at for r in rows))


def cancel(session: UnitOfWork, deadline: LegalDeadline) -> None:
    """Cancel the pending reminders and escalation of a deadline met, moved or cancelled:
    those written, and those planned in this unit of work and not yet written."""
    if deadline.id is None:
        return
    for planned in session.new:
        if isinstance(planned, Timer) and planned.deadline_id == deadline.id:
            planned.status = CANCELLED
    session.execute(_CANCEL_PENDING, {"of_deadline": deadline.id})


_CANCEL_PENDING = (update(Timer).where(Timer.deadline_id == bindparam("of_deadline"),
                                       Timer.status == PENDING)
                   .values(status=CANCELLED).execution_options(synchronize_session=False))
"""Built once: every completion that meets a deadline runs it."""


RESIDENCE_KINDS = frozenset({
    "stay_decision_due", "reflection_end", "extension_decision_due", "permit_application_due",
    "cooperation_confirmation_due", "appeal_due", "permit_expiry", "renewal_application_due",
    "school_enrolment_due", "further_permit_application_due"})
"""Deadlines on which her right to stay depends: the legal adviser hears of every one."""


def recipients(deadline: LegalDeadline) -> list[str]:
    """The owner, the coordinator, and for residence deadlines the legal adviser."""
    roles = [deadline.owner_role, ESCALATION_ROLE]
    if deadline.kind in RESIDENCE_KINDS:
        roles.append("legal_adviser")
    return list(dict.fromkeys(roles))


def fire(ctx: EngineContext, session: UnitOfWork, timer: Timer, deadline: LegalDeadline,
         start_escalation: StartEscalation, actor: str) -> None:
    """Send the reminder, or start the escalation, that ``timer`` stands for."""
    today = ctx.today()
    safe_day, legal_date = deadline.latest_safe_day.isoformat(), deadline.legal_date.isoformat()
    if timer.kind == REMINDER:
        days = (deadline.latest_safe_day - today).days
        left = (translatable("{title}: {days} day left (case {code})") if days == 1
                else translatable("{title}: {days} days left (case {code})"))
        subject = left.format(title=deadline.title, days=days, code=deadline.case_code)
        body = translatable("Act by {day}, the latest safe day (the last working day before "
                            "the legal date {legal_date}). Open the case {code} to see the task "
                            "that meets this deadline.").format(
            day=safe_day, legal_date=legal_date, code=deadline.case_code)
        event, detail = "reminder_sent", f"{deadline.kind}: {timer.offset_days} days before"
    else:
        escalation_id = start_escalation(session, deadline)
        subject = translatable("Deadline passed without action: {title} (case {code})").format(
            title=deadline.title, code=deadline.case_code)
        body = translatable("The latest safe day {day} has passed and the action is still "
                            "open; the legal date is {legal_date}. The coordinator has an "
                            "escalation task (instance {instance}) to decide what is done "
                            "now.").format(day=safe_day, legal_date=legal_date,
                                           instance=escalation_id)
        event, detail = "deadline_escalated", f"{deadline.kind}: instance {escalation_id}"
    notify(ctx, session, roles=recipients(deadline), subject=subject, body=body,
           source=timer.kind, actor=actor, instance_id=deadline.instance_id,
           case_code=deadline.case_code, element_id=deadline.opened_by_element)
    session.audit(event, actor, instance_id=deadline.instance_id,
              element_id=deadline.opened_by_element, detail=detail)
