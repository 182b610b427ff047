"""HistoryService: the append-only audit trail. It reads; the engine never edits it."""

from __future__ import annotations

from sqlalchemy import select

from .context import EngineContext
from .models import AuditEvent
from .views import EventView


class HistoryService:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def events(self, *, instance_id: int | None = None, task_id: int | None = None,
               event_type: str | None = None, limit: int = 1000) -> list[EventView]:
        with self.ctx.db.reading() as session:
            query = select(AuditEvent).order_by(AuditEvent.id).limit(limit)
            if instance_id is not None:
                query = query.where(AuditEvent.instance_id == instance_id)
            if task_id is not None:
                query = query.where(AuditEvent.task_id == task_id)
            if event_type is not None:
                query = query.where(AuditEvent.event_type == event_type)
            return [
                EventView(id=e.id, at=e.at, actor=e.actor, event_type=e.event_type,
                          instance_id=e.instance_id, task_id=e.task_id,
                          element_id=e.element_id, data_keys=list(e.data_keys or []),
                          detail=e.detail)
                for e in session.scalars(query)
            ]
