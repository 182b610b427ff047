"""Suspending and resuming an instance: the reason is kept in its history."""

from __future__ import annotations

import pytest

from engine.errors import Conflict


def test_suspend_and_resume_record_who_and_why(demo_engine):
    started = demo_engine.runtime.start("demo", "C-1")
    suspended = demo_engine.runtime.suspend(started.id, actor="coord",
                                            reason="she is in hospital for a week")
    assert suspended.status == "suspended"
    resumed = demo_engine.runtime.resume(started.id, actor="maja", reason="she is back")
    assert resumed.status == "running"

    events = demo_engine.history.events(instance_id=started.id)
    found = [(e.event_type, e.actor, e.detail) for e in events
             if e.event_type in ("instance_suspended", "instance_resumed")]
    assert found == [("instance_suspended", "coord", "she is in hospital for a week"),
                     ("instance_resumed", "maja", "she is back")]


def test_a_reason_is_optional(demo_engine):
    started = demo_engine.runtime.start("demo", "C-1")
    demo_engine.runtime.suspend(started.id)
    (event,) = demo_engine.history.events(instance_id=started.id,
                                          event_type="instance_suspended")
    assert event.detail is None


def test_resuming_a_running_instance_is_a_conflict_and_records_nothing(demo_engine):
    started = demo_engine.runtime.start("demo", "C-1")
    with pytest.raises(Conflict, match="is not suspended"):
        demo_engine.runtime.resume(started.id, reason="by mistake")
    assert demo_engine.runtime.instance(started.id).revision == started.revision
    assert demo_engine.history.events(instance_id=started.id,
                                      event_type="instance_resumed") == []
