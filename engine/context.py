"""What every service shares: database, clock, registries, spec cache and serializer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from engine.bpmn.decisions import decision_refs
from engine.bpmn.diagrams import ParsedSpecs, called_keys, parse_processes, read_xml
from engine.bpmn.execution import StateSerializer
from engine.crypto.keys import KeyRing, new_key
from engine.crypto.vault import Vault
from engine.errors import NotFound
from engine.kit.clock import Clock
from engine.kit.jurisdiction import Jurisdiction
from engine.store.db import Database
from engine.store.models import AuditEvent, DecisionDefinition, HumanTask, ProcessDefinition
from engine.store.workflow_cache import WorkflowCache

if TYPE_CHECKING:
    from engine.obligations.mail import SmtpSettings


@dataclass
class EngineContext:
    db: Database
    clock: Clock
    timezone: ZoneInfo
    forms: Any
    handlers: Any
    jurisdiction: Jurisdiction
    workflows: WorkflowCache = field(default_factory=lambda: WorkflowCache(0))
    serializer: StateSerializer = field(default_factory=StateSerializer)
    _specs: dict[tuple[int, tuple[tuple[str, int], ...]], ParsedSpecs] = field(
        default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    mail: SmtpSettings | None = None
    """Where notifications are e-mailed; None keeps them in the in-app inbox only."""
    vault: Vault = field(default_factory=lambda: Vault(KeyRing(new_key())))
    """Seals each case's data with its key; ProcessEngine gives it the master key."""
    timer_listeners: list[Callable[[datetime], None]] = field(default_factory=list)
    """Called after a commit that added or moved a timer, with its earliest due time."""

    def __post_init__(self) -> None:
        event.listen(self.db.sessions, "before_commit", _write_audit_events)
        event.listen(self.db.sessions, "after_rollback", _drop_audit_events)
        self.workflows.watch(self.db.sessions)
        event.listen(self.db.sessions, "after_commit", self._announce_timers)
        event.listen(self.db.sessions, "after_rollback",
                     lambda session: session.info.pop(_EARLIEST_TIMER, None))

    def timers_changed(self, session: Session, due_at: datetime) -> None:
        """Note that this unit of work schedules something at ``due_at``."""
        earliest = session.info.get(_EARLIEST_TIMER)
        if earliest is None or due_at < earliest:
            session.info[_EARLIEST_TIMER] = due_at

    def _announce_timers(self, session: Session) -> None:
        earliest = session.info.pop(_EARLIEST_TIMER, None)
        if earliest is not None:
            for listener in list(self.timer_listeners):
                listener(earliest)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """The local date in the jurisdiction: legal dates have no time of day."""
        return self.clock.now().astimezone(self.timezone).date()

    def specs_for(self, session: Session, definition_id: int,
                  bindings: Bindings | None = None) -> ParsedSpecs:
        """The cached specs of a definition version with the called versions it is bound to.

        The XML is read only on a cache miss.
        """
        cache_key = (definition_id, _frozen(bindings))
        cached = self._specs.get(cache_key)
        if cached is None:
            definition = session.get(ProcessDefinition, definition_id)
            assert definition is not None, definition_id
            cached = self.specs(session, definition, bindings)
        return cached

    def specs(self, session: Session, definition: ProcessDefinition,
              bindings: Bindings | None = None) -> ParsedSpecs:
        """The parsed specs of a definition version, parsed once per version and bindings."""
        cache_key = (definition.id, _frozen(bindings))
        cached = self._specs.get(cache_key)
        if cached is None:
            bound = bindings or {}
            called = [self._xml(session, definition_id) for key, definition_id in bound.items()
                      if not key.startswith(DECISION)]
            tables = [self._dmn(session, decision_id) for key, decision_id in bound.items()
                      if key.startswith(DECISION)]
            with self._lock:
                cached = self._specs.get(cache_key)
                if cached is None:
                    parsed = parse_processes(definition.bpmn_xml.encode("utf-8"),
                                             [definition.key], called, tables)
                    cached = self._specs[cache_key] = parsed[definition.key]
        return cached

    def bind_calls(self, session: Session, definition: ProcessDefinition) -> Bindings:
        """Fix, for a new instance, the version of every process its call activities run.

        The latest deployed version of each called key, followed transitively, so the
        whole instance stays on the versions it started with.
        """
        bindings: Bindings = {}
        pending = sorted(called_keys(definition.bpmn_xml.encode("utf-8")))
        while pending:
            key = pending.pop()
            if key in bindings:
                continue
            latest = self.latest_definition(session, key)
            if latest is None:
                raise NotFound(f"process {definition.key!r} calls {key!r}, which is not "
                               "deployed")
            bindings[key] = latest.id
            pending.extend(sorted(called_keys(latest.bpmn_xml.encode("utf-8"))))
        self._bind_decisions(session, [definition, *(
            session.get(ProcessDefinition, i) for i in list(bindings.values()))], bindings)
        return bindings

    def _bind_decisions(self, session: Session, definitions: list[Any],
                        bindings: Bindings) -> None:
        """Fix the version of every decision table the bound processes run, as a
        binding ``decision:<id>``: a table deployed later does not change a running case."""
        for definition in definitions:
            for _, ref in decision_refs(read_xml(definition.bpmn_xml.encode("utf-8"))):
                if not ref or DECISION + ref in bindings:
                    continue
                latest = self.latest_decision(session, ref)
                if latest is None:
                    raise NotFound(f"process {definition.key!r} runs decision {ref!r}, "
                                   "which is not deployed")
                bindings[DECISION + ref] = latest.id

    @staticmethod
    def latest_decision(session: Session, key: str) -> DecisionDefinition | None:
        return session.scalars(
            select(DecisionDefinition).where(DecisionDefinition.key == key)
            .order_by(DecisionDefinition.version.desc()).limit(1)
        ).first()

    @staticmethod
    def _dmn(session: Session, decision_id: int) -> bytes:
        decision = session.get(DecisionDefinition, decision_id)
        assert decision is not None, decision_id
        return decision.dmn_xml.encode("utf-8")

    @staticmethod
    def latest_definition(session: Session, key: str) -> ProcessDefinition | None:
        return session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.key == key)
            .order_by(ProcessDefinition.version.desc()).limit(1)
        ).first()

    @staticmethod
    def _xml(session: Session, definition_id: int) -> bytes:
        definition = session.get(ProcessDefinition, definition_id)
        assert definition is not None, definition_id
        return definition.bpmn_xml.encode("utf-8")

    def audit(self, session: Session, event_type: str, actor: str, *,
              instance_id: int | None = None, task_id: int | None = None,
              task: HumanTask | None = None, element_id: str | None = None,
              data_keys: list[str] | None = None, detail: str | None = None) -> None:
        """Append one audit event to the current unit of work.

        Events are collected and written with one multi-row INSERT just before the
        transaction commits: a unit of work emits several, and each statement is a round
        trip to the database. ``task`` stands for ``task_id`` when the task row is not
        flushed yet: its id is read when the events are written.
        """
        session.info.setdefault(_PENDING_AUDIT, []).append({
            "at": self.now(), "actor": actor, "event_type": event_type,
            "instance_id": instance_id, "task_id": task_id if task is None else task,
            "element_id": element_id, "data_keys": sorted(data_keys or []), "detail": detail,
        })


_PENDING_AUDIT = "varnapot.pending_audit"
_EARLIEST_TIMER = "varnapot.earliest_timer"

Bindings = dict[str, int]

DECISION = "decision:"
"""The prefix of a binding to a decision table's version (process keys have no colon)."""
"""Called process key -> the definition id an instance runs for it."""


def _frozen(bindings: Bindings | None) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((bindings or {}).items()))


def _drop_audit_events(session: Session) -> None:
    session.info.pop(_PENDING_AUDIT, None)


def _write_audit_events(session: Session) -> None:
    """Write the unit's events at its commit; a savepoint's release waits for that too,
    so a batch of savepoints still costs one INSERT."""
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING_AUDIT, None)
    if pending:
        session.flush()  # the ids of tasks created in this unit
        for event in pending:
            if isinstance(event["task_id"], HumanTask):
                event["task_id"] = event["task_id"].id
        session.execute(insert(AuditEvent.__table__), pending)
