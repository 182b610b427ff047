"""The jurisdiction of a case: the law and calendar its deadlines follow."""

from __future__ import annotations

from engine.context import EngineContext
from engine.kit.jurisdiction import Jurisdiction
from engine.store.models import CaseRecord
from engine.store.unit_of_work import UnitOfWork


def case_jurisdiction(ctx: EngineContext, session: UnitOfWork, case_code: str) -> Jurisdiction:
    """What the case recorded when it was opened; the deployment's for an older case.

    The record is usually in the unit already: read with the instance, or with the
    other cases of a timer batch."""
    record = session.notes.case_records.get(case_code) or session.get(CaseRecord, case_code)
    return ctx.jurisdiction_of(record.jurisdiction if record is not None else None)
