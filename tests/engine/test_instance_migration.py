"""Moving running instances of the reflection period to a corrected version: checked
before anything moves, her data and open work kept, refused with the element named."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.errors import Conflict, NotFound, ValidationFailed
from engine.store.models import AuditEvent, HumanTask, LegalDeadline, ProcessInstance, Timer
from tests.conftest import PROCESSES

ORIGINAL = (PROCESSES / "reflection_period.bpmn").read_bytes()
GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-01",
         "victim_category": "trafficking", "informed_of_permit": True,
         "interpreter_provided": True}


def renamed_decision() -> bytes:
    """Version 2 words the coordinator's decision task more exactly."""
    return ORIGINAL.replace(b'name="Record her decision on cooperating"',
                            b'name="Record her decision on cooperating, in writing"')


def new_id_for_grant() -> bytes:
    """Version 2 calls the police's first task ``decide_stay``."""
    return ORIGINAL.replace(b"grant_permitted_stay", b"decide_stay")


def state_of(engine, instance_id):
    """Everything a refused move must leave as it was."""
    with engine.db.reading() as session:
        row = session.get(ProcessInstance, instance_id)
        tasks = session.execute(select(HumanTask.id, HumanTask.element_id, HumanTask.status,
                                       HumanTask.title).order_by(HumanTask.id)).all()
        timers = session.execute(select(Timer.id, Timer.status, Timer.due_at)
                                 .order_by(Timer.id)).all()
        events = session.scalar(select(func.count()).select_from(AuditEvent))
        return (row.definition_id, row.revision, row.status, row.state, row.variables, tasks,
                timers, events)


@pytest.fixture
def deployed(engine):
    engine.repository.deploy(PROCESSES)
    return engine


def task_at(instance, element_id: str):
    [task] = [t for t in instance.open_tasks if t.element_id == element_id]
    return task


def at_decision(engine, case_code: str = "SI-2026-0001"):
    """An instance past the police's grant, at the coordinator's decision, with the
    warning and expiry timers of the stay waiting."""
    instance = engine.runtime.start("reflection_period", case_code, actor="coord")
    [grant] = instance.open_tasks
    engine.tasks.complete(grant.id, "officer", GRANT)
    return engine.runtime.instance(instance.id)


def test_a_running_instance_moves_keeping_her_data_its_task_and_its_timers(deployed):
    engine = deployed
    before = at_decision(engine)
    decision = task_at(before, "record_decision")
    engine.tasks.claim(decision.id, "coord")
    engine.repository.deploy(renamed_decision(), source="v2.bpmn", note="Clearer name.")

    planned = engine.migration.plan(before.id, 2)
    assert planned.problems == [] and (planned.from_version, planned.to_version) == (1, 2)
    assert ("record_decision", "record_decision", "active") in {
        (m.element_id, m.target_id, m.state) for m in planned.moves}

    moved = engine.migration.migrate(before.id, 2, actor="analyst")
    assert moved.done and moved.set_up_again == ["record_decision"]
    after = engine.runtime.instance(before.id)
    assert after.version == 2 and after.variables == before.variables
    task = task_at(after, "record_decision")
    assert [t.id for t in after.open_tasks] == [t.id for t in before.open_tasks]
    assert task.id == decision.id and task.assignee == "coord"  # the same row, still hers
    assert task.title == "Record her decision on cooperating, in writing"
    assert (task.due_date, task.legal_date) == (decision.due_date, decision.legal_date)
    assert [(t.element_id, t.due_at) for t in after.timers] == \
        [(t.element_id, t.due_at) for t in before.timers]
    [event] = engine.history.events(instance_id=before.id, event_type="instance_migrated")
    assert (event.actor, event.detail) == ("analyst", "reflection_period version 1 -> 2")

    engine.tasks.complete(task.id, "coord", {"decision": "cooperate",
                                             "decision_date": "2026-03-01"})
    assert engine.runtime.instance(before.id).version == 2


def test_an_element_without_counterpart_refuses_and_nothing_moves(deployed):
    engine = deployed
    instance = engine.runtime.start("reflection_period", "SI-2026-0002", actor="coord")
    engine.repository.deploy(new_id_for_grant(), source="v2.bpmn")
    before = state_of(engine, instance.id)

    planned = engine.migration.plan(instance.id, 2)
    assert [p.element_id for p in planned.problems] == ["grant_permitted_stay"]
    with pytest.raises(ValidationFailed, match="was not moved") as caught:
        engine.migration.migrate(instance.id, 2, actor="analyst")
    assert "the instance is at it" in caught.value.fields["grant_permitted_stay"][0]
    assert state_of(engine, instance.id) == before

    with pytest.raises(ValidationFailed) as caught:
        engine.migration.migrate(instance.id, 2, mapping={"grant_permitted_stay": "nowhere"})
    assert "'nowhere', which is not an element of version 2" in \
        caught.value.fields["grant_permitted_stay"][0]
    assert state_of(engine, instance.id) == before

    engine.migration.migrate(instance.id, 2, mapping={"grant_permitted_stay": "decide_stay"},
                             actor="analyst")
    after = engine.runtime.instance(instance.id)
    [task] = after.open_tasks
    assert (after.version, task.element_id, task.role) == (2, "decide_stay", "police")
    engine.tasks.complete(task.id, "officer", GRANT)
    assert {t.element_id for t in engine.runtime.instance(instance.id).open_tasks} == {
        "record_decision", "inform_of_permit"}


def test_a_version_moves_together_or_not_at_all(deployed):
    engine = deployed
    waiting = engine.runtime.start("reflection_period", "SI-2026-0003", actor="coord")
    deciding = at_decision(engine, "SI-2026-0004")
    engine.repository.deploy(new_id_for_grant(), source="v2.bpmn")
    before = [state_of(engine, i.id) for i in (waiting, deciding)]

    with pytest.raises(ValidationFailed) as caught:
        engine.migration.migrate_version("reflection_period", 1, 2, actor="analyst")
    assert set(caught.value.fields) == {f"{waiting.id}:grant_permitted_stay",
                                        f"{deciding.id}:grant_permitted_stay"}
    assert [state_of(engine, i.id) for i in (waiting, deciding)] == before

    moved = engine.migration.migrate_version(
        "reflection_period", 1, 2, mapping={"grant_permitted_stay": "decide_stay"},
        actor="analyst")
    assert [(m.instance_id, m.done) for m in moved] == [(waiting.id, True), (deciding.id, True)]
    assert {engine.runtime.instance(i.id).version for i in (waiting, deciding)} == {2}
    with engine.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(LegalDeadline).where(
            LegalDeadline.instance_id == deciding.id)) >= 1


def test_what_cannot_move_is_refused_with_its_reason(deployed):
    engine = deployed
    instance = engine.runtime.start("reflection_period", "SI-2026-0005", actor="coord")
    engine.repository.deploy(renamed_decision(), source="v2.bpmn")
    before = state_of(engine, instance.id)
    with pytest.raises(NotFound, match="no version 7"):
        engine.migration.migrate(instance.id, 7)
    with pytest.raises(Conflict, match="already on version 1"):
        engine.migration.migrate(instance.id, 1)
    with pytest.raises(ValidationFailed, match="mapping"):
        engine.migration.migrate(instance.id, 2, mapping={"": "x"})
    with pytest.raises(Conflict, match="revision"):
        engine.migration.migrate(instance.id, 2, revision=instance.revision + 5)
    assert state_of(engine, instance.id) == before
    engine.runtime.cancel(instance.id, actor="coord")
    with pytest.raises(Conflict, match="only a running instance moves"):
        engine.migration.migrate(instance.id, 2)
