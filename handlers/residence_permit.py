"""Handlers of the temporary residence permit (Art. 50(4)-(9) ZTuj-2): its legal dates.

Every deadline here is tied to the end of a lawful stay: the application before the
permitted stay ends (6), renewals and the further permit before the permit expires (7),
(9). Lateness is decided from each branch's own data in the handler, because while the
school enrolment runs beside this procedure a form may see the other branch's data.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from engine.jurisdiction import add_months
from engine.texts import translatable
from forms.fields import stored_date
from forms.reflection import VICTIM_CATEGORIES

from . import HANDLERS

RENEWAL_WARNING_DAYS = 42
"""The legal adviser is asked to act this many days before the permit's latest safe day."""


def _day(data: Any, name: str) -> date:
    value = stored_date(data.get(name))
    if value is None:
        raise ValueError(f"{name} is not set in the process data")
    return value


def _warning_at(valid_until: date, ctx: Any) -> str:
    """08:00 local time, some weeks before the last working day of the permit."""
    safe = ctx.jurisdiction.latest_safe_day(valid_until)
    moment = datetime.combine(safe - timedelta(days=RENEWAL_WARNING_DAYS), time(8),
                              tzinfo=ctx.timezone)
    return moment.isoformat()


@HANDLERS.register("residence_permit.open_application_deadline")
def open_application_deadline(ctx: Any) -> dict[str, Any]:
    """Open ``permit_application_due`` on the last day of her lawful stay, when known.

    That day is the end of the permitted stay (``reflection_end``) or, when she stays
    lawfully on another basis, the ``lawful_stay_end`` the legal adviser records.
    """
    category = ctx.data.get("victim_category")
    if category not in VICTIM_CATEGORIES:
        raise ValueError(f"victim_category must be one of {', '.join(VICTIM_CATEGORIES)}, "
                         f"not {category!r}")
    limits = {"permit_min_months": ctx.jurisdiction.permit_min_months,
              "permit_max_months": ctx.jurisdiction.permit_max_months,
              "renewal_max_months": ctx.jurisdiction.renewal_max_months}
    end = stored_date(ctx.data.get("lawful_stay_end")) or stored_date(
        ctx.data.get("reflection_end"))
    if end is None:
        return {**limits, "stay_end_known": False}
    ctx.set_deadline("permit_application_due", end, owner="legal_adviser",
                     title=translatable("File the Art. 50 permit application before her stay ends"))
    return {**limits, "stay_end_known": True, "stay_end": end.isoformat(),
            "permit_application_latest_safe_day":
                ctx.jurisdiction.latest_safe_day(end).isoformat()}


@HANDLERS.register("residence_permit.close_not_confirmed")
def close_not_confirmed(ctx: Any) -> dict[str, Any]:
    """No confirmation of cooperation: no permit is possible (Art. 50(4)); a normal outcome."""
    ctx.cancel_deadline("permit_application_due",
                        reason="her cooperation was not confirmed, so no Art. 50 permit")
    ctx.notify(["coordinator"], translatable("Art. 50 permit not possible"),
               translatable("Her cooperation was not confirmed; plan the next steps with her."))
    return {"permit_outcome": "not_confirmed", "permit_issued_on": None,
            "permit_valid_until": None, "further_permit_filed_on": None}


@HANDLERS.register("residence_permit.record_application")
def record_application(ctx: Any) -> dict[str, Any]:
    """Meet the application deadline on the filing date; after the stay ended it is missed."""
    filed = _day(ctx.data, "application_filed_on")
    end = _day(ctx.data, "stay_end")
    late = filed > end
    ctx.meet_deadline("permit_application_due", on=filed)
    if late:
        ctx.notify(["legal_adviser", "coordinator"], translatable("Permit application filed late"),
                   translatable("The application was filed after her lawful stay ended, so she "
                                "gets no certificate and has no lawful stay until the decision."))
    return {"late_filing": late, "fee_exempt": bool(ctx.data.get("no_means"))}


@HANDLERS.register("residence_permit.record_refusal")
def record_refusal(ctx: Any) -> dict[str, Any]:
    ctx.notify(["coordinator", "legal_adviser"], translatable("Art. 50 permit refused"),
               translatable("The certificate no longer counts as a permit; plan the next steps "
                            "with her and consider an appeal."))
    return {"permit_outcome": "refused", "permit_issued_on": None,
            "permit_valid_until": None, "further_permit_filed_on": None}


@HANDLERS.register("residence_permit.record_permit")
def record_permit(ctx: Any) -> dict[str, Any]:
    """Compute the permit's validity and open ``permit_expiry`` on its last day.

    A validity stated on the permit wins; otherwise the expected length of the
    proceedings, clamped to the legal minimum and maximum (Art. 50(7)).
    """
    issued = _day(ctx.data, "permit_issued_on")
    stated = ctx.data.get("validity_months")
    if stated:
        valid_until = add_months(issued, int(stated))
    else:
        expected = int(ctx.data["expected_proceedings_months"])
        valid_until = ctx.jurisdiction.permit_valid_until(issued, expected)
    ctx.set_deadline("permit_expiry", valid_until, owner="legal_adviser",
                     title=translatable("Renew the permit or apply on another basis before it "
                                        "expires"))
    if ctx.data.get("no_means"):
        ctx.notify(["coordinator"], translatable("Permit issued: assistance from social work"),
                   translatable("She has no means: with her consent, refer her to the centre for "
                                "social work for urgent health care and financial assistance "
                                "(Art. 50(8))."))
    return {"permit_outcome": "issued", "permit_valid_until": valid_until.isoformat(),
            "permit_renewal_warning_at": _warning_at(valid_until, ctx),
            "schooling_started": False, "renewals": 0}


@HANDLERS.register("residence_permit.warn_expiry")
def warn_expiry(ctx: Any) -> None:
    ctx.notify(["legal_adviser", "coordinator"], translatable("Art. 50 permit expires soon"),
               translatable("The permit is valid until {day}: apply for a renewal or for a "
                            "further permit before then.")
               .format(day=ctx.data.get("permit_valid_until")))


@HANDLERS.register("residence_permit.start_schooling")
def start_schooling(ctx: Any) -> dict[str, Any]:
    """Schooling runs once beside this procedure; the flag keeps it from starting twice."""
    return {"schooling_started": True}


def _renewal_ref(data: Any) -> str:
    return f"renewal-{int(data.get('renewals') or 0) + 1}"


@HANDLERS.register("residence_permit.open_renewal")
def open_renewal(ctx: Any) -> dict[str, Any]:
    """The renewal must be applied for before the current permit expires."""
    valid_until = _day(ctx.data, "permit_valid_until")
    ctx.set_deadline("renewal_application_due", valid_until, owner="legal_adviser",
                     title=translatable("Apply for the renewal before the permit expires"),
                     ref=_renewal_ref(ctx.data))
    return {"renewal_latest_safe_day":
            ctx.jurisdiction.latest_safe_day(valid_until).isoformat()}


@HANDLERS.register("residence_permit.record_renewal_application")
def record_renewal_application(ctx: Any) -> dict[str, Any]:
    filed = _day(ctx.data, "renewal_filed_on")
    late = filed > _day(ctx.data, "permit_valid_until")
    ctx.meet_deadline("renewal_application_due", on=filed, ref=_renewal_ref(ctx.data))
    if late:
        ctx.notify(["legal_adviser", "coordinator"], translatable("Renewal applied for late"),
                   translatable("The renewal was applied for after the permit expired."))
    return {"renewal_late": late}


@HANDLERS.register("residence_permit.apply_renewal_decision")
def apply_renewal_decision(ctx: Any) -> dict[str, Any]:
    """A renewal continues the permit: the new validity counts from the old last day."""
    renewals = int(ctx.data.get("renewals") or 0) + 1
    if ctx.data.get("renewal_decision") != "renewed":
        ctx.notify(["legal_adviser", "coordinator"], translatable("Renewal refused"),
                   translatable("She needs a permit on another basis, applied for before the "
                                "current permit expires."))
        return {"renewals": renewals}
    months = int(ctx.data["renewal_months"])
    if months > ctx.jurisdiction.renewal_max_months:
        raise ValueError(f"a renewal is for at most {ctx.jurisdiction.renewal_max_months} "
                         f"months, not {months}")
    valid_until = add_months(_day(ctx.data, "permit_valid_until"), months)
    ctx.set_deadline("permit_expiry", valid_until, owner="legal_adviser",
                     title=translatable("Renew the permit or apply on another basis before it "
                                        "expires"))
    return {"renewals": renewals, "permit_valid_until": valid_until.isoformat(),
            "permit_renewal_warning_at": _warning_at(valid_until, ctx)}


@HANDLERS.register("residence_permit.open_further_permit")
def open_further_permit(ctx: Any) -> dict[str, Any]:
    """Art. 50(9): the further permit must be applied for before the current one expires."""
    valid_until = _day(ctx.data, "permit_valid_until")
    ctx.set_deadline("further_permit_application_due", valid_until, owner="legal_adviser",
                     title=translatable("Apply for a permit on another basis before the permit "
                                        "expires"))
    return {"further_permit_latest_safe_day":
            ctx.jurisdiction.latest_safe_day(valid_until).isoformat()}


@HANDLERS.register("residence_permit.record_further_permit")
def record_further_permit(ctx: Any) -> dict[str, Any]:
    """Meet (or, when she does not apply, cancel) the further-permit deadline."""
    if ctx.data.get("further_permit_basis") == "none":
        reason = "she does not apply for a further permit"
        ctx.cancel_deadline("further_permit_application_due", reason=reason)
        ctx.cancel_deadline("permit_expiry", reason=reason)
        return {"further_permit_filed_on": None, "further_permit_late": False}
    filed = _day(ctx.data, "further_permit_filed_on")
    late = filed > _day(ctx.data, "permit_valid_until")
    ctx.meet_deadline("further_permit_application_due", on=filed)
    ctx.meet_deadline("permit_expiry", on=filed)
    if late:
        ctx.notify(["legal_adviser", "coordinator"], translatable("Further permit applied for "
                                                                  "late"),
                   translatable("The application was filed after the Art. 50 permit expired."))
    return {"further_permit_filed_on": filed.isoformat(), "further_permit_late": late}
