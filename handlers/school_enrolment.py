"""Handlers of school enrolment: the hard deadline tied to the permit's expiry.

She must be enrolled before her Art. 50 permit expires, otherwise she cannot apply for a
permit on the basis of education (seed 001, 3.3.2). The deadline's legal date is the last
day of the permit; the warning is set weeks before the latest safe day, because
certificates from abroad and a school's agreement take time.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from engine.kit.dates import stored_date
from engine.kit.jurisdiction import add_months
from engine.kit.texts import translatable

from . import HANDLERS

REPORT_HOUR = time(8)
"""Timers fire at the start of a working morning, local time."""


def _permit_end(ctx: Any) -> date:
    """The permit's last day: the case's ``permit_expiry`` deadline, which a renewal
    moves, or (school enrolment started on its own) the date it was started with."""
    end = ctx.legal_date("permit_expiry") or stored_date(ctx.data.get("permit_valid_until"))
    if end is None:
        raise ValueError("permit_valid_until is not set: school enrolment needs the last day "
                         "of her Art. 50 permit")
    return end


def _morning(day: date, tz: Any) -> str:
    return datetime.combine(day, REPORT_HOUR, tzinfo=tz).isoformat()


@HANDLERS.register("school_enrolment.open_deadline")
def open_enrolment_deadline(ctx: Any) -> dict[str, Any]:
    """Open ``school_enrolment_due`` on the permit's last day and set the early warning."""
    end = _permit_end(ctx)
    safe = ctx.jurisdiction.latest_safe_day(end)
    ctx.set_deadline("school_enrolment_due", end, owner="ngo_counsellor",
                     title=translatable("Enrol her in school before her Art. 50 permit expires"))
    return {
        "permit_valid_until": end.isoformat(),
        "school_enrolment_latest_safe_day": safe.isoformat(),
        "school_warning_at": ctx.jurisdiction.warning_morning(
            safe, ctx.jurisdiction.school_warning_days).isoformat(),
    }


@HANDLERS.register("school_enrolment.follow_permit")
def follow_permit(ctx: Any) -> dict[str, Any]:
    """The permit was renewed or replaced: the enrolment deadline and its warning follow
    the permit's new last day, so no false "missed" or early warning comes from the old
    one."""
    moved = open_enrolment_deadline(ctx)
    ctx.notify(["ngo_counsellor", "legal_adviser"],
               translatable("School enrolment deadline moved with the permit"),
               translatable("Her permit now runs until {day}: enrol her by {safe}.")
               .format(day=moved["permit_valid_until"],
                       safe=moved["school_enrolment_latest_safe_day"]))
    return moved


@HANDLERS.register("school_enrolment.warn_legal_adviser")
def warn_legal_adviser(ctx: Any) -> None:
    """The warning moment came and she is not yet enrolled."""
    ctx.notify(["legal_adviser", "ngo_counsellor"], translatable("School enrolment not yet done"),
               translatable("The latest safe day to enrol her before her permit expires "
                            "is {day}.")
               .format(day=ctx.data.get("school_enrolment_latest_safe_day")))


@HANDLERS.register("school_enrolment.close_without_enrolment")
def close_without_enrolment(ctx: Any) -> dict[str, Any]:
    """She refused or stopped: a normal outcome; she may start again later."""
    ctx.cancel_deadline("school_enrolment_due",
                        reason="she decided not to enrol for now")
    ctx.notify(["legal_adviser"], translatable("School enrolment stopped"),
               translatable("She decided not to enrol for now, so a permit on the basis of "
                            "education is not in view; check the other bases before her permit "
                            "expires."))
    return {"school_enrolled": False, "enrolled_on": None}


@HANDLERS.register("school_enrolment.record_enrolment")
def record_enrolment(ctx: Any) -> dict[str, Any]:
    """Meet the deadline on the enrolment date; a date after the permit's end is missed.

    Lateness is computed from the case's deadline, not from data: this branch's copy of
    the permit's validity is not updated when the permit is renewed.
    """
    enrolled = date.fromisoformat(ctx.data["enrolled_on"])
    late = enrolled > (ctx.legal_date("school_enrolment_due") or _permit_end(ctx))
    ctx.meet_deadline("school_enrolment_due", on=enrolled)
    if late:
        ctx.notify(["legal_adviser", "ngo_counsellor"],
                   translatable("Enrolled after the permit expired"),
                   translatable("The enrolment was recorded after the last day of her Art. 50 "
                                "permit; the deadline is recorded as missed. Check at once what "
                                "basis of stay she still has."))
    return {"school_enrolled": True, "enrolment_late": late, "progress_reports_due": 0}


@HANDLERS.register("school_enrolment.schedule_progress_report")
def schedule_progress_report(ctx: Any) -> dict[str, Any]:
    """Monthly reports counted from the enrolment date (a missed month is not skipped)."""
    number = int(ctx.data.get("progress_reports_due") or 0) + 1
    due = add_months(date.fromisoformat(ctx.data["enrolled_on"]), number)
    return {"progress_reports_due": number,
            "next_progress_report_at": _morning(due, ctx.timezone)}


@HANDLERS.register("school_enrolment.close_programme")
def close_programme(ctx: Any) -> dict[str, Any]:
    """The school year or programme ended, or she left: tell the legal adviser if she left."""
    status = ctx.data.get("programme_status")
    if status == "left_school":
        ctx.notify(["legal_adviser", "ngo_counsellor"], translatable("She left school"),
                   translatable("A permit on the basis of education depends on her schooling; "
                                "review her basis of stay."))
    return {"schooling_ended_on": ctx.data.get("progress_report_on")}


HANDLERS.describe({
    "enrolment_late": "She was enrolled late",
    "next_progress_report_at": "Next progress report",
    "progress_reports_due": "Progress reports due",
    "school_enrolled": "She is enrolled in a school",
    "school_enrolment_latest_safe_day": "Latest safe day to enrol her",
    "school_warning_at": "Warning before the enrolment deadline",
    "schooling_ended_on": "Schooling ended on",
})
