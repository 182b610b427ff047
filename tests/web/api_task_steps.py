"""The police's first task of a reflection period, started, and the data that grants the stay."""

from __future__ import annotations

from tests.web.worklist_steps import open_task

GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-01",
         "victim_category": "trafficking", "informed_of_permit": True, "interpreter_provided": True}


def started(engine, code="SI-API1-0001"):
    instance = engine.runtime.start("reflection_period", code, actor="coord")
    return instance, open_task(engine, instance.id)
