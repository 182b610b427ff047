"""Handlers of the assisted voluntary return: its outcome, the notices and the follow-up dates.

Input (optional): ``is_child``. Output: ``return_outcome`` (``returned``, ``withdrawn``,
``stopped_high_risk``, ``stopped_best_interests`` or ``declined``) and ``returned_on``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from engine.kit.dates import stored_date
from engine.kit.texts import translatable

from . import HANDLERS

FOLLOW_UP_HOUR = 9
"""Local hour at which a follow-up task appears in the worklist."""

RETURN_OFFICER_STEPS = ("travel_documents", "travel_arrangements", "police_escort", "handover")
"""Steps at which the return officer is already arranging the travel."""


def _yes(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in
                             ("true", "yes", "1"))


def local_instant(day: date, tz: Any, hour: int = FOLLOW_UP_HOUR) -> str:
    """An ISO instant with the offset, as timer expressions need."""
    return datetime.combine(day, time(hour), tzinfo=tz).isoformat()


def follow_up_dates(after: date, ctx: Any) -> dict[str, str]:
    """The follow-up contact ``return.follow_up_days`` after her arrival (and after each
    contact)."""
    due = after + timedelta(days=ctx.jurisdiction.return_follow_up_days)
    return {"follow_up_on": due.isoformat(), "follow_up_at": local_instant(due, ctx.timezone)}


@HANDLERS.register("voluntary_return.prepare")
def prepare(ctx: Any) -> dict[str, Any]:
    """Read the caller's input: without ``is_child`` she is treated as an adult."""
    return {"is_child": _yes(ctx.data.get("is_child")), "return_outcome": None,
            "returned_on": None}


@HANDLERS.register("voluntary_return.record_declined")
def record_declined(ctx: Any) -> dict[str, Any]:
    """She does not want to return: a normal end; she may ask again later."""
    return {"return_outcome": "declined", "declined_by": "her",
            "declined_on": ctx.data.get("consent_date") or ctx.today.isoformat()}


@HANDLERS.register("voluntary_return.record_withdrawal")
def record_withdrawal(ctx: Any) -> dict[str, Any]:
    """She withdrew her consent: stop every arrangement and tell those who make them."""
    step = ctx.data.get("withdrawal_step") or "unknown"
    withdrawn_on = ctx.data.get("withdrawn_on") or ctx.today.isoformat()
    roles = ["coordinator"]
    if step in RETURN_OFFICER_STEPS:
        roles.append("return_officer")
    if ctx.data.get("escort") == "police" and step in ("police_escort", "handover"):
        roles.append("police")
    if ctx.data.get("is_child"):
        roles.append("social_work")
    ctx.notify(roles, translatable("Voluntary return stopped: consent withdrawn"),
               translatable("She withdrew her consent at the step '{step}' on {day}. Cancel the "
                            "return arrangements and review her protection with her; she may ask "
                            "for a return again later.")
               .format(step=step.replace("_", " "), day=withdrawn_on))
    return {"return_outcome": "withdrawn", "withdrawn_on": withdrawn_on,
            "returned_on": None}


@HANDLERS.register("voluntary_return.record_stopped")
def record_stopped(ctx: Any) -> dict[str, Any]:
    """The return does not go ahead: a high risk, the guardian's refusal or her best interests."""
    data = ctx.data
    if data.get("high_risk_decision") == "stop":
        outcome, on = "stopped_high_risk", data.get("high_risk_decided_on")
    elif data.get("guardian_consent") == "refused":
        return {"return_outcome": "declined", "declined_by": "guardian",
                "declined_on": data.get("guardian_consent_date") or ctx.today.isoformat()}
    else:
        outcome, on = "stopped_best_interests", data.get("guardian_consent_date")
    return {"return_outcome": outcome, "return_stopped_on": on or ctx.today.isoformat()}


@HANDLERS.register("voluntary_return.record_return")
def record_return(ctx: Any) -> dict[str, Any]:
    """She arrived and the partner received her; the first follow-up is set from that day."""
    arrived = stored_date(ctx.data.get("arrived_on"))
    if arrived is None:
        raise ValueError("the arrival date is missing")
    dates = follow_up_dates(arrived, ctx)
    # She left on the day of travel: the end of her permitted stay, watched since she
    # decided not to cooperate, is met by leaving before it.
    ctx.meet_deadline("lawful_stay_end", stored_date(ctx.data.get("travel_date")) or arrived)
    roles = ["coordinator", "social_work"] if ctx.data.get("is_child") else ["coordinator"]
    ctx.notify(roles, translatable("Voluntary return completed"),
               translatable("The partner organisation confirmed the hand-over on arrival. The "
                            "follow-up contact is due on {day}.")
               .format(day=dates["follow_up_on"]))
    return {"return_outcome": "returned", "returned_on": arrived.isoformat(),
            "follow_up_count": 0, "follow_ups": [], **dates}


@HANDLERS.register("voluntary_return.record_follow_up")
def record_follow_up(ctx: Any) -> dict[str, Any]:
    """Keep each follow-up in the record and set the next one when it is planned."""
    data = ctx.data
    contacted = stored_date(data.get("contacted_on")) or ctx.today
    entry = {"contacted_on": contacted.isoformat(), "method": data.get("contact_method"),
             "situation": data.get("situation_after_return")}
    updates: dict[str, Any] = {
        "follow_ups": [*data.get("follow_ups", []), entry],
        "follow_up_count": int(data.get("follow_up_count", 0)) + 1,
    }
    if data.get("situation_after_return") == "at_risk":
        ctx.notify(["coordinator", "return_officer"], translatable("Follow-up after return: she "
                                                                   "is at risk"),
                   translatable("The follow-up contact found her at risk. Agree protective "
                                "measures with the partner organisation."))
    if data.get("further_follow_up"):
        updates.update(follow_up_dates(contacted, ctx))
    return updates


HANDLERS.describe({
    "declined_by": "Declined by",
    "declined_on": "Declined on",
    "follow_up_at": "Next follow-up after her return",
    "follow_up_count": "Follow-ups so far",
    "follow_up_on": "Next follow-up on",
    "follow_ups": "Follow-ups after her return",
    "return_outcome": "Outcome of the return",
    "return_stopped_on": "Return stopped on",
    "returned_on": "Returned on",
})
