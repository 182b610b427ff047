"""What a handler asks the engine to record besides process data: deadlines, notices, and
the pause of a case while she is missing.

A handler does not write to the database. It states effects on its
:class:`~engine.bpmn.execution.HandlerContext`; the engine keeps them only if the handler
succeeds and writes them in the same transaction as the instance state, so a failed or
retried handler never leaves half a deadline behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEADLINE_KINDS = (
    "stay_decision_due",
    "reflection_end",
    "lawful_stay_end",
    "extension_decision_due",
    "permit_application_due",
    "cooperation_confirmation_due",
    "appeal_due",
    "permit_expiry",
    "renewal_application_due",
    "school_enrolment_due",
    "further_permit_application_due",
    "plan_review_due",
    "indicator_due",
    "missing_person_report_due",
    "non_punishment_answer_due",
    "compensation_filing_due",
    "phase_due",
)
"""Every kind of legal deadline the engine tracks."""

EVERY_DAY_KINDS = frozenset({"missing_person_report_due"})
"""Deadlines met by services that work every day of the year (the police take a missing-
person report on a Sunday too): their latest safe day is the legal date itself."""

DEADLINE_DUE = "deadline:"
"""A user task's ``camunda:dueDate`` of ``deadline:<kind>`` is the latest safe day of that
legal deadline of its instance (the open one, for a kind kept once per renewal or
review), kept up to date when the deadline moves; the task shows its legal date beside."""


def due_deadline(expression: str | None) -> str | None:
    """The deadline kind a due date names, or None for an expression."""
    if expression and expression.startswith(DEADLINE_DUE):
        return expression[len(DEADLINE_DUE):].strip()
    return None


@dataclass(frozen=True)
class SetDeadline:
    """Open (or move) the deadline ``kind``/``ref`` of this instance."""

    kind: str
    ref: str
    legal_date: date
    owner: str
    title: str
    element_id: str


@dataclass(frozen=True)
class MeetDeadline:
    """The action the deadline asks for was done on ``on`` (late if after the legal date)."""

    kind: str
    ref: str
    on: date
    element_id: str


@dataclass(frozen=True)
class CancelDeadline:
    """The deadline no longer applies (she left the procedure, a different path...)."""

    kind: str
    ref: str
    reason: str
    element_id: str


@dataclass(frozen=True)
class Notify:
    """A notice for everyone holding one of ``roles`` (their inbox; e-mail when set up)."""

    roles: tuple[str, ...]
    subject: str
    body: str
    element_id: str


@dataclass(frozen=True)
class PauseCase:
    """Suspend every other running or waiting procedure of the case (she disappeared).

    Her legal deadlines keep running: only the steps of the procedures wait. The
    escalations of legal deadlines and other instances of the pausing procedure go on.
    """

    reason: str
    element_id: str


@dataclass(frozen=True)
class ResumeCase:
    """Resume the procedures of the case that this instance's pause suspended."""

    reason: str
    element_id: str


Effect = SetDeadline | MeetDeadline | CancelDeadline | Notify | PauseCase | ResumeCase
