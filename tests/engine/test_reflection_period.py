"""The reflection period (Art. 50(1)-(3)) walked through the engine with the manual clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.errors import ValidationFailed
from tests.conftest import PROCESSES

GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-01",
         "victim_category": "trafficking", "informed_of_permit": True,
         "interpreter_provided": True}


@pytest.fixture
def started(engine):
    engine.repository.deploy(PROCESSES)
    instance = engine.runtime.start("reflection_period", "SI-2026-0001", actor="coord")
    return engine, instance


def only_task(engine, instance_id, element_id):
    tasks = engine.runtime.instance(instance_id).open_tasks
    matching = [t for t in tasks if t.element_id == element_id]
    assert matching, [t.element_id for t in tasks]
    return matching[0]


def test_granted_extended_then_cooperates(started):
    engine, instance = started
    grant = only_task(engine, instance.id, "grant_permitted_stay")
    assert grant.role == "police" and grant.documentation
    engine.tasks.complete(grant.id, "officer", GRANT)
    decision = only_task(engine, instance.id, "record_decision")
    assert decision.role == "coordinator"
    assert decision.due_date.isoformat() == "2026-05-30"  # 90 days from the next day

    engine.tasks.complete(decision.id, "coord", {"decision": "extend",
                                                 "decision_date": "2026-03-02",
                                                 "reason": "still recovering"})
    extension = only_task(engine, instance.id, "decide_extension")
    with pytest.raises(ValidationFailed) as caught:
        engine.tasks.complete(extension.id, "officer", {"extension_granted": True,
                                                        "extension_decision_date": "2026-03-02",
                                                        "extension_days": 91})
    assert "extension_days" in caught.value.fields
    engine.tasks.complete(extension.id, "officer", {"extension_granted": True,
                                                    "extension_decision_date": "2026-03-02",
                                                    "extension_days": 60})
    decision = only_task(engine, instance.id, "record_decision")
    assert decision.due_date.isoformat() == "2026-07-29"

    with pytest.raises(ValidationFailed, match="form has errors") as caught:
        engine.tasks.complete(decision.id, "coord", {"decision": "extend",
                                                     "decision_date": "2026-03-02",
                                                     "reason": "more"})
    assert "already extended once" in " ".join(caught.value.fields["decision"])

    engine.tasks.complete(decision.id, "coord", {"decision": "cooperate",
                                                 "decision_date": "2026-03-02"})
    referral = only_task(engine, instance.id, "refer_to_permit")
    assert referral.role == "legal_adviser"
    engine.tasks.complete(referral.id, "lawyer", {"prosecutor_confirmation_requested": True,
                                                  "application_filed_on": "2026-03-02"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert done.variables["late_filing"] is False


def test_decision_date_in_the_future_is_refused(started):
    engine, instance = started
    grant = only_task(engine, instance.id, "grant_permitted_stay")
    with pytest.raises(ValidationFailed) as caught:
        engine.tasks.complete(grant.id, "officer", {**GRANT, "stay_decision_date": "2026-04-01"})
    assert caught.value.fields["stay_decision_date"] == ["The date cannot be in the future."]
    assert engine.runtime.instance(instance.id).revision == instance.revision


def test_stay_runs_out_undecided(started):
    engine, instance = started
    engine.tasks.complete(only_task(engine, instance.id, "grant_permitted_stay").id, "officer",
                          GRANT)
    # The warning comes two weeks before the last day (30 May), at 08:00 local time.
    engine.set_clock(datetime(2026, 5, 16, 5, 59, tzinfo=UTC))
    assert [t.element_id for t in engine.runtime.instance(instance.id).open_tasks] == [
        "record_decision"]
    engine.set_clock(datetime(2026, 5, 16, 6, 1, tzinfo=UTC))
    review = only_task(engine, instance.id, "review_expiring_stay")
    assert review.role == "legal_adviser"

    # The stay is lawful through 30 May; it expires at midnight in Ljubljana.
    engine.set_clock(datetime(2026, 5, 30, 21, 59, tzinfo=UTC))
    only_task(engine, instance.id, "record_decision")
    engine.advance_clock(timedelta(minutes=2))
    expired = only_task(engine, instance.id, "handle_expired_stay")
    assert expired.role == "coordinator"
    assert "record_decision" not in [t.element_id for t in
                                     engine.runtime.instance(instance.id).open_tasks]
    engine.tasks.complete(expired.id, "coord", {"outcome": "other_legal_basis"})
    engine.tasks.complete(review.id, "lawyer", {"action": "other"})
    assert engine.runtime.instance(instance.id).status == "completed"


def test_refused_stay(started):
    engine, instance = started
    grant = only_task(engine, instance.id, "grant_permitted_stay")
    with pytest.raises(ValidationFailed) as caught:
        engine.tasks.complete(grant.id, "officer", {**GRANT, "stay_decision": "refused"})
    assert "refusal_ground" in caught.value.fields
    engine.tasks.complete(grant.id, "officer", {**GRANT, "stay_decision": "refused",
                                                "refusal_ground": "security"})
    plan = only_task(engine, instance.id, "plan_after_refusal")
    engine.tasks.complete(plan.id, "coord", {"next_step": "appeal"})
    assert engine.runtime.instance(instance.id).status == "completed"
