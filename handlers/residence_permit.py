"""Handlers of the temporary residence permit (Art. 50(4)-(9) ZTuj-2): its legal dates.

Every deadline here is tied to the end of a lawful stay: the application before the
permitted stay ends (6), renewals and the further permit before the permit expires (7),
(9). Lateness is decided from each branch's own data in the handler, because while the
school enrolment runs beside this procedure a form may see the other branch's data.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from engine.kit.dates import required_day, stored_date
from engine.kit.jurisdiction import add_months
from engine.kit.texts import translatable
from forms.reflection import VICTIM_CATEGORIES

from . import HANDLERS
from .appeals import record_appeal_choice


def _warning_at(valid_until: date, ctx: Any) -> str:
    """The reminder hour, ``permit.expiry_warning_days`` before the permit's last working
    day: a renewal or a further permit needs weeks of preparation."""
    safe = ctx.jurisdiction.latest_safe_day(valid_until)
    return ctx.jurisdiction.warning_morning(safe, ctx.jurisdiction.permit_warning_days
                                            ).isoformat()


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
    child = {"is_child": bool(ctx.data.get("is_child")),
             "unaccompanied_minor": bool(ctx.data.get("unaccompanied_minor"))}
    end = stored_date(ctx.data.get("lawful_stay_end")) or stored_date(
        ctx.data.get("reflection_end"))
    if end is None:
        return {**child, "stay_end_known": False}
    ctx.set_deadline("permit_application_due", end, owner="legal_adviser",
                     title=translatable("File the Art. 50 permit application before her stay ends"))
    return {**child, "stay_end_known": True, "stay_end": end.isoformat(),
            "permit_application_latest_safe_day":
                ctx.jurisdiction.latest_safe_day(end).isoformat()}


def _decided_to_cooperate(data: Any) -> date:
    """The day she decided to cooperate: the reflection period's decision, or the day
    given when the procedure was started on its own."""
    day = stored_date(data.get("cooperation_decided_on"))
    if day is None and data.get("decision") == "cooperate":
        day = stored_date(data.get("decision_date"))
    if day is None:
        raise ValueError("the day she decided to cooperate is not known: neither "
                         "cooperation_decided_on nor a reflection decision to cooperate")
    return day


@HANDLERS.register("residence_permit.open_confirmation")
def open_confirmation(ctx: Any) -> dict[str, Any]:
    """Ask the prosecutor for the confirmation of Art. 50(4), with its own due date.

    The filing does not wait for it (Art. 50(6) asks only that the application be filed
    before her stay ends); the administrative unit needs it to issue the permit, so the
    prosecutor is reminded and the coordinator alerted like any other deadline.
    """
    due = _decided_to_cooperate(ctx.data) + timedelta(days=ctx.jurisdiction.confirmation_days)
    ctx.set_deadline("cooperation_confirmation_due", due, owner="prosecutor",
                     title=translatable("Confirm her cooperation for the Art. 50 permit"))
    return {"confirmation_latest_safe_day": ctx.jurisdiction.latest_safe_day(due).isoformat()}


@HANDLERS.register("residence_permit.record_confirmation")
def record_confirmation(ctx: Any) -> dict[str, Any]:
    """The prosecutor answered; a "not confirmed" goes to the administrative unit's
    decision and never cancels the filing deadline."""
    ctx.meet_deadline("cooperation_confirmation_due",
                      on=required_day(ctx.data, "cooperation_confirmed_on"))
    confirmed = bool(ctx.data.get("cooperation_confirmed"))
    if not confirmed:
        ctx.notify(["legal_adviser", "coordinator", "admin_unit"],
                   translatable("Cooperation not confirmed"),
                   translatable("The prosecutor did not confirm her cooperation. The "
                                "administrative unit decides on the application (Art. 50(4), "
                                "(5)); her application must still be filed before her stay "
                                "ends, and she may appeal a refusal."))
    return {"cooperation_confirmed": confirmed}


@HANDLERS.register("residence_permit.record_application")
def record_application(ctx: Any) -> dict[str, Any]:
    """Meet the application deadline on the filing date; after the stay ended it is missed."""
    filed = required_day(ctx.data, "application_filed_on")
    end = required_day(ctx.data, "stay_end")
    late = filed > end
    ctx.meet_deadline("permit_application_due", on=filed)
    if late:
        ctx.notify(["legal_adviser", "coordinator"], translatable("Permit application filed late"),
                   translatable("The application was filed after her lawful stay ended, so she "
                                "gets no certificate and has no lawful stay until the decision."))
    return {"late_filing": late, "fee_exempt": bool(ctx.data.get("no_means"))}


@HANDLERS.register("residence_permit.record_refusal")
def record_refusal(ctx: Any) -> dict[str, Any]:
    """A first refusal is not final: open ``appeal_due`` from the day it was served.

    Art. 50(6): the certificate counts as a permit until the *final* decision, so it
    still counts while the appeal period runs and while an appeal is decided.
    """
    due = ctx.jurisdiction.appeal_due(required_day(ctx.data, "refusal_served_on"))
    ctx.set_deadline("appeal_due", due, owner="legal_adviser",
                     title=translatable("Appeal against the refusal of the Art. 50 permit"))
    safe = ctx.jurisdiction.latest_safe_day(due)
    ctx.notify(["coordinator", "legal_adviser"], translatable("Art. 50 permit refused"),
               translatable("The refusal is not final: the certificate still counts as a "
                            "permit. An appeal must be filed by {day}.").format(
                                day=safe.isoformat()))
    return {"permit_outcome": "refused", "refusal_final": False,
            "appeal_latest_safe_day": safe.isoformat(), "appeal_decision": None}


@HANDLERS.register("residence_permit.record_appeal")
def record_appeal(ctx: Any) -> dict[str, Any]:
    """Meet the appeal deadline on the filing day, or close it when she does not appeal."""
    return record_appeal_choice(ctx, "she does not appeal the refusal")


@HANDLERS.register("residence_permit.record_appeal_decision")
def record_appeal_decision(ctx: Any) -> dict[str, Any]:
    """An upheld appeal sends the application back to the administrative unit."""
    if ctx.data.get("appeal_decision") == "upheld":
        ctx.notify(["admin_unit", "legal_adviser"], translatable("Appeal upheld"),
                   translatable("The application returns to the administrative unit for a new "
                                "decision; the certificate still counts as a permit."))
    return {}


@HANDLERS.register("residence_permit.record_final_refusal")
def record_final_refusal(ctx: Any) -> dict[str, Any]:
    """The refusal became final: when the appeal was dismissed and served, or when the
    appeal period passed without one. Only now does the certificate stop counting."""
    if ctx.data.get("appeal_filed"):
        final_on = required_day(ctx.data, "appeal_decision_served_on")
    else:
        final_on = ctx.jurisdiction.appeal_due(required_day(ctx.data, "refusal_served_on"))
    ctx.notify(["coordinator", "legal_adviser"], translatable("Art. 50 permit refusal final"),
               translatable("The refusal is final from {day}: from then the certificate no "
                            "longer counts as a permit. Plan the next steps with her.")
               .format(day=final_on.isoformat()))
    return {"refusal_final": True, "refusal_final_on": final_on.isoformat(),
            "permit_issued_on": None, "permit_valid_until": None,
            "further_permit_filed_on": None}


@HANDLERS.register("residence_permit.record_permit")
def record_permit(ctx: Any) -> dict[str, Any]:
    """Compute the permit's validity and open ``permit_expiry`` on its last day.

    A validity stated on the permit wins; otherwise the expected length of the
    proceedings, clamped to the legal minimum and maximum (Art. 50(7)).
    """
    issued = required_day(ctx.data, "permit_issued_on")
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
    """Warn the legal adviser and the coordinator that the permit expires soon."""
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
    valid_until = required_day(ctx.data, "permit_valid_until")
    ctx.set_deadline("renewal_application_due", valid_until, owner="legal_adviser",
                     title=translatable("Apply for the renewal before the permit expires"),
                     ref=_renewal_ref(ctx.data))
    return {"renewal_latest_safe_day":
            ctx.jurisdiction.latest_safe_day(valid_until).isoformat()}


@HANDLERS.register("residence_permit.record_renewal_application")
def record_renewal_application(ctx: Any) -> dict[str, Any]:
    """Meet the renewal deadline on the filing day; a filing after the expiry is late."""
    filed = required_day(ctx.data, "renewal_filed_on")
    late = filed > required_day(ctx.data, "permit_valid_until")
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
    valid_until = add_months(required_day(ctx.data, "permit_valid_until"), months)
    ctx.set_deadline("permit_expiry", valid_until, owner="legal_adviser",
                     title=translatable("Renew the permit or apply on another basis before it "
                                        "expires"))
    wage_claim = ctx.data.get("next_step") == "renew_for_wage_claim"
    if wage_claim:
        ctx.notify(["legal_adviser"], translatable("Renewed for the wage claim"),
                   translatable("If the employer pays before the permit expires, she must "
                                "report the payment to the administrative unit (Art. 50(7)): "
                                "record it in the case."))
    return {"renewals": renewals, "permit_valid_until": valid_until.isoformat(),
            "permit_renewal_warning_at": _warning_at(valid_until, ctx),
            "wage_claim_renewal": wage_claim or bool(ctx.data.get("wage_claim_renewal"))}


@HANDLERS.register("residence_permit.record_wage_payment")
def record_wage_payment(ctx: Any) -> dict[str, Any]:
    """Art. 50(7): a victim of illegal employment reports the payment of her wages to the
    administrative unit; the renewal for the claim no longer rests on it."""
    ctx.notify(["admin_unit", "legal_adviser"], translatable("Unpaid wages paid"),
               translatable("Case {code}: the employer paid her wages on {day}; she reported "
                            "it on {reported} (Art. 50(7)).").format(
                                code=ctx.case_code, day=ctx.data.get("wages_paid_on"),
                                reported=ctx.data.get("payment_reported_on")))
    return {"wage_claim_renewal": False}


@HANDLERS.register("residence_permit.open_further_permit")
def open_further_permit(ctx: Any) -> dict[str, Any]:
    """Art. 50(9): the further permit must be applied for before the current one expires."""
    valid_until = required_day(ctx.data, "permit_valid_until")
    ctx.set_deadline("further_permit_application_due", valid_until, owner="legal_adviser",
                     title=translatable("Apply for a permit on another basis before the permit "
                                        "expires"))
    safe = ctx.jurisdiction.latest_safe_day(valid_until)
    # The end of the Art. 50 permit is a cliff: everyone who supports her hears of it.
    ctx.notify(["coordinator", "ngo_counsellor", "legal_adviser"],
               translatable("Her Art. 50 permit will not be renewed"),
               translatable("Case {code}: the criminal proceedings ended or the renewal was "
                            "refused, so her permit ends on {end}. Unless she applies for a "
                            "permit on another basis by {day} (Art. 50(9)), she loses her "
                            "lawful stay.").format(code=ctx.case_code, end=valid_until.isoformat(),
                                                   day=safe.isoformat()))
    return {"further_permit_latest_safe_day": safe.isoformat()}


@HANDLERS.register("residence_permit.record_further_permit")
def record_further_permit(ctx: Any) -> dict[str, Any]:
    """Meet (or, when she does not apply, cancel) the further-permit deadline."""
    if ctx.data.get("further_permit_basis") == "none":
        reason = "she does not apply for a further permit"
        ctx.cancel_deadline("further_permit_application_due", reason=reason)
        ctx.cancel_deadline("permit_expiry", reason=reason)
        return {"further_permit_filed_on": None, "further_permit_late": False}
    filed = required_day(ctx.data, "further_permit_filed_on")
    late = filed > required_day(ctx.data, "permit_valid_until")
    ctx.meet_deadline("further_permit_application_due", on=filed)
    ctx.meet_deadline("permit_expiry", on=filed)
    if late:
        ctx.notify(["legal_adviser", "coordinator"], translatable("Further permit applied for "
                                                                  "late"),
                   translatable("The application was filed after the Art. 50 permit expired."))
    return {"further_permit_filed_on": filed.isoformat(), "further_permit_late": late}


@HANDLERS.register("residence_permit.record_withdrawal")
def record_withdrawal(ctx: Any) -> dict[str, Any]:
    """A withdrawal ends the permit from its service and opens the appeal period; a permit
    kept goes on as before."""
    if ctx.data.get("withdrawal_decision") != "withdrawn":
        ctx.notify(["legal_adviser", "coordinator"], translatable("Permit kept"),
                   translatable("After her hearing the administrative unit kept her permit."))
        return {"permit_withdrawn": False}
    served = required_day(ctx.data, "withdrawal_served_on")
    due = ctx.jurisdiction.appeal_due(served)
    reason = "the permit was withdrawn"
    for kind in ("permit_expiry", "school_enrolment_due"):
        ctx.cancel_deadline(kind, reason=reason)
    ctx.set_deadline("appeal_due", due, owner="legal_adviser", ref="withdrawal",
                     title=translatable("Appeal against the withdrawal of the Art. 50 permit"))
    ctx.notify(["legal_adviser", "coordinator"], translatable("Art. 50 permit withdrawn"),
               translatable("The permit was withdrawn; an appeal must be filed by {day}. Plan "
                            "the next steps with her.").format(
                                day=ctx.jurisdiction.latest_safe_day(due).isoformat()))
    return {"permit_withdrawn": True, "permit_outcome": "withdrawn",
            "withdrawal_appeal_latest_safe_day":
                ctx.jurisdiction.latest_safe_day(due).isoformat()}


HANDLERS.describe({
    "appeal_latest_safe_day": "Latest safe day to appeal",
    "confirmation_latest_safe_day": "Latest safe day for the prosecutor's confirmation",
    "fee_exempt": "She is exempt from the fee",
    "further_permit_late": "The further permit was applied for late",
    "further_permit_latest_safe_day": "Latest safe day to apply for a further permit",
    "late_filing": "The application was filed late",
    "permit_application_latest_safe_day": "Latest safe day to apply for the permit",
    "permit_outcome": ("Outcome of the permit application", {
        "issued": "Issued", "refused": "Refused", "withdrawn": "Withdrawn"}),
    "permit_renewal_warning_at": "Warning before the permit expires",
    "permit_withdrawn": "The permit was withdrawn",
    "refusal_final": "The refusal is final",
    "refusal_final_on": "The refusal became final on",
    "renewal_late": "The renewal was applied for late",
    "renewal_latest_safe_day": "Latest safe day to apply for a renewal",
    "renewals": "Renewals of the permit",
    "schooling_started": "Her schooling has started",
    "stay_end": "Her lawful stay ends on",
    "stay_end_known": "The end of her lawful stay is known",
    "wage_claim_renewal": "The permit is renewed for her wage claim",
    "withdrawal_appeal_latest_safe_day": "Latest safe day to appeal the withdrawal",
})
