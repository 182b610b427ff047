"""Handlers of the identification: who she is for the procedure (child, foreigner without
lawful stay) and the outcome the calling procedure reads when identification ends."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.texts import translatable
from forms.identification import age_on, is_minor

from . import HANDLERS


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
        "foreigner_without_lawful_stay":
            ctx.data.get("stay_status") == "foreigner_without_lawful_stay",
        "referral_consent": False,
        "identification_outcome": "undetermined",
        "identified_on": None,
        "identification_rounds": 0,
    }


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
