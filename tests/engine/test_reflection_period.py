"""The reflection period (Art. 50(1)-(3)) walked through the engine with the manual clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.errors import ValidationFailed
from tests.conftest import PROCESSES
from tests.processes.steps import procedure_notices

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
    # 90 days from the next day end on Saturday 30 May: due on Friday 29 May, the latest
    # safe day, with the legal date beside it.
    assert (decision.due_date.isoformat(), decision.legal_date.isoformat()) == (
        "2026-05-29", "2026-05-30")

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
    assert "cannot be extended again (Art. 50(1))" in " ".join(caught.value.fields["decision"])

    deadline, decided = sorted((d for d in engine.deadlines.deadlines(instance_id=instance.id)
                                if d.kind != "stay_decision_due"),
                               key=lambda d: d.kind, reverse=True)
    assert (deadline.kind, deadline.legal_date.isoformat(), deadline.status) == (
        "reflection_end", "2026-07-29", "open")
    assert (decided.kind, decided.status) == ("extension_decision_due", "met")
    assert deadline.latest_safe_day.isoformat() == "2026-07-29"  # a Wednesday

    engine.tasks.complete(decision.id, "coord", {"decision": "cooperate",
                                                 "decision_date": "2026-03-02"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert done.variables["cooperates"] is True
    (deadline,) = engine.deadlines.deadlines(instance_id=instance.id, kind="reflection_end")
    assert (deadline.status, deadline.met_on.isoformat()) == ("met", "2026-03-02")


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
    (deadline,) = engine.deadlines.deadlines(instance_id=instance.id, kind="reflection_end")
    assert (deadline.legal_date.isoformat(), deadline.latest_safe_day.isoformat()) == (
        "2026-05-30", "2026-05-29")  # the stay ends on a Saturday: act by Friday
    # The alert comes two weeks before the latest safe day (29 May), at 08:00 local time.
    engine.set_clock(datetime(2026, 5, 15, 5, 59, tzinfo=UTC))
    assert sorted(t.element_id for t in engine.runtime.instance(instance.id).open_tasks) == [
        "inform_of_permit", "record_decision"]
    assert procedure_notices(engine, instance_id=instance.id) == []
    engine.set_clock(datetime(2026, 5, 15, 6, 1, tzinfo=UTC))
    review = only_task(engine, instance.id, "review_expiring_stay")
    assert review.role == "legal_adviser"
    alerted = procedure_notices(engine, instance_id=instance.id)
    assert sorted(n.role for n in alerted) == ["coordinator", "legal_adviser"]
    assert "2026-05-29" in alerted[0].body

    # The stay is lawful through 30 May; it expires at midnight in Ljubljana.
    engine.set_clock(datetime(2026, 5, 30, 21, 59, tzinfo=UTC))
    only_task(engine, instance.id, "record_decision")
    engine.advance_clock(timedelta(minutes=2))
    expired = only_task(engine, instance.id, "handle_expired_stay")
    assert expired.role == "coordinator"
    assert "record_decision" not in [t.element_id for t in
                                     engine.runtime.instance(instance.id).open_tasks]
    (deadline,) = engine.deadlines.deadlines(instance_id=instance.id, kind="reflection_end")
    assert deadline.status == "missed"
    # The review of a stay that has now ended closes with it.
    assert "review_expiring_stay" not in [t.element_id for t in
                                          engine.runtime.instance(instance.id).open_tasks]
    engine.tasks.complete(expired.id, "coord", {"outcome": "other_legal_basis"})
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


def test_unaccompanied_minor_gets_a_guardian_and_family_contact(engine):
    engine.repository.deploy(PROCESSES)
    instance = engine.runtime.start("reflection_period", "SI-2026-0002",
                                    data={"unaccompanied_minor": True}, actor="coord")
    engine.tasks.complete(only_task(engine, instance.id, "grant_permitted_stay").id, "officer",
                          GRANT)
    guardian = only_task(engine, instance.id, "appoint_guardian")
    assert guardian.role == "social_work"
    before = engine.runtime.instance(instance.id)
    with pytest.raises(ValidationFailed) as caught:
        engine.tasks.complete(guardian.id, "sw", {"guardian_appointed": True})
    assert "guardian_appointed_on" in caught.value.fields
    assert engine.runtime.instance(instance.id).revision == before.revision
    engine.tasks.complete(guardian.id, "sw", {"guardian_appointed": True,
                                              "guardian_appointed_on": "2026-03-02"})
    family = only_task(engine, instance.id, "contact_family")
    engine.tasks.complete(family.id, "sw", {"family_contact": "contact_unsafe",
                                            "family_contact_on": "2026-03-02"})
    assert sorted(t.element_id for t in engine.runtime.instance(instance.id).open_tasks) == [
        "inform_of_permit", "record_decision"]


def test_an_adult_has_no_guardian_task(started):
    engine, instance = started
    engine.tasks.complete(only_task(engine, instance.id, "grant_permitted_stay").id, "officer",
                          GRANT)
    assert sorted(t.element_id for t in engine.runtime.instance(instance.id).open_tasks) == [
        "inform_of_permit", "record_decision"]


def test_a_decision_entered_late_shows_at_once_what_is_overdue(started):
    engine, instance = started
    engine.set_clock(datetime(2026, 6, 15, 8, 0, tzinfo=UTC))
    engine.tasks.complete(only_task(engine, instance.id, "grant_permitted_stay").id, "officer",
                          {**GRANT, "stay_decision_date": "2026-03-01"})
    (deadline,) = engine.deadlines.deadlines(instance_id=instance.id, kind="reflection_end")
    assert (deadline.legal_date.isoformat(), deadline.status) == ("2026-05-30", "missed")
    assert deadline.days_left < 0
    open_now = sorted(t.element_id for t in engine.runtime.instance(instance.id).open_tasks)
    assert open_now == ["handle_expired_stay"]  # no review of a stay that has ended
