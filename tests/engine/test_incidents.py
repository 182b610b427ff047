"""A failing handler is an incident; retry runs it again and loses or repeats nothing."""

from __future__ import annotations

import pytest

from engine.errors import Conflict
from tests.diagrams import registries, with_handler


def test_failing_handler_is_an_incident_and_retry_resumes(make_engine):
    forms, handlers, switch = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(with_handler("two"), source="two.bpmn")
    instance = engine.runtime.start("two", "C-1")
    engine.tasks.complete(instance.open_tasks[0].id, "ana", {"note": "keep me"})

    failed = engine.runtime.instance(instance.id)
    assert failed.status == "incident"
    assert failed.incident_element == "call"
    assert "did not answer" in failed.incident_message
    assert failed.variables["note"] == "keep me"  # the completed task is saved
    assert engine.runtime.instances(status="incident")[0].id == instance.id

    still = engine.runtime.retry(instance.id, actor="coord")
    assert still.status == "incident" and switch.calls == 2

    switch.broken = False
    fixed = engine.runtime.retry(instance.id, actor="coord")
    assert fixed.status == "running"
    assert fixed.incident_element is None
    assert [t.element_id for t in fixed.open_tasks] == ["second"]
    assert fixed.variables["handled"] is True and switch.calls == 3

    completions = engine.history.events(instance_id=instance.id, event_type="task_completed")
    assert [e.element_id for e in completions] == ["first"]  # nothing was repeated
    kinds = [e.event_type for e in engine.history.events(instance_id=instance.id)]
    assert kinds.count("incident") == 2 and "incident_retried" in kinds
    assert kinds.count("handler_completed") == 1


def test_retry_without_incident_is_a_conflict(make_engine):
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(with_handler("two"), source="two.bpmn")
    instance = engine.runtime.start("two", "C-1")
    with pytest.raises(Conflict, match="no incident"):
        engine.runtime.retry(instance.id)
    assert engine.runtime.instance(instance.id).revision == instance.revision
