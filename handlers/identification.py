"""Handlers of the identification: who she is for the procedure (child, foreigner without
lawful stay) and the outcome the calling procedure reads when identification ends."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.kit.texts import translatable
from forms.identification import age_on, is_minor

from . import HANDLERS

NEEDS_PERMITTED_STAY = frozenset({"foreigner_without_lawful_stay", "unknown"})
"""A foreigner without lawful stay, and anyone whose status is not known (no papers: her
passport may be held by the trafficker), is offered the permitted stay: the side that
protects her from removal while her status is found out."""


@HANDLERS.register("identification.assess_person")
def assess_person(ctx: Any) -> dict[str, Any]:
    """Derive the path data from the preliminary identification.

    Sets every output of the procedure to its value before a formal outcome, so that the
    calling procedure always finds them, whichever end is reached.
    """
    observed = date.fromisoformat(ctx.data["observed_on"])
    born = ctx.data.get("date_of_birth")
    born_on = date.fromisoformat(born) if born else None
    age = ctx.data.get("age_years")
    if born_on is not None:
        age = age_on(born_on, observed)
    child = is_minor(age, born_on, bool(ctx.data.get("treat_as_child")), observed)
    unaccompanied = child and bool(ctx.data.get("unaccompanied"))
    if child:
        ctx.notify(["social_work"], translatable("A child may be a victim of trafficking"),
                   translatable("Case {code}: appoint a guardian and contact the family.")
                   .format(code=ctx.case_code))
    return {
        "preliminary_on": observed.isoformat(),
        "age_years": age,
        "is_child": child,
        "unaccompanied_minor": unaccompanied,
        "foreigner_without_lawful_stay": ctx.data.get("stay_status") in NEEDS_PERMITTED_STAY,
        "stay_offered_early": False,
        "referral_consent": None,  # not asked yet: never shown as her "no"
        "identification_outcome": "undetermined",
        "identified_on": None,
        "identification_rounds": 0,
    }


@HANDLERS.register("identification.reasonable_grounds")
def reasonable_grounds(ctx: Any) -> dict[str, Any]:
    """She was referred on a preliminary identification: there are reasonable grounds.

    CETS Arts. 10(2) and 13: from now she is not removed, and a foreigner without lawful
    stay (or whose status is unknown) is offered the reflection period at once, before
    the formal identification ends.
    """
    early = ctx.data.get("stay_status") in NEEDS_PERMITTED_STAY
    if early:
        ctx.notify(["police", "coordinator", "legal_adviser"],
                   translatable("Reasonable grounds: offer the permitted stay"),
                   translatable("Case {code}: she is a presumed victim of trafficking. Do not "
                                "remove her; offer her the recovery and reflection period now, "
                                "before the formal identification ends (CETS Arts. 10(2), 13).")
                   .format(code=ctx.case_code))
    # A child offered the stay has her family traced in the reflection period (Art.
    # 50(3)); any other child's family is contacted here, before formal identification.
    return {"stay_offered_early": early,
            "family_contact_here": bool(ctx.data.get("is_child")) and not early,
            "family_contact_step": ctx.data.get("family_contact_step")}


@HANDLERS.register("identification.conclude")
def conclude(ctx: Any) -> dict[str, Any]:
    """Record the date of a victim / not-victim outcome; an undetermined one has none."""
    outcome = ctx.data["identification_outcome"]
    decided = ctx.data["identification_date"]
    if outcome == "victim" and ctx.data.get("is_child"):
        ctx.notify(["social_work"], translatable("A child was identified as a victim of "
                                                 "trafficking"),
                   translatable("Case {code}: the guardian and social work continue with the "
                                "protection plan.").format(code=ctx.case_code))
    return {
        "identified_on": decided if outcome in ("victim", "not_victim") else None,
        "identification_rounds": int(ctx.data.get("identification_rounds") or 0) + 1,
    }


HANDLERS.describe({
    "family_contact_here": "Her family is contacted during identification",
    "foreigner_without_lawful_stay": "She is a foreigner without lawful stay",
    "identification_rounds": "Formal identifications made",
    "identified_on": "Identified on",
    "referral_consent": "Consent to the referral (hers, or her guardian's for a child)",
    "preliminary_on": "Preliminary identification on",
    "stay_offered_early": "The permitted stay was offered on reasonable grounds",
})
