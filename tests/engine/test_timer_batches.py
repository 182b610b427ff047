"""Due timers fire a batch of instances per transaction; one failing spoils none of the rest."""

from __future__ import annotations

from datetime import timedelta

from tests.diagrams import boundary_timer, registries
from tests.engine.test_timer_service import open_elements, rows, timer_then_handler


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
