"""Handlers of the top-level protection procedure that links the others."""

from __future__ import annotations

from typing import Any

from engine.kit.dates import stored_date
from engine.kit.texts import translatable

from . import HANDLERS

CASE_DEFAULTS: dict[str, Any] = {
    "identification_outcome": "undetermined",
    "foreigner_without_lawful_stay": False,
    "stay_offered_early": False,
    "stay_status": "unknown",
    "is_child": False,
    "unaccompanied_minor": False,
    "cooperates": False,
}
"""Every name the top-level gateways read, so a path not taken never leaves one undefined."""


@HANDLERS.register("protection.open_case")
def open_case(ctx: Any) -> dict[str, Any]:
    """Open her case with the defaults of every answer the procedure asks later."""
    return {key: ctx.data.get(key, value) for key, value in CASE_DEFAULTS.items()}


@HANDLERS.register("protection.not_identified")
def not_identified(ctx: Any) -> dict[str, Any]:
    """Identification ended without a victim outcome after the permitted stay was offered
    on reasonable grounds: the stay is not ended by this procedure; the police and the
    legal adviser decide what follows with her."""
    if ctx.data.get("stay_offered_early"):
        ctx.notify(["police", "legal_adviser", "coordinator"],
                   translatable("Not identified after the permitted stay was offered"),
                   translatable("Case {code}: the formal identification ended without "
                                "identifying her as a victim. The reflection period offered on "
                                "reasonable grounds goes on until the police decide on it; "
                                "help her find another basis of stay.")
                   .format(code=ctx.case_code))
    return {}


@HANDLERS.register("protection.lawful_stay")
def lawful_stay(ctx: Any) -> dict[str, Any]:
    """Track the last day of her lawful stay on another basis: an Art. 50 application is
    possible only before it ends (Art. 50(6)), so the legal adviser watches it while she
    decides; it is cancelled when she will not cooperate."""
    end = stored_date(ctx.data.get("lawful_stay_end"))
    if end is None:
        raise ValueError("lawful_stay_end is not set")
    if ctx.data.get("cooperation_choice") == "will_not":
        ctx.cancel_deadline("permit_application_due",
                            reason="she will not cooperate; her stay rests on another basis")
        return {}
    ctx.set_deadline("permit_application_due", end, owner="legal_adviser",
                     title=translatable("File the Art. 50 permit application before her stay "
                                        "ends"))
    return {"lawful_stay_latest_safe_day": ctx.jurisdiction.latest_safe_day(end).isoformat()}


@HANDLERS.register("protection.after_reflection")
def after_reflection(ctx: Any) -> dict[str, Any]:
    """Which procedure follows the reflection period: her decision, never a default."""
    if ctx.data.get("cooperates"):
        # Her decision opened the permit procedure when it was recorded (the signal
        # ``reflection_cooperation``): it is not opened twice.
        return {"stay_path": "permit_started"}
    if ctx.data.get("outcome") == "late_application_filed":
        # A late application is still an application: the permit procedure records it as
        # late and the administrative unit decides on it.
        return {"stay_path": "permit"}
    chosen = {ctx.data.get("next_step"), ctx.data.get("outcome")}
    return {"stay_path": "return" if "voluntary_return" in chosen else "other"}


HANDLERS.describe({
    "lawful_stay_latest_safe_day": "Latest safe day of her lawful stay",
    "stay_path": ("The way her stay continues", {
        "permit_started": "A residence permit was applied for",
        "permit": "A residence permit is to be applied for",
        "return": "Voluntary return",
        "other": "Another way",
    }),
    "cooperates": "She cooperates with the authorities",
    "foreigner_without_lawful_stay": "She is a foreigner without lawful stay",
    "stay_offered_early": "The permitted stay was offered on reasonable grounds",
})
