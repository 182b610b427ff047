"""Due timers fire a batch of instances per transaction; one failing spoils none of the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, update

from engine.errors import Conflict
from engine.store.instances import write_instances
from engine.store.models import HumanTask, ProcessInstance
from tests.conftest import START
from tests.diagrams import boundary_timer, registries
from tests.engine.timer_steps import open_elements, rows, timer_then_handler


def test_instances_failing_inside_a_batch_lose_nothing_of_the_others(make_engine):
    forms, handlers, registry = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(timer_then_handler(), source="flaky.bpmn")
    engine.repository.deploy(boundary_timer("stay", "PT1H"), source="stay.bpmn")
    # All due at the same moment, so claimed in id order: two failures in a row, then one
    # that fires; the second failure must not take the first one's record with it.
    broken = [engine.runtime.start("flaky", f"C-{n}") for n in (1, 2)]
    healthy = engine.runtime.start("stay", "C-3")

    fired = engine.advance_clock(timedelta(hours=1, seconds=1))  # one sweep, one batch

    assert fired == [healthy.id]
    assert registry.calls == 2  # each failing handler ran once; nothing was redone
    assert open_elements(engine, healthy.id) == ["after_timer"]
    events = [e.event_type for e in engine.history.events(instance_id=healthy.id)]
    assert events.count("timer_fired") == 1
    for instance in broken:
        (timer,) = rows(engine, instance_id=instance.id)
        assert (timer.status, timer.attempts) == ("pending", 1)
        failed = engine.history.events(instance_id=instance.id, event_type="timer_failed")
        assert len(failed) == 1
        assert engine.runtime.instance(instance.id).status == "waiting"


def predicted_task_id(engine, instance_id: int, element_id: str) -> str:
    """The id Spiff has already given the task ``element_id`` it predicts will come."""
    with engine.db.reading() as session:
        row = session.get(ProcessInstance, instance_id)
        state = engine.ctx.vault.open(session, row.case_code, "state", row.state)
    (task_id,) = [task_id for task_id, task in state["tasks"].items()
                  if task["task_spec"] == element_id]
    return task_id


def test_a_batch_that_fails_at_its_flush_fires_its_instances_one_by_one(make_engine):
    """An instance whose writes the database refuses spoils the batch's flush; the batch
    goes back and each instance is fired alone, so the others fire once, and the one
    that fails counts an attempt."""
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(boundary_timer("stay", "PT1H"), source="stay.bpmn")
    first, broken, last = (engine.runtime.start("stay", f"C-{n}") for n in (1, 2, 3))
    # A closed task row already holds the id of the task the timer will open in
    # `broken`: inserting that task breaks the unique constraint at the flush.
    with engine.db.transaction() as session:
        session.add(HumanTask(instance_id=first.id, element_id="after_timer", title="Taken",
                              role="coordinator", form_key="test.note", status="cancelled",
                              spiff_task_id=predicted_task_id(engine, broken.id, "after_timer"),
                              created_at=START))

    fired = engine.advance_clock(timedelta(hours=1, seconds=1))

    assert sorted(fired) == [first.id, last.id]
    for instance in (first, last):
        assert open_elements(engine, instance.id) == ["after_timer"]
        events = [e.event_type for e in engine.history.events(instance_id=instance.id)]
        assert events.count("timer_fired") == 1
        assert events.count("task_created") == 2  # `wait`, then `after_timer`, once
    (timer,) = rows(engine, instance_id=broken.id)
    assert (timer.status, timer.attempts) == ("pending", 1)
    assert "human_task" in timer.last_error
    assert open_elements(engine, broken.id) == ["wait"]
    assert engine.runtime.instance(broken.id).revision == broken.revision


def test_a_batch_writes_its_instances_together_and_still_checks_each_revision(make_engine):
    """The instances of a batch share their UPDATE; one whose row another writer moved
    on since it was read fails the whole write, and nothing of the batch is kept."""
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(boundary_timer("stay", "PT1H"), source="stay.bpmn")
    started = [engine.runtime.start("stay", f"C-{n}") for n in (1, 2, 3)]
    ids = [instance.id for instance in started]

    def saved_by_hand(session, rows: list[ProcessInstance]) -> list[ProcessInstance]:
        """Each instance restored and saved again, as a batch does (which reads what it
        needs beforehand, so nothing is flushed in between)."""
        with session.no_autoflush:
            for row in rows:
                workflow = engine.runtime.store.restore(session, row)
                engine.runtime.store.save(session, row, workflow, "test", flush=False)
        return rows

    def read(session) -> list[ProcessInstance]:
        return [session.get(ProcessInstance, instance_id) for instance_id in ids]

    with (pytest.raises(Conflict, match="changed by someone else"),
          engine.db.transaction() as session):
        rows = read(session)
        # Another writer moves the second instance on; the session keeps the revision it
        # read.
        session.execute(update(ProcessInstance).where(ProcessInstance.id == ids[1])
                        .values(revision=ProcessInstance.revision + 1)
                        .execution_options(synchronize_session=False))
        write_instances(session, saved_by_hand(session, rows))
    assert [engine.runtime.instance(i).revision for i in ids] == \
        [instance.revision for instance in started]

    with engine.db.transaction() as session:
        rows = saved_by_hand(session, read(session))
        write_instances(session, rows)
        session.flush()
        assert not any(session.is_modified(row) for row in rows)
    for instance in started:
        assert engine.runtime.instance(instance.id).revision == instance.revision + 1
        assert open_elements(engine, instance.id) == ["wait"]
    # The rows were written as they were saved: the timers still fire from them.
    fired = engine.advance_clock(timedelta(hours=1, seconds=1))
    assert sorted(fired) == ids
    for instance in started:
        assert open_elements(engine, instance.id) == ["after_timer"]
        assert engine.runtime.instance(instance.id).revision == instance.revision + 2


def test_a_batch_reads_each_table_once_however_many_instances_it_fires(make_engine):
    """A backlog drains at the pace of its batches: firing twelve instances together
    sends as many reads as firing three (their cases' keys and jurisdictions are read
    once for the batch, not once per instance)."""
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(boundary_timer("stay", "PT1H"), source="stay.bpmn")

    def reads_to_fire(count: int, prefix: str) -> int:
        ids = [engine.runtime.start("stay", f"{prefix}-{n}").id for n in range(count)]
        sent: list[str] = []

        def note(_conn, _cursor, statement, *_args) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                sent.append(statement)

        event.listen(engine.db.engine, "before_cursor_execute", note)
        try:
            fired = engine.advance_clock(timedelta(hours=1, seconds=1))
        finally:
            event.remove(engine.db.engine, "before_cursor_execute", note)
        assert sorted(fired) == ids
        assert all(open_elements(engine, i) == ["after_timer"] for i in ids)
        return len(sent)

    assert reads_to_fire(12, "TWELVE") == reads_to_fire(3, "THREE")
