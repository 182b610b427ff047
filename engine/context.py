"""What every service shares: database, clock, registries, spec cache and serializer."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from .bpmn import ParsedSpecs, parse_processes
from .clock import Clock
from .db import Database
from .execution import StateSerializer
from .models import AuditEvent, ProcessDefinition


@dataclass
class EngineContext:
    db: Database
    clock: Clock
    timezone: ZoneInfo
    forms: Any
    handlers: Any
    serializer: StateSerializer = field(default_factory=StateSerializer)
    _specs: dict[int, ParsedSpecs] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        event.listen(self.db.sessions, "before_commit", _write_audit_events)
        event.listen(self.db.sessions, "after_rollback", _drop_audit_events)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """The local date in the jurisdiction: legal dates have no time of day."""
        return self.clock.now().astimezone(self.timezone).date()

    def specs_for(self, session: Session, definition_id: int) -> ParsedSpecs:
        """The cached specs of a definition version; its XML is read only on a miss."""
        cached = self._specs.get(definition_id)
        if cached is None:
            definition = session.get(ProcessDefinition, definition_id)
            assert definition is not None, definition_id
            cached = self.specs(definition)
        return cached

    def specs(self, definition: ProcessDefinition) -> ParsedSpecs:
        """The parsed specs of a definition version, parsed once per process."""
        cached = self._specs.get(definition.id)
        if cached is None:
            with self._lock:
                cached = self._specs.get(definition.id)
                if cached is None:
                    parsed = parse_processes(definition.bpmn_xml.encode("utf-8"),
                                             [definition.key])
                    cached = self._specs[definition.id] = parsed[definition.key]
        return cached

    def audit(self, session: Session, event_type: str, actor: str, *,
              instance_id: int | None = None, task_id: int | None = None,
              element_id: str | None = None, data_keys: list[str] | None = None,
              detail: str | None = None) -> None:
        """Append one audit event to the current unit of work.

        Events are collected and written with one multi-row INSERT just before the
        transaction commits: a unit of work emits several, and each statement is a round
        trip to the database.
        """
        session.info.setdefault(_PENDING_AUDIT, []).append({
            "at": self.now(), "actor": actor, "event_type": event_type,
            "instance_id": instance_id, "task_id": task_id, "element_id": element_id,
            "data_keys": sorted(data_keys or []), "detail": detail,
        })


_PENDING_AUDIT = "varnapot.pending_audit"


def _drop_audit_events(session: Session) -> None:
    session.info.pop(_PENDING_AUDIT, None)


def _write_audit_events(session: Session) -> None:
    pending = session.info.pop(_PENDING_AUDIT, None)
    if pending:
        session.execute(insert(AuditEvent.__table__), pending)
