"""Handlers of the individual assistance plan by phases (Bosnia and Herzegovina, seed 004).

Each phase and each indicator has a target date, tracked as a deadline of the provider
who works on it. The morning after an indicator's date passes unreached, the monitoring
team and the coordinator are alerted and the team corrects the plan: a new date, or the
indicator dropped. Dates here are set by people, not by law.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from engine.kit.dates import required_day
from engine.kit.texts import translatable

from . import HANDLERS
from .protection_plan import mark_missed, morning, mornings_after, overdue

INDICATOR_TITLE = translatable("Indicator {code} of the assistance plan")
PHASE_TITLE = translatable("Phase of the assistance plan: {phase}")
QUIET_DAYS = 365
"""With no indicator left to watch, the plan is looked at again after a year."""


def _open_indicators(ctx: Any, indicators: Iterable[Mapping[str, Any]], owner: str) -> None:
    for indicator in indicators:
        ctx.set_deadline("indicator_due", date.fromisoformat(indicator["target_date"]),
                         owner=owner, title=INDICATOR_TITLE.format(code=indicator["id"]),
                         ref=indicator["id"])


def _next_check(ctx: Any, indicators: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The morning after the earliest target date of an open indicator not yet alerted,
    at the reminder hour; a year on when there is none."""
    day = min(mornings_after(indicators), default=ctx.today + timedelta(days=QUIET_DAYS))
    return {"next_check_at": morning(day, ctx.timezone, ctx.jurisdiction.reminder_hour),
            "next_check_day": day.isoformat()}


@HANDLERS.register("assistance_plan.open")
def open_plan(ctx: Any) -> dict[str, Any]:
    """A deadline per phase and per indicator, owned by the phase's provider."""
    indicators = []
    for phase in ctx.data["phases"]:
        owner = phase["provider_role"]
        ctx.set_deadline("phase_due", date.fromisoformat(phase["target_date"]), owner=owner,
                         title=PHASE_TITLE.format(phase=phase["phase"]), ref=phase["phase"])
        added = [{"id": i["id"], "phase": phase["phase"], "owner": owner,
                  "description": i["description"], "target_date": i["target_date"],
                  "status": "open", "reached_on": None, "alerted": False}
                 for i in phase["indicators"]]
        _open_indicators(ctx, added, owner)
        indicators += added
    return {"indicators": indicators, "overdue_indicators": [], "plan_closed": False,
            **_next_check(ctx, indicators)}


@HANDLERS.register("assistance_plan.check_indicators")
def check_indicators(ctx: Any) -> dict[str, Any]:
    """Alert the monitoring team to every indicator whose date passed unreached."""
    indicators = [dict(i) for i in ctx.data["indicators"]]
    missed = mark_missed(indicators, ctx.today)
    if missed:
        ctx.notify(["monitoring_team", "coordinator"],
                   translatable("Assistance plan: indicators not reached"),
                   translatable("Case {code}: indicator(s) {indicators} were not reached by "
                                "their target date. Find the problem with the providers and "
                                "correct the plan.")
                   .format(code=ctx.case_code, indicators=", ".join(missed)))
    return {"indicators": indicators, "overdue_indicators": overdue(indicators),
            "indicators_missed": bool(missed), **_next_check(ctx, indicators)}


@HANDLERS.register("assistance_plan.record_report")
def record_report(ctx: Any) -> dict[str, Any]:
    """Reached indicators meet their deadlines; a completed phase meets its own; closing
    cancels what is still open."""
    on = required_day(ctx.data, "report_date")
    by_id = {i["id"]: dict(i) for i in ctx.data["indicators"]}
    for item in ctx.data.get("indicators_reached") or []:
        indicator = by_id[item["indicator_id"]]
        indicator.update(status="reached", reached_on=item["reached_on"])
        ctx.meet_deadline("indicator_due", date.fromisoformat(item["reached_on"]),
                          ref=indicator["id"])
    if ctx.data.get("phase_completed"):
        ctx.meet_deadline("phase_due", on, ref=ctx.data["phase"])
    indicators = list(by_id.values())
    closing = ctx.data.get("plan_next_step") == "close"
    if closing:
        reason = f"the plan closed on {on.isoformat()}: {ctx.data.get('close_reason')}"
        for indicator in indicators:
            if indicator["status"] == "open":
                indicator["status"] = "dropped"
                ctx.cancel_deadline("indicator_due", reason=reason, ref=indicator["id"])
        done = {p for p in [ctx.data["phase"]] if ctx.data.get("phase_completed")}
        for phase in ctx.data["phases"]:
            if phase["phase"] not in done:
                ctx.cancel_deadline("phase_due", reason=reason, ref=phase["phase"])
    return {"indicators": indicators, "overdue_indicators": overdue(indicators),
            "plan_closed": closing,
            **_next_check(ctx, indicators)}


@HANDLERS.register("assistance_plan.apply_corrections")
def apply_corrections(ctx: Any) -> dict[str, Any]:
    """A new target date reopens the indicator's deadline; a dropped one is cancelled."""
    on = required_day(ctx.data, "reviewed_on")
    by_id = {i["id"]: dict(i) for i in ctx.data["indicators"]}
    for correction in ctx.data["corrections"]:
        indicator = by_id[correction["indicator_id"]]
        if correction["action"] == "drop":
            indicator["status"] = "dropped"
            ctx.cancel_deadline("indicator_due", ref=indicator["id"],
                                reason=f"dropped by the monitoring team on {on.isoformat()}")
        else:
            indicator.update(target_date=correction["target_date"], alerted=False)
            _open_indicators(ctx, [indicator], indicator["owner"])
    indicators = list(by_id.values())
    return {"indicators": indicators, "overdue_indicators": overdue(indicators),
            **_next_check(ctx, indicators)}


HANDLERS.describe({
    "plan_closed": "The plan is closed",
    "indicators_missed": "Indicators were not reached in time",
    "next_check_day": "Next indicator date to watch",
})
