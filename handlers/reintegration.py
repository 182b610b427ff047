"""Handlers of the (re)integration programme: the intake record, the team's notice, the cost
annexes, the review rhythm and the outcome.

Output: ``reintegration_outcome`` (``completed``, ``left``, ``declined`` or
``not_admitted``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from engine.kit.dates import stored_date
from engine.kit.texts import translatable
from forms.reintegration import INTAKE_TOPICS

from . import HANDLERS

WORK_HOUR = 9
"""Local hour at which a task brought by a timer appears in the worklist."""
REVIEW_KIND = "plan_review_due"


def local_instant(day: date, tz: Any) -> str:
    return datetime.combine(day, time(WORK_HOUR), tzinfo=tz).isoformat()


def _outcome(value: str, **more: Any) -> dict[str, Any]:
    return {"reintegration_outcome": value, **more}


@HANDLERS.register("reintegration.record_session")
def record_session(ctx: Any) -> dict[str, Any]:
    """Keep every intake session in the record and what the intake has covered so far."""
    data = ctx.data
    if data.get("left_programme"):
        return {}  # she left instead of holding the session
    session = {"date": data.get("session_date"), "minutes": data.get("session_minutes"),
               "topics": list(data.get("topics_covered") or []),
               "notes": data.get("session_notes"),
               "confirmed_by_her": bool(data.get("notes_confirmed"))}
    sessions = [*data.get("intake_sessions", []), session]
    covered = set(data.get("intake_topics_covered") or []) | set(session["topics"])
    return {"intake_sessions": sessions,
            "intake_topics_covered": [t for t in INTAKE_TOPICS if t in covered],
            "intake_minutes_total": sum(int(s["minutes"] or 0) for s in sessions)}


@HANDLERS.register("reintegration.schedule_team_decision")
def schedule_team_decision(ctx: Any) -> dict[str, Any]:
    """The team postponed its decision: bring it back on the day it set."""
    until = stored_date(ctx.data.get("postponed_until"))
    if until is None:
        raise ValueError("the day of the postponed decision is missing")
    return {"team_decision_at": local_instant(until, ctx.timezone)}


@HANDLERS.register("reintegration.notify_team")
def notify_team(ctx: Any) -> dict[str, Any]:
    """Tell the multidisciplinary team that she joined, if she agreed to it being told."""
    if not ctx.data.get("team_notice_consent"):
        return {"team_notified": False}
    ctx.notify(["coordinator"], translatable("Admitted to the (re)integration programme"),
               translatable("The NGO team admitted her to the (re)integration programme; the "
                            "counsellor now prepares her individual plan with her."))
    return {"team_notified": True}


@HANDLERS.register("reintegration.record_annex")
def record_annex(ctx: Any) -> dict[str, Any]:
    """Number the annex and add up what the agreed steps cost."""
    data = ctx.data
    steps = list(data.get("annex_steps") or [])
    total = sum((Decimal(str(s["cost"])) for s in steps), Decimal("0"))
    annexes = [*data.get("annexes", []),
               {"number": len(data.get("annexes", [])) + 1,
                "agreed_on": data.get("annex_agreed_on"), "steps": steps,
                "total_cost": f"{total:.2f}"}]
    overall = sum((Decimal(a["total_cost"]) for a in annexes), Decimal("0"))
    return {"annexes": annexes, "annex_total_cost": f"{overall:.2f}"}


@HANDLERS.register("reintegration.schedule_review")
def schedule_review(ctx: Any) -> dict[str, Any]:
    """The next review comes ``programme.review_interval_days`` after the last one (or
    after the contract was signed): monthly meetings at first (seed 001, 3.3)."""
    data = ctx.data
    base = stored_date(data.get("last_review_on")) or stored_date(data.get("contract_signed_on"))
    if base is None:
        raise ValueError("neither a review nor the signed contract gives a date to count from")
    number = int(data.get("review_count", 0)) + 1
    due = base + timedelta(days=ctx.jurisdiction.programme_review_days)
    ref = f"reintegration-review-{number}"
    ctx.set_deadline(REVIEW_KIND, due, owner="ngo_counsellor", ref=ref,
                     title=translatable("Review {number} of the (re)integration plan")
                     .format(number=number))
    return {"review_count": number, "open_review_ref": ref, "next_review_on": due.isoformat(),
            "next_review_at": local_instant(due, ctx.timezone)}


@HANDLERS.register("reintegration.record_review")
def record_review(ctx: Any) -> dict[str, Any]:
    """Mark the review done and keep its summary."""
    data = ctx.data
    if data.get("left_programme"):
        reviewed = stored_date(data.get("left_on")) or ctx.today
    else:
        reviewed = stored_date(data.get("reviewed_on")) or ctx.today
    ref = data.get("open_review_ref")
    if ref:
        ctx.meet_deadline(REVIEW_KIND, reviewed, ref=ref)
    summary = {"reviewed_on": reviewed.isoformat(), "goals_reached": bool(
        data.get("goals_reached")), "left_programme": bool(data.get("left_programme"))}
    if not data.get("left_programme"):
        summary.update({area: data.get(f"{area}_progress") for area in
                        ("language", "schooling", "recognition", "employment",
                         "social_network")})
    return {"reviews": [*data.get("reviews", []), summary],
            "last_review_on": reviewed.isoformat(), "open_review_ref": None}


@HANDLERS.register("reintegration.record_declined")
def record_declined(ctx: Any) -> dict[str, Any]:
    """She does not (yet) want the programme: respected; she may enter later."""
    on = (ctx.data.get("left_on") if ctx.data.get("left_programme")
          else ctx.data.get("entry_decision_date"))
    return _outcome("declined", declined_on=on or ctx.today.isoformat())


@HANDLERS.register("reintegration.record_not_admitted")
def record_not_admitted(ctx: Any) -> dict[str, Any]:
    """The team did not admit her; the counsellor tells her why and what else is open."""
    return _outcome("not_admitted")


@HANDLERS.register("reintegration.record_left")
def record_left(ctx: Any) -> dict[str, Any]:
    """She left: close the open review and tell the team that was told she joined."""
    left_on = ctx.data.get("left_on") or ctx.today.isoformat()
    ref = ctx.data.get("open_review_ref")
    if ref:
        ctx.cancel_deadline(REVIEW_KIND, reason="she left the programme", ref=ref)
    if ctx.data.get("team_notified"):
        ctx.notify(["coordinator"], translatable("Left the (re)integration programme"),
                   translatable("She left the (re)integration programme; she may enter it again "
                                "later."))
    return _outcome("left", left_on=left_on, open_review_ref=None)


@HANDLERS.register("reintegration.record_completed")
def record_completed(ctx: Any) -> dict[str, Any]:
    """Close the programme as completed, telling the coordinator when the team was told."""
    if ctx.data.get("team_notified"):
        ctx.notify(["coordinator"], translatable("(Re)integration programme completed"),
                   translatable("She reached the goals of her (re)integration plan."))
    return _outcome("completed", completed_on=ctx.data.get("last_review_on"))


HANDLERS.describe({
    "annex_total_cost": "Total cost of the annexes",
    "annexes": "Annexes to the programme",
    "intake_minutes_total": "Minutes of intake interviews in all",
    "intake_sessions": "Intake interviews held",
    "intake_topics_covered": "Topics covered at intake",
    "last_review_on": "Last reviewed on",
    "next_review_at": "Next review of the programme",
    "next_review_on": "Next review of the programme on",
    "open_review_ref": "The review now open",
    "reintegration_outcome": "Outcome of the programme",
    "review_count": "Reviews of the programme so far",
    "reviews": "Reviews of the programme",
    "team_decision_at": "The team decides again",
    "team_notified": "The multidisciplinary team was told",
})
