"""She stops cooperating or the proceedings are discontinued: the permit may be withdrawn
only after she is heard and could reply (Directive 2004/81/EC Art. 14; Art. 50(5) ZTuj-2),
and a withdrawal opens the appeal period; her schooling is not left hanging."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.processes import permit_steps as permit
from tests.processes.steps import complete, only_task, open_elements, procedure_notices, rejected

HEARING = {"withdrawal_ground": "stopped_cooperating", "heard_on": "2026-06-10",
           "hearing_interpreter_used": True, "she_could_reply": True}


def _heard(engine):
    instance = permit.start(engine)
    permit.issue_permit(engine, instance.id)
    complete(engine, instance.id, "follow_proceedings", {"next_step": "cooperation_ended"})
    task = only_task(engine, instance.id, "hear_before_withdrawal")
    assert task.role == "admin_unit" and "Art. 14" in task.documentation
    assert "chance to reply" in rejected(engine, instance.id, "hear_before_withdrawal",
                                                {**HEARING, "she_could_reply": False},
                                                "she_could_reply")
    complete(engine, instance.id, "hear_before_withdrawal", HEARING, user="clerk")
    return instance


def test_a_permit_is_withdrawn_only_after_she_was_heard_and_the_appeal_period_opens(engine):
    instance = _heard(engine)
    assert "served" in rejected(engine, instance.id, "decide_withdrawal",
                                       {"withdrawal_decision": "withdrawn",
                                        "withdrawal_decided_on": "2026-06-10"},
                                       "withdrawal_served_on")
    complete(engine, instance.id, "decide_withdrawal",
             {"withdrawal_decision": "withdrawn", "withdrawal_decided_on": "2026-06-10",
              "withdrawal_served_on": "2026-06-10"}, user="clerk")
    appeal = permit.deadline(engine, instance.id, "appeal_due", "withdrawal")
    assert (str(appeal.legal_date), appeal.owner_role) == ("2026-06-25", "legal_adviser")
    assert permit.deadline(engine, instance.id, "permit_expiry").status == "cancelled"
    assert "Art. 50 permit withdrawn" in [n.subject for n in procedure_notices(
        engine, role="legal_adviser", instance_id=instance.id)]
    assert only_task(engine, instance.id, "plan_after_withdrawal").role == "coordinator"
    complete(engine, instance.id, "plan_after_withdrawal",
             {"next_step_without_permit": "appeal"})
    assert engine.runtime.instance(instance.id).status == "completed"


def test_a_permit_kept_after_the_hearing_goes_on(engine):
    instance = _heard(engine)
    engine.set_clock(datetime(2026, 6, 12, 9, tzinfo=UTC))
    assert "after her hearing" in rejected(
        engine, instance.id, "decide_withdrawal",
        {"withdrawal_decision": "kept", "withdrawal_decided_on": "2026-06-09"},
        "withdrawal_decided_on")
    complete(engine, instance.id, "decide_withdrawal",
             {"withdrawal_decision": "kept", "withdrawal_decided_on": "2026-06-12"})
    assert open_elements(engine, instance.id) == ["follow_proceedings"]
    assert permit.deadline(engine, instance.id, "permit_expiry").status == "open"
