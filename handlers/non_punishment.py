"""Handlers of non-punishment (CETS Art. 26, Directive 2011/36/EU Art. 8): the answer's
deadline and what the coordinator is told.

The authority deciding the offence is asked to answer within
``non_punishment.answer_days`` of the submission (our design: no law sets a time), so
that a continued proceeding leaves the legal adviser time for a remedy; a late answer is
reminded and escalated like any legal deadline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engine.kit.dates import required_day
from engine.kit.texts import translatable

from . import HANDLERS

DECISION_TEXTS = {
    "not_prosecuted": translatable("Case {code}: on {day} the authority decided not to "
                                   "prosecute or punish her for the offence she was "
                                   "compelled to commit (CETS Art. 26)."),
    "proceedings_dropped": translatable("Case {code}: on {day} the proceedings for the "
                                        "offence she was compelled to commit were dropped "
                                        "(CETS Art. 26)."),
    "continued": translatable("Case {code}: on {day} the authority decided to continue the "
                              "proceedings for the offence she says she was compelled to "
                              "commit; the legal adviser decides a remedy with her."),
}
REMEDY_TEXTS = {
    "request_for_judicial_protection": translatable(
        "Case {code}: a request for judicial protection against the continued proceedings "
        "was filed on {day}."),
    "appeal": translatable("Case {code}: an appeal against the continued proceedings was "
                           "filed on {day}."),
    "defence_at_trial": translatable("Case {code}: the non-punishment principle will be "
                                     "raised in her defence at the trial."),
    "no_remedy": translatable("Case {code}: she decided with the legal adviser not to use a "
                              "remedy against the continued proceedings."),
}


@HANDLERS.register("non_punishment.open_answer_deadline")
def open_answer_deadline(ctx: Any) -> dict[str, Any]:
    """Open ``non_punishment_answer_due``, counted from the day after the submission."""
    due = required_day(ctx.data, "submission_date") + timedelta(
        days=ctx.jurisdiction.non_punishment_answer_days)
    ctx.set_deadline("non_punishment_answer_due", due, owner="prosecutor",
                     title=translatable("Decide whether to prosecute or punish her for an "
                                        "offence she was compelled to commit"))
    return {"np_answer_due": due.isoformat(),
            "np_answer_latest_safe_day": ctx.jurisdiction.latest_safe_day(due).isoformat()}


@HANDLERS.register("non_punishment.close_declined")
def close_declined(ctx: Any) -> None:
    """She decided against the submission: a normal outcome, and the coordinator knows."""
    ctx.notify(["coordinator"], translatable("Non-punishment submission not made"),
               translatable("Case {code}: she decided not to ask the authority to drop the "
                            "proceedings for the offence she was compelled to commit. She may "
                            "change her mind while the proceedings last.")
               .format(code=ctx.case_code))


@HANDLERS.register("non_punishment.record_decision")
def record_decision(ctx: Any) -> dict[str, Any]:
    """The authority answered: the deadline is met (or missed, if late) and the
    coordinator and the legal adviser are told the outcome."""
    decided = required_day(ctx.data, "np_decided_on")
    ctx.meet_deadline("non_punishment_answer_due", on=decided)
    decision = ctx.data.get("np_decision")
    if decision not in DECISION_TEXTS:
        raise ValueError(f"np_decision must be one of {', '.join(DECISION_TEXTS)}, "
                         f"not {decision!r}")
    ctx.notify(["coordinator", "legal_adviser"],
               translatable("Decision on non-punishment recorded"),
               DECISION_TEXTS[decision].format(code=ctx.case_code, day=decided.isoformat()))
    return {"np_punishment_averted": decision != "continued"}


@HANDLERS.register("non_punishment.record_remedy")
def record_remedy(ctx: Any) -> None:
    """The coordinator hears which remedy she chose against the continued proceedings."""
    remedy = ctx.data.get("np_remedy")
    if remedy not in REMEDY_TEXTS:
        raise ValueError(f"np_remedy must be one of {', '.join(REMEDY_TEXTS)}, not {remedy!r}")
    ctx.notify(["coordinator"], translatable("Remedy against the continued proceedings"),
               REMEDY_TEXTS[remedy].format(code=ctx.case_code,
                                           day=ctx.data.get("np_remedy_filed_on")))


HANDLERS.describe({
    "np_answer_due": "The prosecutor's answer is due on",
    "np_answer_latest_safe_day": "Latest safe day for the prosecutor's answer",
    "np_punishment_averted": "Her punishment was averted",
})
