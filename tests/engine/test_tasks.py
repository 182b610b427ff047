"""Completing tasks: one transaction, validated by the form, guarded by the revision."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.errors import BadRequest, Conflict, NotFound, ValidationFailed
from engine.store.models import AuditEvent, HumanTask, ProcessInstance
from tests.diagrams import registries, with_handler


def state_of(engine, instance_id):
    """Everything a refused change must leave as it was."""
    with engine.db.reading() as session:
        row = session.get(ProcessInstance, instance_id)
        tasks = session.execute(select(HumanTask.id, HumanTask.status, HumanTask.assignee)
                                .order_by(HumanTask.id)).all()
        events = session.scalar(select(func.count()).select_from(AuditEvent))
        return row.revision, row.status, row.state, row.variables, tasks, events


def test_complete_merges_the_form_data_and_moves_on(demo_engine):
    instance = demo_engine.runtime.start("demo", "C-1", {"first_due": "2026-03-20"})
    task = instance.open_tasks[0]
    assert (task.role, task.form_key, task.due_date.isoformat()) == (
        "coordinator", "test.note", "2026-03-20")
    assert task.documentation == "Write a note."
    demo_engine.tasks.complete(task.id, "ana", {"note": "seen her", "count": 3})
    after = demo_engine.runtime.instance(instance.id)
    assert after.status == "completed" and after.ended_at is not None
    assert after.variables["note"] == "seen her" and after.variables["count"] == 3
    assert after.revision == instance.revision + 1
    completed = demo_engine.history.events(instance_id=instance.id, event_type="task_completed")
    assert [(e.actor, e.data_keys) for e in completed] == [("ana", ["count", "note"])]


def test_form_errors_are_per_field_and_change_nothing(demo_engine):
    instance = demo_engine.runtime.start("demo", "C-1")
    task_id = instance.open_tasks[0].id
    before = state_of(demo_engine, instance.id)
    with pytest.raises(ValidationFailed) as caught:
        demo_engine.tasks.complete(task_id, "ana", {"count": "many", "extra": 1})
    assert set(caught.value.fields) == {"note", "count", "extra"}
    assert state_of(demo_engine, instance.id) == before
    with pytest.raises(ValidationFailed):
        demo_engine.tasks.complete(task_id, "ana", ["not", "an", "object"])
    assert state_of(demo_engine, instance.id) == before


def test_completing_a_completed_task_is_a_conflict_without_a_second_step(demo_engine):
    instance = demo_engine.runtime.start("demo", "C-1")
    task_id = instance.open_tasks[0].id
    demo_engine.tasks.complete(task_id, "ana", {"note": "once"})
    before = state_of(demo_engine, instance.id)
    with pytest.raises(Conflict, match="already completed"):
        demo_engine.tasks.complete(task_id, "ana", {"note": "twice"})
    assert state_of(demo_engine, instance.id) == before


def test_stale_revision_is_a_conflict(demo_engine):
    instance = demo_engine.runtime.start("demo", "C-1")
    before = state_of(demo_engine, instance.id)
    with pytest.raises(Conflict, match="revision"):
        demo_engine.tasks.complete(instance.open_tasks[0].id, "ana", {"note": "x"},
                                   revision=instance.revision - 1)
    assert state_of(demo_engine, instance.id) == before


def test_a_concurrent_save_loses_to_the_first_one(make_engine, database_url):
    """Two workers load the same revision; the second save must not overwrite the first."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite transactions begin IMMEDIATE: the second writer waits its turn")
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(with_handler("two"), source="two.bpmn")
    instance = engine.runtime.start("two", "C-1")
    other = make_engine(forms=forms, handlers=handlers)
    store = engine.runtime.store
    with pytest.raises(Conflict, match="changed by someone else"), \
            engine.db.transaction() as session:
        row = store.get(session, instance.id)
        workflow = store.load(session, row)
        other.tasks.complete(instance.open_tasks[0].id, "bea", {"note": "first"})
        store.save(session, row, workflow, "ana")
    tasks = engine.tasks.tasks(instance_id=instance.id, status="completed")
    assert [(t.element_id, t.completed_by) for t in tasks] == [("first", "bea")]


def test_claim_and_unclaim(demo_engine):
    instance = demo_engine.runtime.start("demo", "C-1")
    task_id = instance.open_tasks[0].id
    assert demo_engine.tasks.claim(task_id, "ana").assignee == "ana"
    assert [t.id for t in demo_engine.tasks.tasks(assignee="ana")] == [task_id]
    before = state_of(demo_engine, instance.id)
    with pytest.raises(Conflict, match="claimed by ana"):
        demo_engine.tasks.claim(task_id, "bea")
    with pytest.raises(Conflict, match="claimed by ana"):
        demo_engine.tasks.complete(task_id, "bea", {"note": "mine"})
    assert state_of(demo_engine, instance.id) == before
    assert demo_engine.tasks.unclaim(task_id, "ana").assignee is None
    demo_engine.tasks.complete(task_id, "bea", {"note": "done"})
    kinds = [e.event_type for e in demo_engine.history.events(instance_id=instance.id)]
    assert kinds.index("task_claimed") < kinds.index("task_unclaimed") < kinds.index(
        "task_completed")


def test_worklist_filters_by_role_and_status(demo_engine):
    for case in ("C-1", "C-2"):
        demo_engine.runtime.start("demo", case)
    assert len(demo_engine.tasks.tasks(role="coordinator")) == 2
    assert demo_engine.tasks.tasks(role="police") == []
    with pytest.raises(BadRequest):
        demo_engine.tasks.tasks(status="lost")


def test_worklist_pages_run_by_due_date_with_undated_tasks_last(demo_engine):
    dues = ["2026-04-02", None, "2026-03-20", "2026-04-02", None, "2026-03-25"]
    for number, due in enumerate(dues):
        demo_engine.runtime.start("demo", f"C-{number}", {"first_due": due} if due else None)
    listed = demo_engine.tasks.tasks(roles=["coordinator"])
    assert [t.case_code for t in listed] == ["C-2", "C-5", "C-0", "C-3", "C-1", "C-4"]
    pages = [demo_engine.tasks.tasks(roles=["coordinator"], limit=4, offset=offset)
             for offset in (0, 4, 8)]
    assert [t.id for page in pages for t in page] == [t.id for t in listed]
    assert [len(page) for page in pages] == [4, 2, 0]
    assert demo_engine.tasks.count(roles=["coordinator"]) == 6
    assert demo_engine.tasks.count(roles=["police"]) == 0
    demo_engine.tasks.claim(listed[3].id, "ana")
    mine = demo_engine.tasks.tasks(roles=["coordinator"], assignee="ana", limit=50)
    assert [(t.case_code, t.process_key) for t in mine] == [("C-3", "demo")]


def test_unknown_ids_are_not_found_and_change_nothing(demo_engine):
    instance = demo_engine.runtime.start("demo", "C-1")
    before = state_of(demo_engine, instance.id)
    for call in (lambda: demo_engine.tasks.complete(999, "ana", {"note": "x"}),
                 lambda: demo_engine.tasks.claim(999, "ana"),
                 lambda: demo_engine.tasks.task(999),
                 lambda: demo_engine.runtime.instance(999),
                 lambda: demo_engine.runtime.retry(999),
                 lambda: demo_engine.runtime.cancel(999),
                 lambda: demo_engine.runtime.start("no_such_process", "C-9")):
        with pytest.raises(NotFound):
            call()
    assert state_of(demo_engine, instance.id) == before


def test_cancel_closes_tasks_and_refuses_further_work(demo_engine):
    instance = demo_engine.runtime.start("demo", "C-1")
    cancelled = demo_engine.runtime.cancel(instance.id, actor="coord", reason="withdrew")
    assert cancelled.status == "cancelled" and cancelled.open_tasks == []
    with pytest.raises(Conflict):
        demo_engine.tasks.complete(instance.open_tasks[0].id, "ana", {"note": "x"})
    event = demo_engine.history.events(instance_id=instance.id, event_type="instance_cancelled")
    assert [(e.actor, e.detail) for e in event] == [("coord", "withdrew")]


def test_a_task_is_handed_over_to_an_actor_of_its_lane_with_a_sealed_reason(demo_engine):
    demo_engine.users.add("ana", ["coordinator"], by="tests")
    demo_engine.users.add("bojan", ["coordinator"], by="tests")
    instance = demo_engine.runtime.start("demo", "C-1")
    task_id = instance.open_tasks[0].id
    demo_engine.tasks.claim(task_id, "ana")
    handed = demo_engine.tasks.assign(task_id, "bojan", by="ana",
                                      reason="Ana is on leave until Monday")
    assert handed.assignee == "bojan"
    (event,) = demo_engine.history.events(instance_id=instance.id,
                                          event_type="task_reassigned")
    assert (event.actor, event.task_id) == ("ana", task_id)
    assert event.detail == "ana -> bojan: Ana is on leave until Monday"  # opened for us
    assert "leave" not in demo_engine.history.events(
        instance_id=instance.id, event_type="task_reassigned", reveal=False)[0].detail


@pytest.mark.parametrize(("assignee", "reason", "field"), [
    ("bojan", "  ", "reason"),
    ("cene", "a colleague of the lane", "assignee"),  # without the coordinator role
    ("dana", "a colleague of the lane", "assignee"),  # no longer active
    ("nobody", "a colleague of the lane", "assignee"),
])
def test_handing_over_is_refused_without_a_reason_or_to_someone_outside_the_lane(
        demo_engine, assignee, reason, field):
    demo_engine.users.add("bojan", ["coordinator"], by="tests")
    demo_engine.users.add("cene", ["police"], by="tests")
    demo_engine.users.add("dana", ["coordinator"], by="tests")
    demo_engine.users.update("dana", active=False, by="tests")
    instance = demo_engine.runtime.start("demo", "C-1")
    task_id = instance.open_tasks[0].id
    before = state_of(demo_engine, instance.id)
    with pytest.raises(ValidationFailed) as caught:
        demo_engine.tasks.assign(task_id, assignee, by="ana", reason=reason)
    assert list(caught.value.fields) == [field]
    assert state_of(demo_engine, instance.id) == before


def test_a_closed_task_is_not_handed_over(demo_engine):
    demo_engine.users.add("bojan", ["coordinator"], by="tests")
    instance = demo_engine.runtime.start("demo", "C-1")
    task_id = instance.open_tasks[0].id
    demo_engine.tasks.complete(task_id, "ana", {"note": "done", "count": 1})
    before = state_of(demo_engine, instance.id)
    with pytest.raises(Conflict):
        demo_engine.tasks.assign(task_id, "bojan", by="ana", reason="too late")
    assert state_of(demo_engine, instance.id) == before
