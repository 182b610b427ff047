"""HistoryService: the append-only audit trail. It reads; the engine never edits it.

A reason someone typed (for suspending or cancelling a procedure) is free text and may
name someone, so it is stored sealed with the case's key. It is shown to the roles that
read narratives (``reveal``); after the case is erased it can no longer be read.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.context import EngineContext
from engine.crypto.vault import SEALED_TEXT
from engine.store.models import AuditEvent, ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import EventView

HIDDEN = "(a reason: not for your roles)"


class HistoryService:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def events(self, *, instance_id: int | None = None, task_id: int | None = None,
               event_type: str | None = None, limit: int = 1000,
               reveal: bool = True) -> list[EventView]:
        codes: dict[int | None, str | None] = {}  # instance -> case, read once each
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
                          detail=self._detail(session, e, reveal, codes),
                          revealed=reveal and _sealed(e))
                for e in session.scalars(query)
            ]

    def _detail(self, session: UnitOfWork, event: AuditEvent, reveal: bool,
                codes: dict[int | None, str | None]) -> str | None:
        if not _sealed(event):
            return event.detail
        if not reveal:
            return HIDDEN
        if event.instance_id not in codes:
            codes[event.instance_id] = session.scalar(
                select(ProcessInstance.case_code)
                .where(ProcessInstance.id == event.instance_id))
        code = codes[event.instance_id]
        return self.ctx.vault.shown_text(session, code or "", "reason", event.detail, True)


def _sealed(event: AuditEvent) -> bool:
    return bool(event.detail and event.detail.startswith(SEALED_TEXT))
