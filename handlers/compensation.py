"""Handlers of a compensation claim (CETS Art. 15, Directive 2011/36/EU Art. 17): its
filing deadline and what the coordinator is told.

The filing deadline is the date the legal adviser entered when she assessed the claim
with her (the end of the limitation period she was advised of, the end of the main
hearing for a claim in the criminal proceedings); a claim without one has no deadline.
"""

from __future__ import annotations

from typing import Any

from engine.kit.dates import required_day, stored_date
from engine.kit.texts import translatable

from . import HANDLERS

CLOSING_TEXTS = {
    "not_now": translatable("Case {code}: she decided not to file this claim now; she may "
                            "start it again while the time limit runs."),
    "paid_in_full": translatable("Case {code}: the compensation awarded was paid in full on "
                                 "{day}."),
    "cannot_be_enforced": translatable(
        "Case {code}: the compensation awarded cannot be enforced. The legal adviser checks "
        "with her whether state compensation for victims of violent crime can still be "
        "claimed, and its time limit."),
    "refused": translatable("Case {code}: the claim was refused and no appeal is pending."),
    "withdrawn": translatable("Case {code}: she withdrew the claim."),
}


@HANDLERS.register("compensation.open_filing_deadline")
def open_filing_deadline(ctx: Any) -> dict[str, Any]:
    """Open ``compensation_filing_due`` on the day entered, when there is one."""
    due = stored_date(ctx.data.get("claim_filing_due"))
    if due is None:
        return {"claim_filing_deadline_set": False}
    ctx.set_deadline("compensation_filing_due", due, owner="legal_adviser",
                     title=translatable("File her compensation claim before its time "
                                        "limit"))
    return {"claim_filing_deadline_set": True,
            "claim_filing_latest_safe_day": ctx.jurisdiction.latest_safe_day(due).isoformat()}


@HANDLERS.register("compensation.record_filing")
def record_filing(ctx: Any) -> dict[str, Any]:
    """The claim was filed: the deadline is met, or missed when filed after it."""
    filed = required_day(ctx.data, "claim_filed_on")
    due = ctx.legal_date("compensation_filing_due")
    if due is None:
        return {"claim_filed_late": False}
    ctx.meet_deadline("compensation_filing_due", on=filed)
    late = filed > due
    if late:
        ctx.notify(["legal_adviser", "coordinator"],
                   translatable("Compensation claim filed after its time limit"),
                   translatable("Case {code}: the claim was filed on {filed}, after the time "
                                "limit of {due}; the other side may object that it is "
                                "time-barred.").format(code=ctx.case_code,
                                                       filed=filed.isoformat(),
                                                       due=due.isoformat()))
    return {"claim_filed_late": late}


@HANDLERS.register("compensation.close_claim")
def close_claim(ctx: Any) -> dict[str, Any]:
    """The claim ends: paid, unenforceable, refused, withdrawn, or not filed now; the
    coordinator is told, and after wages were paid the legal adviser is reminded that a
    permit renewed for the wage claim asks her to report the payment (Art. 50(7) ZTuj-2)."""
    if ctx.data.get("claim_wanted") != "file":
        outcome = "not_now"
    elif ctx.data.get("claim_decision") in ("refused", "withdrawn"):
        outcome = ctx.data["claim_decision"]
    else:
        outcome = ctx.data.get("claim_payment")
    if outcome not in CLOSING_TEXTS:
        raise ValueError(f"a claim cannot close on {outcome!r}")
    ctx.notify(["coordinator", "legal_adviser"], translatable("Compensation claim closed"),
               CLOSING_TEXTS[outcome].format(code=ctx.case_code,
                                             day=ctx.data.get("claim_paid_on")))
    if outcome == "paid_in_full" and ctx.data.get("claim_kind") == "wage_lawsuit":
        ctx.notify(["legal_adviser"], translatable("Unpaid wages paid"),
                   translatable("Case {code}: if her permit was renewed for this wage claim, "
                                "she reports the payment to the administrative unit "
                                "(Art. 50(7) ZTuj-2).").format(code=ctx.case_code))
    return {"claim_outcome": outcome}


HANDLERS.describe({
    "claim_filed_late": "The claim was filed after its deadline",
    "claim_filing_deadline_set": "A deadline for filing the claim is set",
    "claim_filing_latest_safe_day": "Latest safe day to file the claim",
    "claim_outcome": "Outcome of the compensation claim",
})
