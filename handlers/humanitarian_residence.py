"""Handlers of a foreign victim's residence in Serbia and in Bosnia and Herzegovina.

The period to recover is granted to a presumed victim, whatever she decides about
cooperating; before it ends she applies for temporary residence on humanitarian grounds,
and a refusal can be appealed. Every number comes from the case's jurisdiction file,
where the articles that set them are cited or marked still to be confirmed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.kit.dates import required_day
from engine.kit.texts import translatable

from . import HANDLERS

APPEAL_TITLE = translatable("Appeal the refusal, if she wants to")


@HANDLERS.register("humanitarian_residence.open_stay_decision")
def open_stay_decision(ctx: Any) -> dict[str, Any]:
    """The authority decides on her period to recover within the time for a decision of
    the law on administrative procedure, from the day the procedure starts."""
    due = ctx.jurisdiction.stay_decision_due(ctx.today)
    ctx.set_deadline("stay_decision_due", due, owner="admin_unit",
                     title=translatable("Decide on her recovery and reflection period"))
    return {"stay_decision": None, "residence_application": None, "residence_decision": None}


@HANDLERS.register("humanitarian_residence.record_stay_decision")
def record_stay_decision(ctx: Any) -> dict[str, Any]:
    """Granted: the period ends ``reflection.days`` after the day after the decision, and
    the application for residence is due by then. Refused: the appeal is due."""
    decided = required_day(ctx.data, "stay_decision_date")
    ctx.meet_deadline("stay_decision_due", decided)
    if ctx.data["stay_decision"] != "granted":
        return _appeal(ctx, decided, "stay")
    end = ctx.jurisdiction.reflection_end(decided)
    ctx.set_deadline("reflection_end", end, owner="legal_adviser",
                     title=translatable("Apply for temporary residence before her recovery "
                                        "and reflection period ends"))
    return {"reflection_end": end.isoformat(),
            "reflection_latest_safe_day": ctx.jurisdiction.latest_safe_day(end).isoformat()}


@HANDLERS.register("humanitarian_residence.record_application")
def record_application(ctx: Any) -> dict[str, Any]:
    """Filed: the deadline is met that day. She returns, or stays on another basis: there
    is nothing left to file, and the deadline is cancelled with that reason."""
    if ctx.data["residence_application"] == "filed":
        ctx.meet_deadline("reflection_end", required_day(ctx.data, "residence_filed_on"))
    else:
        ctx.cancel_deadline("reflection_end",
                            reason=f"no application: {ctx.data['residence_application']}")
    return {}


@HANDLERS.register("humanitarian_residence.record_residence_decision")
def record_residence_decision(ctx: Any) -> dict[str, Any]:
    """Granted: the permit runs its months from the decision, and its renewal is due
    before it expires. Refused: the appeal is due from the day after service."""
    if ctx.data["residence_decision"] != "granted":
        return _appeal(ctx, required_day(ctx.data, "residence_served_on"), "residence")
    decided = required_day(ctx.data, "residence_decided_on")
    valid_until = ctx.jurisdiction.permit_valid_until(decided, int(ctx.data["residence_months"]))
    ctx.set_deadline("permit_expiry", valid_until, owner="legal_adviser",
                     title=translatable("Apply to renew her temporary residence before it "
                                        "expires"))
    ctx.notify(["coordinator", "legal_adviser"], translatable("Temporary residence granted"),
               translatable("Case {code}: temporary residence on humanitarian grounds until "
                            "{day}.").format(code=ctx.case_code, day=valid_until.isoformat()))
    return {"residence_valid_until": valid_until.isoformat()}


@HANDLERS.register("humanitarian_residence.record_appeal")
def record_appeal(ctx: Any) -> dict[str, Any]:
    """An appeal filed meets its deadline; none filed cancels it, as her choice."""
    ref = ctx.data.get("appeal_against") or ""
    if ctx.data.get("appeal_filed"):
        ctx.meet_deadline("appeal_due", required_day(ctx.data, "appeal_filed_on"), ref=ref)
    else:
        ctx.cancel_deadline("appeal_due", reason="she decided not to appeal", ref=ref)
    return {}


def _appeal(ctx: Any, served: date, against: str) -> dict[str, Any]:
    due = ctx.jurisdiction.appeal_due(served)
    ctx.set_deadline("appeal_due", due, owner="legal_adviser", title=APPEAL_TITLE, ref=against)
    ctx.notify(["coordinator", "legal_adviser"], translatable("Refused: an appeal is possible"),
               translatable("Case {code}: the decision was refused; an appeal is due by "
                            "{day}.").format(code=ctx.case_code, day=due.isoformat()))
    return {"appeal_against": against}


HANDLERS.describe({
    "reflection_latest_safe_day": "Latest safe day of the reflection period",
    "residence_valid_until": "Temporary residence valid until",
    "appeal_against": ("The appeal is against", {"stay": "the refused recovery period",
                                                  "residence": "the refused residence"}),
})
