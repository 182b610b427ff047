"""The open task of a case and a snapshot of all an instance has, for tests of the worklist
and of the API that complete tasks and prove a refusal changed nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.store.models import AuditEvent


def open_task(engine, instance_id):
    (task,) = engine.runtime.instance(instance_id).open_tasks
    return task


def snapshot(engine, instance_id):
    """What a refused request must leave as it was."""
    view = engine.runtime.instance(instance_id)
    with engine.db.reading() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    return view.revision, view.status, [t.id for t in view.open_tasks], events
