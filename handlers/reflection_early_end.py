"""Handlers of ending a reflection period early (Directive 2004/81/EC Art. 6(4)).

A decision ending the period is not enforceable until it is final (ZUP Art. 224): the
appeal period (``appeal.days`` of the jurisdiction file, ZUP Art. 235(1)) counts from
its service, and her period goes on while it runs and while an appeal is decided. When
it is final the procedure throws the signal ``reflection_ended_early``, which closes her
running reflection period; if she has decided or the stay has ended meanwhile, nothing
waits for it and nothing changes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from engine.kit.dates import required_day
from engine.kit.texts import translatable

from . import HANDLERS
from .appeals import record_appeal_choice

EVERYONE = ["coordinator", "legal_adviser", "ngo_counsellor", "police"]


def _last_filing_day(ctx: Any, due: date) -> date:
    """A period ending on a Sunday or a holiday runs to the next working day (ZUP Art.
    101(4)): the decision is final only after that day, never before."""
    while not ctx.jurisdiction.is_working_day(due):
        due += timedelta(days=1)
    return due


@HANDLERS.register("early_end.record_decision")
def record_decision(ctx: Any) -> dict[str, Any]:
    """An early end opens ``appeal_due`` from its service; a period that goes on is told."""
    if ctx.data.get("early_end_decision") != "ended":
        ctx.notify(["coordinator", "police", "legal_adviser"],
                   translatable("Reflection period goes on"),
                   translatable("Case {code}: after her hearing the police decided not to end "
                                "her reflection period early.").format(code=ctx.case_code))
        return {}
    due = ctx.jurisdiction.appeal_due(required_day(ctx.data, "early_end_served_on"))
    ctx.set_deadline("appeal_due", due, owner="legal_adviser",
                     title=translatable("Appeal against the early end of her reflection "
                                        "period"))
    last = _last_filing_day(ctx, due)
    final_at = datetime.combine(last + timedelta(days=1), time(0), tzinfo=ctx.timezone)
    ctx.notify(EVERYONE, translatable("Early end of her reflection period decided"),
               translatable("Case {code}: the police decided to end her reflection period "
                            "early. The decision is not final: her period goes on while she "
                            "may appeal, by {day}, and while an appeal is decided.")
               .format(code=ctx.case_code, day=ctx.jurisdiction.latest_safe_day(due)
                       .isoformat()))
    return {"early_end_appeal_due": due.isoformat(),
            "early_end_final_at": final_at.isoformat()}


@HANDLERS.register("early_end.record_appeal")
def record_appeal(ctx: Any) -> dict[str, Any]:
    """Meet the appeal deadline on the filing day, or close it when she does not appeal."""
    return record_appeal_choice(ctx, "she does not appeal the early end")


@HANDLERS.register("early_end.apply_appeal_decision")
def apply_appeal_decision(ctx: Any) -> dict[str, Any]:
    """An upheld appeal lets her period go on; a dismissal makes the early end final."""
    if ctx.data.get("early_end_appeal_decision") == "upheld":
        ctx.notify(EVERYONE, translatable("Appeal upheld: the reflection period goes on"),
                   translatable("Case {code}: her appeal against the early end of her "
                                "reflection period was upheld.").format(code=ctx.case_code))
    return {}


@HANDLERS.register("early_end.make_final")
def make_final(ctx: Any) -> dict[str, Any]:
    """The early end is final: when the dismissal of her appeal was served, or when the
    appeal period passed without one."""
    if ctx.data.get("appeal_filed"):
        final_on = required_day(ctx.data, "appeal_decision_served_on")
    else:
        final_on = _last_filing_day(ctx, required_day(ctx.data, "early_end_appeal_due"))
    ctx.notify(EVERYONE, translatable("Early end of her reflection period final"),
               translatable("Case {code}: the decision ending her reflection period early is "
                            "final from {day}. If her period was still running it ends now, "
                            "and the coordinator plans the next steps with her.")
               .format(code=ctx.case_code, day=final_on.isoformat()))
    return {"early_end_final_on": final_on.isoformat()}


HANDLERS.describe({
    "early_end_appeal_due": "Appeal against the early end due on",
    "early_end_final_at": "The early end becomes final",
    "early_end_final_on": "The early end became final on",
})
