"""Handlers of the procedure that follows her when she disappears.

The missing-person report is due the day she was found missing; her other procedures
are paused (suspended) while she is missing and go on when she reappears, but her legal
deadlines keep running, so the legal adviser is told at once which fall in the coming
weeks. The search is checked again every ``missing.review_days`` days, counted from the
day she was found missing. Notices carry the case code and dates, never her name or
what anyone wrote about her.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from engine.kit.texts import translatable

from . import HANDLERS

REPORT = "missing_person_report_due"
EVERYONE = ("police", "coordinator", "ngo_counsellor", "social_work", "legal_adviser")
"""Who works with her in the procedures the search pauses and resumes."""
SUSPECTED = ("signs_found", "cannot_tell")
"""A re-trafficking check that cannot rule it out counts as one that found signs."""


def _day(ctx: Any, name: str) -> date:
    return date.fromisoformat(ctx.data[name][:10])


def next_check_at(found: date, now: Any, jurisdiction: Any) -> str:
    """The next search check after ``now``: the reminder hour of a day a whole number of
    review periods after the day she was found missing (never that day itself).

    Counted from the legal date, not from when a step ran, so that a late entry or a
    check recorded early does not shift the rhythm, and a search entered weeks late gets
    one check next, not a burst of the missed ones.
    """
    every = jurisdiction.missing_review_days
    today = now.astimezone(jurisdiction.timezone).date()
    periods = max(1, (today - found).days // every)
    moment = jurisdiction.at_reminder_hour(found + timedelta(days=periods * every))
    if moment <= now:
        moment = jurisdiction.at_reminder_hour(found + timedelta(days=(periods + 1) * every))
    return moment.isoformat()


def _next_check(ctx: Any) -> dict[str, Any]:
    return {"next_check_at": next_check_at(_day(ctx, "found_missing_on"), ctx.now,
                                           ctx.jurisdiction),
            "search_checks": int(ctx.data.get("search_checks") or 0) + 1}


@HANDLERS.register("disappearance.open_search")
def open_search(ctx: Any) -> dict[str, Any]:
    """The report is due the day she was found missing; the case is paused; everyone
    working with her is told, and for a child the police and social work at once."""
    found, seen = _day(ctx, "found_missing_on"), _day(ctx, "last_seen_on")
    ctx.set_deadline(REPORT, found, owner="police",
                     title=translatable("Take the missing-person report"))
    ctx.pause_case(translatable("She is missing since {day}: her procedures wait until she "
                                "reappears").format(day=found.isoformat()))
    ctx.notify(list(EVERYONE[:4]),
               translatable("She is missing (case {code})").format(code=ctx.case_code),
               translatable("She was last seen on {seen} and found missing on {day}. The "
                            "police take the missing-person report at once. Her other "
                            "procedures are paused until she reappears; her legal deadlines "
                            "keep running.").format(seen=seen.isoformat(),
                                                    day=found.isoformat()))
    if ctx.data.get("is_child"):
        ctx.notify(["police", "social_work"],
                   translatable("A child is missing (case {code})").format(code=ctx.case_code),
                   translatable("Activate the child alert and tell her guardian now; do not "
                                "wait for anything else."))
    return {"search_open": True, "case_paused": True, "search_checks": 0,
            "next_check_at": next_check_at(found, ctx.now, ctx.jurisdiction)}


@HANDLERS.register("disappearance.tell_legal_deadlines")
def tell_legal_deadlines(ctx: Any) -> dict[str, Any]:
    """Her permitted stay or permit can lapse while she is missing: list for the legal
    adviser the case's open legal deadlines due soon (or already past their safe day)."""
    days = ctx.jurisdiction.missing_deadline_notice_days
    due = ctx.open_case_deadlines(days)
    if due:
        listed = "; ".join(
            translatable("{title}: latest safe day {safe}, legal date {legal}").format(
                title=d.title, safe=d.latest_safe_day.isoformat(),
                legal=d.legal_date.isoformat()) for d in due)
        body = translatable("Her legal deadlines keep running while she is missing. Due "
                            "within {days} days: {deadlines}. Act on each as far as you can "
                            "without her.").format(days=days, deadlines=listed)
    else:
        body = translatable("No legal deadline of her case falls within {days} days; her "
                            "deadlines keep running while she is missing.").format(days=days)
    ctx.notify(["legal_adviser"],
               translatable("She is missing: her legal deadlines keep running (case {code})")
               .format(code=ctx.case_code), body)
    return {"legal_deadlines_told": [
        {"kind": d.kind, "ref": d.ref, "legal_date": d.legal_date.isoformat(),
         "latest_safe_day": d.latest_safe_day.isoformat()} for d in due]}


@HANDLERS.register("disappearance.record_report")
def record_report(ctx: Any) -> None:
    """The report was taken: the deadline is met, or missed if after the day she was
    found missing."""
    ctx.meet_deadline(REPORT, on=_day(ctx, "report_taken_on"))


def _suspected(ctx: Any, name: str) -> bool:
    return ctx.data.get(name) in SUSPECTED


@HANDLERS.register("disappearance.record_retrafficking_check")
def record_retrafficking_check(ctx: Any) -> dict[str, Any]:
    """Signs she was taken back, or no way to rule it out: the police search for her as a
    possible victim of a new offence."""
    suspected = _suspected(ctx, "retrafficking_assessment")
    if suspected:
        ctx.notify(["police", "coordinator"],
                   translatable("Signs of re-trafficking (case {code})")
                   .format(code=ctx.case_code),
                   translatable("The re-trafficking check found signs that she may have been "
                                "taken back by her traffickers, or cannot rule it out. Search "
                                "for her as a possible victim of a new offence, with high "
                                "priority."))
    return {"retrafficking_suspected": suspected}


@HANDLERS.register("disappearance.recheck")
def recheck(ctx: Any) -> dict[str, Any]:
    """The review period passed with the search open: ask for a check."""
    found = _day(ctx, "found_missing_on")
    ctx.notify(["coordinator", "police"],
               translatable("Search check: is she still missing? (case {code})")
               .format(code=ctx.case_code),
               translatable("She has been missing since {day} ({days} days). Check with the "
                            "police, her shelter and the partner organisations, and record "
                            "whether she reappeared.")
               .format(day=found.isoformat(), days=(ctx.today - found).days))
    return _next_check(ctx)


@HANDLERS.register("disappearance.still_missing")
def still_missing(ctx: Any) -> dict[str, Any]:
    """A check found her still missing: the next one follows the rhythm of the search."""
    return _next_check(ctx)


@HANDLERS.register("disappearance.she_is_back")
def she_is_back(ctx: Any) -> dict[str, Any]:
    """She reappeared: her paused procedures go on at once, and everyone is told, so that
    nothing waits for the check after her return (her deadlines never did)."""
    back = _day(ctx, "reappeared_on")
    due = ctx.legal_date(REPORT)
    ctx.cancel_deadline(REPORT, reason=f"she reappeared on {back.isoformat()} before a report "
                                       f"was recorded (due {due.isoformat() if due else '-'})")
    ctx.resume_case(translatable("She reappeared on {day}").format(day=back.isoformat()))
    ctx.notify(list(EVERYONE),
               translatable("She has reappeared (case {code})").format(code=ctx.case_code),
               translatable("She reappeared on {day}. The search and any child alert end; her "
                            "paused procedures go on from where they stopped. The coordinator "
                            "checks again for signs of re-trafficking.")
               .format(day=back.isoformat()))
    return {"search_open": False, "case_paused": False}


@HANDLERS.register("disappearance.record_return_check")
def record_return_check(ctx: Any) -> dict[str, Any]:
    """After her return: signs she is under the traffickers' control reach the police, and
    her wish to leave the programmes reaches the coordinator, who records it in each."""
    suspected = _suspected(ctx, "return_assessment")
    if suspected:
        ctx.notify(["police", "coordinator"],
                   translatable("Signs of re-trafficking after her return (case {code})")
                   .format(code=ctx.case_code),
                   translatable("She is back, but the check found signs that she may be under "
                                "her traffickers' control, or cannot rule it out. Review her "
                                "safety and protection now."))
    if ctx.data.get("return_wish") == "leave_the_programmes":
        ctx.notify(["coordinator"],
                   translatable("She wants to leave the programmes (case {code})")
                   .format(code=ctx.case_code),
                   translatable("Record her decision in each of her procedures; she may come "
                                "back to them at any time."))
    return {"return_retrafficking_suspected": suspected}


@HANDLERS.register("disappearance.close_search")
def close_search(ctx: Any) -> dict[str, Any]:
    """The coordinator closed the search: the case stays paused, with the reason kept in
    this procedure's data and history."""
    ctx.notify(list(EVERYONE),
               translatable("Search closed (case {code})").format(code=ctx.case_code),
               translatable("The coordinator closed the search on {day}. Her procedures stay "
                            "paused: a coordinator resumes them if she comes back. Her legal "
                            "deadlines keep running.").format(day=ctx.data["search_checked_on"]))
    return {"search_open": False, "search_closed_on": ctx.data["search_checked_on"]}


HANDLERS.describe({
    "case_paused": "Her case is paused while she is missing",
    "legal_deadlines_told": "Those who hold her legal deadlines were told",
    "next_check_at": "Next check of the search",
    "retrafficking_suspected": "Re-trafficking is suspected",
    "return_retrafficking_suspected": "Re-trafficking is suspected after her return",
    "search_checks": "Checks of the search so far",
    "search_closed_on": "Search closed on",
    "search_open": "The search is open",
})
