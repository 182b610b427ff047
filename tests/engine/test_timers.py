"""Timers obey the engine clock, SpiffWorkflow's own timer events included."""

from __future__ import annotations

from datetime import timedelta

from tests.diagrams import boundary_timer, registries


def open_elements(engine, instance_id):
    return [t.element_id for t in engine.runtime.instance(instance_id).open_tasks]


def test_boundary_timer_p90d_fires_after_90_days_and_a_second_not_before(make_engine):
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(boundary_timer("stay", "P90D"), source="stay.bpmn")
    started = engine.runtime.start("stay", "C-1")
    assert [t.due_at for t in started.timers] == [engine.clock.now() + timedelta(days=90)]

    engine.advance_clock(timedelta(days=90) - timedelta(seconds=1))
    assert open_elements(engine, started.id) == ["wait"]
    assert engine.history.events(instance_id=started.id, event_type="timer_fired") == []

    engine.advance_clock(timedelta(seconds=2))
    assert open_elements(engine, started.id) == ["after_timer"]
    fired = engine.history.events(instance_id=started.id, event_type="timer_fired")
    assert [e.element_id for e in fired] == ["timer"]
    cancelled = engine.tasks.tasks(instance_id=started.id, status="cancelled")
    assert [t.element_id for t in cancelled] == ["wait"]


def test_timer_survives_a_restart_of_the_engine(make_engine):
    """The due time is in the database: a new engine process fires it."""
    forms, handlers, _ = registries()
    first = make_engine(forms=forms, handlers=handlers)
    first.repository.deploy(boundary_timer("stay", "PT2H"), source="stay.bpmn")
    started = first.runtime.start("stay", "C-1")
    first.close()

    second = make_engine(forms=forms, handlers=handlers)
    assert second.clock.now() == first.clock.now()  # the manual clock is stored too
    assert second.advance_clock(timedelta(hours=2, seconds=1)) == [started.id]
    assert open_elements(second, started.id) == ["after_timer"]


def test_suspended_instance_does_not_fire_until_resumed(make_engine):
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(boundary_timer("stay", "P1D"), source="stay.bpmn")
    started = engine.runtime.start("stay", "C-1")
    engine.runtime.suspend(started.id, actor="coord")
    engine.advance_clock(timedelta(days=2))
    assert engine.runtime.instance(started.id).status == "suspended"
    assert open_elements(engine, started.id) == ["wait"]
    resumed = engine.runtime.resume(started.id, actor="coord")
    assert resumed.status == "running"
    assert open_elements(engine, started.id) == ["after_timer"]
