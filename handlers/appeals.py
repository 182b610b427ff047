"""What every appeal against a decision on her stay records: she appeals, or she does not.

The refusal of a permit and the early end of a reflection period are appealed the same
way (ZUP Art. 235(1)): the legal adviser records her choice, which meets ``appeal_due`` on
the filing day or closes it.
"""

from __future__ import annotations

from typing import Any

from engine.kit.dates import required_day


def record_appeal_choice(ctx: Any, reason_not_appealed: str) -> dict[str, Any]:
    """Meet the appeal deadline on the filing day, or close it when she does not appeal."""
    if ctx.data.get("appeal_filed"):
        ctx.meet_deadline("appeal_due", on=required_day(ctx.data, "appeal_filed_on"))
        return {"appeal_filed": True}
    ctx.cancel_deadline("appeal_due", reason=reason_not_appealed)
    return {"appeal_filed": False}
