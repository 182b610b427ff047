"""Handlers of the reflection period: the legal dates its timers and tasks run on."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from forms.reflection import MAX_EXTENSION_DAYS, REFLECTION_DAYS

from . import HANDLERS

WARNING_DAYS = 14
"""The legal adviser is asked to prepare this many days before the stay ends."""


def stay_dates(end: date, tz: Any) -> dict[str, str]:
    """Dates and instants derived from the last day of the permitted stay.

    The stay is lawful through the end of ``end``; it expires at midnight local time.
    """
    expires = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
    warning = datetime.combine(end - timedelta(days=WARNING_DAYS), time(8), tzinfo=tz)
    return {
        "reflection_end": end.isoformat(),
        "reflection_expires_at": expires.isoformat(),
        "reflection_warning_at": warning.isoformat(),
    }


@HANDLERS.register("reflection.compute_end")
def compute_reflection_end(ctx: Any) -> dict[str, Any]:
    """90 days counted from the day after the decision: granted 1 March ends 30 May."""
    granted = date.fromisoformat(ctx.data["stay_decision_date"])
    end = granted + timedelta(days=REFLECTION_DAYS)
    return {**stay_dates(end, ctx.timezone), "extension_used": False}


@HANDLERS.register("reflection.apply_extension")
def apply_extension(ctx: Any) -> dict[str, Any]:
    """Move the end of the stay when the police granted the (single) extension."""
    if not ctx.data.get("extension_granted"):
        return {}  # refused: she may ask again with new reasons
    if ctx.data.get("extension_used"):
        raise ValueError("the permitted stay was already extended once")
    days = int(ctx.data["extension_days"])
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValueError(f"an extension is 1 to {MAX_EXTENSION_DAYS} days, not {days}")
    end = date.fromisoformat(ctx.data["reflection_end"]) + timedelta(days=days)
    return {**stay_dates(end, ctx.timezone), "extension_used": True}
