"""Handlers of receiving a citizen trafficked abroad and returned home (Serbia, seed 002).

No law sets a time for her reception: the day agreed for her arrival is the due day of
the tasks that prepare it, and the Centre is told the day she arrived.
"""

from __future__ import annotations

from typing import Any

from engine.kit.dates import required_day
from engine.kit.texts import translatable

from . import HANDLERS
from .protection import CASE_DEFAULTS


@HANDLERS.register("returning_victim.open_case")
def open_case(ctx: Any) -> dict[str, Any]:
    """Open her case: a citizen, so no question of her stay; the agreed day of arrival is
    when her reception must be ready."""
    arrival = required_day(ctx.data, "expected_arrival")
    defaults = {key: ctx.data.get(key, value) for key, value in CASE_DEFAULTS.items()}
    return {**defaults, "stay_status": "national", "reception_due_on": arrival.isoformat()}


@HANDLERS.register("returning_victim.record_arrival")
def record_arrival(ctx: Any) -> dict[str, Any]:
    """Tell the coordination service, and for a child the guardianship authority, that
    she is home."""
    arrived = required_day(ctx.data, "arrived_on")
    roles = ["coordinator", "social_work"] if ctx.data.get("is_child") else ["coordinator"]
    ctx.notify(roles, translatable("She arrived home"),
               translatable("Case {code}: she arrived on {day}; identification and her "
                            "assessment follow.").format(code=ctx.case_code,
                                                         day=arrived.isoformat()))
    return {}


HANDLERS.describe({
    "reception_due_on": "Her reception is ready by",
})
