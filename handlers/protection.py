"""Handlers of the top-level protection procedure that links the others."""

from __future__ import annotations

from typing import Any

from . import HANDLERS

CASE_DEFAULTS: dict[str, Any] = {
    "identification_outcome": "undetermined",
    "foreigner_without_lawful_stay": False,
    "is_child": False,
    "unaccompanied_minor": False,
    "cooperates": False,
}
"""Every name the top-level gateways read, so a path not taken never leaves one undefined."""


@HANDLERS.register("protection.open_case")
def open_case(ctx: Any) -> dict[str, Any]:
    return {key: ctx.data.get(key, value) for key, value in CASE_DEFAULTS.items()}


@HANDLERS.register("protection.after_reflection")
def after_reflection(ctx: Any) -> dict[str, Any]:
    """Which procedure follows the reflection period: her decision, never a default."""
    if ctx.data.get("cooperates"):
        return {"stay_path": "permit"}
    chosen = {ctx.data.get("next_step"), ctx.data.get("outcome")}
    return {"stay_path": "return" if "voluntary_return" in chosen else "other"}
