"""The audit trail is append-only, enforced by the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.diagrams import linear, registries


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET actor = 'someone else'",
    "DELETE FROM audit_event",
])
def test_audit_events_cannot_be_changed_or_deleted(make_engine, statement):
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(linear("demo"), source="demo.bpmn")
    instance = engine.runtime.start("demo", "C-1", actor="ana")
    before = engine.history.events()
    assert {e.event_type for e in before} >= {"definition_deployed", "instance_started",
                                               "task_created"}
    with pytest.raises(DatabaseError, match="append-only"), engine.db.transaction() as s:
        s.execute(text(statement))
    assert engine.history.events() == before
    assert engine.history.events(instance_id=instance.id)[0].actor == "ana"
