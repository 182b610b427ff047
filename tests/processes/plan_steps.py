"""What the protection plan's tests read back: its deadlines and its notices to the services.

The plan itself, her consent and a review are the worked example in ``forms.examples``."""

from __future__ import annotations

from tests.processes.steps import procedure_notices


def deadlines(engine, instance_id):
    return {(d.kind, d.ref): d for d in engine.deadlines.deadlines(instance_id=instance_id)}


def to_services(engine, instance_id):
    """What the plan's own steps told the services (not the coordinator)."""
    return [(n.role, n.subject) for n in procedure_notices(engine, instance_id=instance_id)
            if n.role != "coordinator" and n.element_id in PLAN_ELEMENTS]


PLAN_ELEMENTS = frozenset({"open_monitoring", "record_review", "apply_correction",
                           "close_plan", "plan_not_made", "monitoring_check"})
