"""Handlers of the individual protection plan: deadlines per indicator and review, the next
monitoring moment, referrals to the services, and closing the plan."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from engine.kit.texts import translatable
from forms.protection_plan import plan_indicators

from . import HANDLERS

INDICATOR_TITLE = translatable("Indicator {code} of the protection plan")
REVIEW_TITLE = translatable("Review of the protection plan")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def morning(day: date, tz: Any, hour: int) -> str:
    """``day`` at ``hour`` (``reminders.hour``), when alerts go out to a team at work."""
    return datetime.combine(day, time(hour), tzinfo=tz).isoformat()


def mornings_after(indicators: Iterable[Mapping[str, Any]]) -> list[date]:
    """The day after the target date of each open indicator not yet alerted: it was not
    reached by the end of its day."""
    return [date.fromisoformat(i["target_date"]) + timedelta(days=1) for i in indicators
            if i["status"] == "open" and not i["alerted"]]


def mark_missed(indicators: Iterable[dict[str, Any]], today: date) -> list[str]:
    """Mark alerted, and name, every open indicator whose target date passed unalerted."""
    missed = []
    for indicator in indicators:
        if (indicator["status"] == "open" and not indicator["alerted"]
                and date.fromisoformat(indicator["target_date"]) < today):
            indicator["alerted"] = True
            missed.append(indicator["id"])
    return missed


def overdue(indicators: Iterable[Mapping[str, Any]]) -> list[str]:
    """The open indicators already alerted: past their date, not yet corrected."""
    return [i["id"] for i in indicators if i["status"] == "open" and i["alerted"]]


def next_monitoring_at(indicators: Iterable[Mapping[str, Any]], review_due: date,
                       review_reminded_on: date | None, tz: Any, reminder_days: int,
                       hour: int) -> str:
    """The next moment the plan needs attention, at ``hour`` (``reminders.hour``): alerts
    and reminders go out when the team is at work.

    The morning after the earliest target date of an open indicator not yet alerted (it
    was not reached by the end of that day), or the morning of the review date, or
    ``reminder_days`` (``plan.review_reminder_days``) after the last reminder of an
    overdue review, whichever comes first.
    """
    days = mornings_after(indicators)
    if review_reminded_on is None:
        days.append(review_due)
    else:
        days.append(review_reminded_on + timedelta(days=reminder_days))
    return morning(min(days), tz, hour)


def _new_indicators(goals: Iterable[Mapping[str, Any]], first_goal: int) -> list[dict]:
    return [
        {"id": indicator["id"], "goal": first_goal + g, "term": goal["term"],
         "description": indicator["description"], "target_date": indicator["target_date"],
         "status": "open", "reached_on": None, "alerted": False, "rescheduled_from": []}
        for g, goal in enumerate(goals) for indicator in goal["indicators"]
    ]


def _open_deadlines(ctx: Any, indicators: Iterable[Mapping[str, Any]]) -> None:
    for indicator in indicators:
        ctx.set_deadline("indicator_due", date.fromisoformat(indicator["target_date"]),
                         owner="coordinator", title=INDICATOR_TITLE.format(code=indicator["id"]),
                         ref=indicator["id"])


def _open_review(ctx: Any, number: int, due: date) -> None:
    ctx.set_deadline("plan_review_due", due, owner="coordinator", title=REVIEW_TITLE,
                     ref=f"review-{number}")


def _refer(ctx: Any, services: Iterable[Mapping[str, Any]]) -> None:
    """Tell each providing role that the plan refers her to them (no personal data)."""
    areas: dict[str, set[str]] = {}
    for service in services:
        if service["provider_role"] != "coordinator":
            areas.setdefault(service["provider_role"], set()).add(service["area"])
    for role, wanted in sorted(areas.items()):
        ctx.notify([role], translatable("Referral under an individual protection plan"),
                   translatable("Case {code}: services requested ({services}), with her consent. "
                                "The coordinator will contact you.")
                   .format(code=ctx.case_code, services=", ".join(sorted(wanted))))


def _monitoring(ctx: Any, indicators: list[dict], review_due: date,
                reminded: date | None) -> dict[str, Any]:
    return {
        "indicators": indicators,
        "overdue_indicators": overdue(indicators),
        "next_monitoring_at": next_monitoring_at(indicators, review_due, reminded,
                                                 ctx.timezone,
                                                 ctx.jurisdiction.plan_review_reminder_days,
                                                 ctx.jurisdiction.reminder_hour),
    }


@HANDLERS.register("protection_plan.not_made")
def plan_not_made(ctx: Any) -> dict[str, Any]:
    """She did not consent: no plan, nothing referred; she can ask for one later."""
    return {"plan_status": "not_made", "referrals_active": False}


@HANDLERS.register("protection_plan.open_monitoring")
def open_monitoring(ctx: Any) -> dict[str, Any]:
    """Open a deadline per indicator and the first review; refer her to the services."""
    planned = date.fromisoformat(ctx.data["plan_date"])
    goals = ctx.data["goals"]
    indicators = _new_indicators(goals, 0)
    _open_deadlines(ctx, indicators)
    review_due = planned + timedelta(days=ctx.jurisdiction.plan_review_days)
    _open_review(ctx, 1, review_due)
    services = list(ctx.data["services"])
    _refer(ctx, services)
    areas = {s["area"] for s in services}
    return {
        **_monitoring(ctx, indicators, review_due, None),
        "plan_status": "active",
        "referrals_active": True,
        "plan_services": services,
        "review_number": 1,
        "plan_review_due": review_due.isoformat(),
        "review_reminded_on": None,
        "review_open": True,
        "plan_closing": False,
        "plan_close_reason": None,
        "plan_closed_on": None,
        "reintegration_referral": bool(ctx.data.get("reintegration_consent"))
        and "reintegration_programme" in areas,
    }


@HANDLERS.register("protection_plan.monitoring_check")
def monitoring_check(ctx: Any) -> dict[str, Any]:
    """Alert the coordinator to indicators not reached by their date and to a due review."""
    today = ctx.today
    indicators = [dict(i) for i in ctx.data["indicators"]]
    missed = mark_missed(indicators, today)
    if missed:
        ctx.notify(["coordinator"], translatable("Protection plan: indicators not reached"),
                   translatable("Case {code}: indicator(s) {indicators} were not reached by their "
                                "target date. Correct the plan with her and the team.")
                   .format(code=ctx.case_code, indicators=", ".join(missed)))
    review_due = date.fromisoformat(ctx.data["plan_review_due"])
    reminded = _day(ctx.data.get("review_reminded_on"))
    if today >= review_due and (reminded is None
                                or today >= reminded + timedelta(
                                    days=ctx.jurisdiction.plan_review_reminder_days)):
        ctx.notify(["coordinator"], translatable("Protection plan: review due"),
                   translatable("Case {code}: the plan was due for review on {day}.")
                   .format(code=ctx.case_code, day=review_due.isoformat()))
        reminded = today
    result = _monitoring(ctx, indicators, review_due, reminded)
    result["review_reminded_on"] = reminded.isoformat() if reminded else None
    result["correction_needed"] = bool(result["overdue_indicators"])
    return result


def _apply_changes(ctx: Any, on: date) -> list[dict]:
    """Record reached, rescheduled, dropped and added indicators and added services."""
    by_id = {k: dict(v) for k, v in plan_indicators(ctx.data).items()}
    for item in ctx.data.get("indicators_reached") or []:
        indicator = by_id[item["indicator_id"]]
        indicator.update(status="reached", reached_on=item["reached_on"])
        ctx.meet_deadline("indicator_due", date.fromisoformat(item["reached_on"]),
                          ref=indicator["id"])
    for item in ctx.data.get("indicators_rescheduled") or []:
        indicator = by_id[item["indicator_id"]]
        indicator.update(rescheduled_from=[*indicator["rescheduled_from"],
                                           indicator["target_date"]],
                         target_date=item["target_date"], alerted=False)
        _open_deadlines(ctx, [indicator])
    for item in ctx.data.get("indicators_dropped") or []:
        by_id[item["indicator_id"]]["status"] = "dropped"
        ctx.cancel_deadline("indicator_due", reason=f"Dropped from the plan on {on}",
                            ref=item["indicator_id"])
    goals = list(ctx.data["goals"])
    added = _new_indicators(ctx.data.get("goals_added") or [], len(goals))
    _open_deadlines(ctx, added)
    services = list(ctx.data.get("services_added") or [])
    if services:
        _refer(ctx, services)
    return [*by_id.values(), *added]


def _updated(ctx: Any, on: date, indicators: list[dict], review_due: date,
             reminded: date | None) -> dict[str, Any]:
    closing = ctx.data.get("plan_next_step") == "close"
    return {
        **_monitoring(ctx, indicators, review_due, reminded),
        "goals": [*ctx.data["goals"], *(ctx.data.get("goals_added") or [])],
        "plan_services": [*ctx.data["plan_services"], *(ctx.data.get("services_added") or [])],
        "plan_closing": closing,
        "plan_close_reason": ctx.data.get("close_reason") if closing else None,
        "plan_closed_on": on.isoformat() if closing else None,
    }


@HANDLERS.register("protection_plan.record_review")
def record_review(ctx: Any) -> dict[str, Any]:
    """Apply the review; the review deadline is met and, unless closing, the next opened.

    When she withdrew her consent the review deadline is left for closing to cancel, as
    every other open deadline of the plan.
    """
    on = date.fromisoformat(ctx.data["review_date"])
    indicators = _apply_changes(ctx, on)
    number = int(ctx.data["review_number"])
    result: dict[str, Any] = {"last_review_on": on.isoformat()}
    if ctx.data.get("plan_consent_withdrawn"):
        review_due = date.fromisoformat(ctx.data["plan_review_due"])  # cancelled on closing
    elif ctx.data.get("plan_next_step") == "close":
        ctx.meet_deadline("plan_review_due", on, ref=f"review-{number}")
        review_due = date.fromisoformat(ctx.data["plan_review_due"])
        result["review_open"] = False
    else:
        ctx.meet_deadline("plan_review_due", on, ref=f"review-{number}")
        number += 1
        review_due = on + timedelta(days=ctx.jurisdiction.plan_review_days)
        _open_review(ctx, number, review_due)
        result["review_open"] = True
    result.update(_updated(ctx, on, indicators, review_due, None),
                  review_number=number, plan_review_due=review_due.isoformat(),
                  review_reminded_on=None)
    return result


@HANDLERS.register("protection_plan.apply_correction")
def apply_correction(ctx: Any) -> dict[str, Any]:
    """Apply the correction of indicators not reached; the review date stays as it was."""
    on = date.fromisoformat(ctx.data["corrected_on"])
    indicators = _apply_changes(ctx, on)
    review_due = date.fromisoformat(ctx.data["plan_review_due"])
    return _updated(ctx, on, indicators, review_due, _day(ctx.data.get("review_reminded_on")))


@HANDLERS.register("protection_plan.close")
def close_plan(ctx: Any) -> dict[str, Any]:
    """Cancel every open deadline of the plan with the reason.

    When she withdrew her consent the referrals stop and nothing is sent to the services:
    telling them anything more about her would itself need her consent.
    """
    reason = ctx.data["plan_close_reason"]
    note = f"Plan closed on {ctx.data['plan_closed_on']}: {reason.replace('_', ' ')}"
    indicators = [dict(i) for i in ctx.data["indicators"]]
    for indicator in indicators:
        if indicator["status"] == "open":
            indicator["status"] = "cancelled"
            ctx.cancel_deadline("indicator_due", reason=note, ref=indicator["id"])
    if ctx.data.get("review_open", True):
        ctx.cancel_deadline("plan_review_due", reason=note,
                            ref=f"review-{ctx.data['review_number']}")
    if reason != "consent_withdrawn":
        roles = sorted({s["provider_role"] for s in ctx.data.get("plan_services") or []
                        if s["provider_role"] != "coordinator"})
        if roles:
            ctx.notify(roles, translatable("Individual protection plan closed"),
                       translatable("Case {code}: the plan was closed ({reason}).")
                       .format(code=ctx.case_code, reason=reason.replace("_", " ")))
    return {"indicators": indicators, "overdue_indicators": [], "plan_status": "closed",
            "referrals_active": False, "review_open": False}


HANDLERS.describe({
    "correction_needed": "The plan needs a correction",
    "indicators": "Indicators of the plan",
    "next_monitoring_at": "Next monitoring check",
    "overdue_indicators": "Indicators past their target date",
    "plan_close_reason": "Why the plan was closed",
    "plan_closed_on": "Plan closed on",
    "plan_closing": "The plan is being closed",
    "plan_review_due": "Plan review due on",
    "plan_services": "Services of the plan",
    "plan_status": "State of the plan",
    "referrals_active": "Referrals under the plan are active",
    "reintegration_referral": "Referred to the (re)integration programme",
    "review_number": "Reviews of the plan so far",
    "review_open": "A review of the plan is open",
    "review_reminded_on": "Review reminder sent on",
})
