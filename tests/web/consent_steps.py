"""A case referred to the coordinator, and the state of her consents, for the tests of
consent gates on the pages."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.store.models import AuditEvent
from forms import examples
from tests.scenarios.case import Case

CODE = "SI-7K3Q-9F2M"


def referred(engine) -> Case:
    case = Case.open(engine, CODE, process="identification")
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT)
    return case


def state(engine, case: Case) -> tuple:
    view = case.instance
    with engine.db.reading() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    return view.revision, [t.id for t in view.open_tasks], events
