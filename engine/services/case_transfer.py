"""Moving a case to another jurisdiction: a recorded transfer, the one way a case's
jurisdiction changes once a legal deadline of it was computed.

Why: she moves (from Republika Srpska to the Federation), or the case was opened in the
wrong one. What the transfer does, in one transaction:

1. refuses an unknown jurisdiction, the one it has, a transfer without a reason, and an
   erased case; nothing changes then;
2. records the new jurisdiction on the case: every step from now on follows its law;
3. recomputes each open legal deadline of the case under the new calendar: the legal
   date stands as it was decided (a decision's date is not re-made by a move), the latest
   safe day is counted again over the new holidays, and the reminders are planned again
   at the new hour and offsets;
4. records ``case_transferred`` with both jurisdictions and the reason, and
   ``deadline_recomputed`` for each deadline whose latest safe day moved.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.context import EngineContext
from engine.errors import Conflict, ValidationFailed
from engine.kit.jurisdiction import JurisdictionError
from engine.obligations import reminders
from engine.obligations.deadlines import latest_safe_day
from engine.protection.plain_text import refuse_broken_text
from engine.store.models import LegalDeadline
from engine.views import DeadlineMoveView, TransferView


class CaseTransfer:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def transfer(self, case_code: str, to: str, *, reason: str,
                 actor: str = "system") -> TransferView:
        """Move ``case_code`` to the jurisdiction ``to`` (a code), with ``reason``."""
        refuse_broken_text({"reason": reason}, "the case was not transferred")
        if not (reason or "").strip():
            raise ValidationFailed("the case was not transferred", {
                "reason": ["Say why the case moves to another jurisdiction."]})
        try:
            target = self.ctx.jurisdiction_of(to)
        except JurisdictionError as exc:
            raise ValidationFailed("the case was not transferred",
                                   {"jurisdiction": [str(exc)]}) from exc
        with self.ctx.db.transaction() as session:
            record = self.ctx.vault.case_record(session, case_code)
            source = self.ctx.jurisdiction_of(record.jurisdiction)
            if source.code == target.code:
                raise Conflict(f"case {case_code} already follows {target.code}")
            record.jurisdiction = target.code
            moved = []
            for deadline in session.scalars(select(LegalDeadline).where(
                    LegalDeadline.case_code == case_code, LegalDeadline.status == "open")
                    .order_by(LegalDeadline.id)):
                before = deadline.latest_safe_day
                deadline.latest_safe_day = latest_safe_day(deadline.kind, deadline.legal_date,
                                                           target)
                deadline.jurisdiction = target.code
                deadline.updated_at = self.ctx.now()
                reminders.schedule(self.ctx, session, deadline)
                moved.append(DeadlineMoveView(
                    kind=deadline.kind, legal_date=deadline.legal_date,
                    latest_safe_day_before=before, latest_safe_day=deadline.latest_safe_day))
                if before != deadline.latest_safe_day:
                    session.audit("deadline_recomputed", actor,
                                  instance_id=deadline.instance_id,
                                  detail=f"{deadline.kind}: latest safe day {before} -> "
                                         f"{deadline.latest_safe_day} ({target.code})")
            session.audit("case_transferred", actor,
                          detail=f"case {case_code}: {source.code} -> {target.code}: "
                                 f"{reason.strip()}")
            return TransferView(case_code=case_code, source=source.code, target=target.code,
                                deadlines=moved)
