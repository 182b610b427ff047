"""Handlers of the reflection period: its legal dates, deadlines and alerts.

The permitted stay is lawful through its last day; the legal adviser must have the permit
application filed by the latest safe day before it, so the deadline ``reflection_end``
is opened when the stay is granted, moved by an extension and met by her decision.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from engine.kit.texts import translatable

from . import HANDLERS


def stay_dates(end: date, ctx: Any) -> dict[str, str]:
    """Dates and instants derived from the last day of the permitted stay.

    The stay expires at midnight local time after ``end``; the coordinator and the legal
    adviser are warned the jurisdiction's ``reflection.warning_days`` before the latest
    safe day, at the reminder hour.
    """
    safe_day = ctx.jurisdiction.latest_safe_day(end)
    expires = datetime.combine(end + timedelta(days=1), time(0), tzinfo=ctx.timezone)
    warning = ctx.jurisdiction.warning_morning(safe_day, ctx.jurisdiction.reflection_warning_days)
    return {
        "reflection_end": end.isoformat(),
        "reflection_latest_safe_day": safe_day.isoformat(),
        "reflection_expires_at": expires.isoformat(),
        "reflection_warning_at": warning.isoformat(),
    }


def _open_deadline(ctx: Any, end: date) -> dict[str, Any]:
    ctx.set_deadline("reflection_end", end, owner="coordinator",
                     title=translatable("Her decision on cooperating, before the permitted stay "
                                        "ends"))
    return stay_dates(end, ctx)


@HANDLERS.register("reflection.open_stay_decision")
def open_stay_decision(ctx: Any) -> dict[str, Any]:
    """The police decide on the permitted stay as soon as possible, at the latest within
    the general time for a decision needing no special fact-finding (ZUP Art. 222(1)),
    counted from the day this procedure starts; until then she is not removed (CETS
    Arts. 10(2), 13(3))."""
    ctx.set_deadline("stay_decision_due", ctx.jurisdiction.stay_decision_due(ctx.today),
                     owner="police",
                     title=translatable("Decide on her permitted stay"))
    return {}


@HANDLERS.register("reflection.record_stay_decision")
def record_stay_decision(ctx: Any) -> dict[str, Any]:
    """The decision, granted or refused, meets its time limit on the day it was made."""
    ctx.meet_deadline("stay_decision_due", date.fromisoformat(ctx.data["stay_decision_date"]))
    return {}


@HANDLERS.register("reflection.compute_end")
def compute_reflection_end(ctx: Any) -> dict[str, Any]:
    """The stay counts from the day after the decision: granted 1 March ends 30 May."""
    granted = date.fromisoformat(ctx.data["stay_decision_date"])
    end = ctx.jurisdiction.reflection_end(granted)
    alone = bool(ctx.data.get("unaccompanied_minor", False))
    return {**_open_deadline(ctx, end), "extensions_granted": 0,
            "unaccompanied_minor": alone, **_child_steps(ctx.data, alone)}


FAMILY_REACHED = frozenset({"contacted", "not_safe", "not_in_best_interests", "family_present"})
"""Family-contact outcomes of identification that settle the question; tracing goes on."""


def _child_steps(data: dict[str, Any], alone: bool) -> dict[str, bool]:
    """What a child alone still needs: what identification already did is not asked again."""
    guardian = alone and not data.get("guardian_appointed_on")
    family = alone and (guardian or data.get("family_contact_step") not in FAMILY_REACHED)
    return {"guardian_needed": guardian, "family_contact_needed": family}


@HANDLERS.register("reflection.apply_extension")
def apply_extension(ctx: Any) -> dict[str, Any]:
    """Move the end of the stay when the police granted an extension (Art. 50(1): the
    jurisdiction says how many are allowed)."""
    ctx.meet_deadline("extension_decision_due",
                      date.fromisoformat(ctx.data["extension_decision_date"]))
    if not ctx.data.get("extension_granted"):
        return {}  # refused: she may ask again with new reasons
    granted = int(ctx.data.get("extensions_granted") or 0)
    if granted >= ctx.jurisdiction.extensions_allowed:
        raise ValueError(f"the permitted stay was already extended {granted} time(s), the "
                         f"most allowed")
    days = int(ctx.data["extension_days"])
    most = ctx.jurisdiction.extension_max_days
    if not 1 <= days <= most:
        raise ValueError(f"an extension is 1 to {most} days, not {days}")
    end = date.fromisoformat(ctx.data["reflection_end"]) + timedelta(days=days)
    return {**_open_deadline(ctx, end), "extensions_granted": granted + 1}


@HANDLERS.register("reflection.record_outcome")
def record_outcome(ctx: Any) -> dict[str, Any]:
    """Her decision meets the deadline; asking for more time leaves it open and gives the
    police a deadline of their own to decide on the extension."""
    decision = ctx.data["decision"]
    if decision in ("cooperate", "not_cooperate"):
        ctx.meet_deadline("reflection_end", date.fromisoformat(ctx.data["decision_date"]))
    if decision == "not_cooperate":
        # Her stay still runs to its last day; that day is now the legal adviser's, so
        # that she is not left without a lawful basis when it passes.
        ctx.set_deadline("lawful_stay_end", date.fromisoformat(ctx.data["reflection_end"]),
                         owner="legal_adviser",
                         title=translatable("Her permitted stay ends: another basis or a safe "
                                            "return before then"))
    elif decision == "extend":
        # The police decide before the stay ends; a request made again after a refusal
        # opens the deadline again.
        ctx.set_deadline("extension_decision_due", date.fromisoformat(ctx.data["reflection_end"]),
                         owner="police",
                         title=translatable("Decide on extending her permitted stay before it "
                                            "ends"))
    return {"cooperates": decision == "cooperate"}


@HANDLERS.register("reflection.alert_expiry")
def alert_expiry(ctx: Any) -> dict[str, Any]:
    """``reflection.warning_days`` before the latest safe day, with no decision yet."""
    safe_day = ctx.data["reflection_latest_safe_day"]
    ctx.notify(["coordinator", "legal_adviser"],
               translatable("Case {code}: the permitted stay ends on {day}")
               .format(code=ctx.case_code, day=ctx.data["reflection_end"]),
               translatable("No decision on cooperating is recorded. Act by {day}, the last "
                            "working day before the stay ends: an application, an extension or "
                            "another basis.").format(day=safe_day))
    return {}


@HANDLERS.register("reflection.record_next_steps")
def record_next_steps(ctx: Any) -> dict[str, Any]:
    """An application on another basis meets the end of her stay; any other plan leaves
    the deadline open, reminded and escalated, until she has a basis or has left."""
    filed = ctx.data.get("other_basis_filed_on")
    if filed:
        ctx.meet_deadline("lawful_stay_end", date.fromisoformat(filed[:10]))
    return {}


@HANDLERS.register("reflection.close_after_early_end")
def close_after_early_end(ctx: Any) -> dict[str, Any]:
    """The police decision ending the period early is final (Directive 2004/81/EC Art.
    6(4)): the deadlines of a stay that no longer runs close, and the coordinator plans
    the next steps with her."""
    reason = "the reflection period was ended early by a final decision"
    ctx.cancel_deadline("reflection_end", reason=reason)
    ctx.cancel_deadline("extension_decision_due", reason=reason)
    return {"outcome": "ended_early"}


HANDLERS.describe({
    "cooperates": "She cooperates with the authorities",
    "extensions_granted": "Extensions of the reflection period granted",
    "family_contact_needed": "Her family is to be traced",
    "guardian_needed": "A guardian is needed",
    "reflection_expires_at": "End of the reflection period",
    "reflection_latest_safe_day": "Latest safe day of the reflection period",
    "reflection_warning_at": "Warning before the reflection period ends",
})
