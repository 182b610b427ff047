"""The unit of work: one transaction and what the engine notes in it for its commit.

SQLAlchemy's ``Session`` already is a unit of work for rows: it tracks what was read
and changed and writes it all in one transaction. ``UnitOfWork`` extends it with what
the engine itself collects while the unit runs, each a typed field:

- ``audit_events``: the audit trail of the unit, written with one multi-row INSERT just
  before the commit (a unit emits several; each statement is a round trip);
- ``case_keys``: the case data keys opened in this unit, and never longer, so erasing a
  case takes effect in every process at once;
- ``case_records``: the case records a batch read alongside other rows, held here
  because the session holds rows weakly: a later look at the same case (its
  jurisdiction) finds the row in the session instead of querying again;
- ``prefetched``: rows a batch has already read, handed to the save that would read
  them again;
- ``earliest_timer``: the earliest due time the unit scheduled, announced to the timer
  workers once the commit has made it visible;
- ``access_events`` and ``access_heads``: the reads of her data this unit logged, and
  the access log's lanes it holds with each one's last event so far; the events are
  written just before the commit (``engine.protection.access``), so they are listed in
  the order their units committed;
- ``workflows_to_keep``: restored workflows offered to the workflow cache, kept only
  once the commit has made their revision true.

A commit lets each ``before_commit`` hook write what it noted, writes the audit events,
commits, then hands the kept workflows to their cache and the earliest timer to the
listeners. A rollback drops every note. A failure inside :meth:`savepoint` drops only
what was noted inside it: a timer batch fires each timer in a savepoint and keeps the
audit of the failures counted before it.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session

from engine.store.models import AuditEvent, CaseRecord, HumanTask, ProcessInstance

if TYPE_CHECKING:
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

    from engine.store.workflow_cache import WorkflowCache


@dataclass
class CommitHooks:
    """What every unit of one engine shares: the clock its audit events are stamped
    with, who hears of new timers, and who hears what a commit recorded (the metrics
    count completions and firings from it)."""

    now: Callable[[], datetime] = lambda: datetime.now().astimezone()
    timer_listeners: list[Callable[[datetime], None]] = field(default_factory=list)
    event_listeners: list[Callable[[list[str]], None]] = field(default_factory=list)
    """Each hears the event types of every committed unit that recorded any."""
    before_commit: list[Callable[[UnitOfWork], None]] = field(default_factory=list)
    """Each writes what it noted in a unit, just before its audit events and its commit."""


@dataclass
class Notes:
    """What a unit of work collects for its commit (see the module docstring)."""

    audit_events: list[dict[str, Any]] = field(default_factory=list)
    case_keys: dict[str, bytes] = field(default_factory=dict)
    case_records: dict[str, CaseRecord] = field(default_factory=dict)
    prefetched: dict[tuple[type, int], list[Any]] = field(default_factory=dict)
    earliest_timer: datetime | None = None
    access_events: list[dict[str, Any]] = field(default_factory=list)
    access_heads: dict[int, tuple[int, str]] = field(default_factory=dict)
    workflows_to_keep: dict[int, tuple[WorkflowCache, ProcessInstance, BpmnWorkflow]] = field(
        default_factory=dict)

    def copy(self) -> Notes:
        return replace(self, **{f.name: copy.copy(getattr(self, f.name))
                                for f in fields(self)})


class UnitOfWork(Session):
    """A session that carries the engine's notes for its commit as typed fields."""

    def __init__(self, *args: Any, hooks: CommitHooks | None = None,
                 reads_only: bool = False, **options: Any) -> None:
        super().__init__(*args, **options)
        self.hooks = hooks or CommitHooks()
        self.reads_only = reads_only
        self.notes = Notes()

    def audit(self, event_type: str, actor: str, *, instance_id: int | None = None,
              task_id: int | None = None, task: HumanTask | None = None,
              element_id: str | None = None, data_keys: list[str] | None = None,
              detail: str | None = None) -> None:
        """Append one audit event, written at the commit.

        ``task`` stands for ``task_id`` when the task row is not flushed yet: its id is
        read when the events are written.
        """
        if self.reads_only:
            raise RuntimeError(f"a unit of work that only reads cannot record {event_type}")
        self.notes.audit_events.append({
            "at": self.hooks.now(), "actor": actor, "event_type": event_type,
            "instance_id": instance_id, "task_id": task_id if task is None else task,
            "element_id": element_id, "data_keys": sorted(data_keys or []), "detail": detail,
        })

    def timer_due(self, due_at: datetime) -> None:
        """Note that this unit schedules something at ``due_at``."""
        earliest = self.notes.earliest_timer
        if earliest is None or due_at < earliest:
            self.notes.earliest_timer = due_at

    def keep_workflow(self, cache: WorkflowCache, row: ProcessInstance,
                      workflow: BpmnWorkflow) -> None:
        """Hand ``workflow`` to ``cache`` once the commit has given ``row`` its revision."""
        self.notes.workflows_to_keep[id(row)] = (cache, row, workflow)

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """A savepoint whose failure drops what was noted inside it, and only that."""
        before = self.notes.copy()
        try:
            with self.begin_nested():
                yield
        except BaseException:
            self.notes = before
            raise

    def commit(self) -> None:
        for write in self.hooks.before_commit:
            write(self)
        recorded = [event["event_type"] for event in self.notes.audit_events]
        self._write_audit_events()
        super().commit()
        notes, self.notes = self.notes, Notes()
        if recorded:
            for event_listener in list(self.hooks.event_listeners):
                event_listener(recorded)
        for cache, row, workflow in notes.workflows_to_keep.values():
            _keep_if_written(cache, row, workflow)
        if notes.earliest_timer is not None:
            for listener in list(self.hooks.timer_listeners):
                listener(notes.earliest_timer)

    def rollback(self) -> None:
        super().rollback()
        self.notes = Notes()

    def _write_audit_events(self) -> None:
        events, self.notes.audit_events = self.notes.audit_events, []
        if events:
            self.flush()  # the ids of tasks created in this unit
            for event in events:
                if isinstance(event["task_id"], HumanTask):
                    event["task_id"] = event["task_id"].id
            self.execute(insert(AuditEvent.__table__), events)


def _keep_if_written(cache: WorkflowCache, row: ProcessInstance,
                     workflow: BpmnWorkflow) -> None:
    """Keep the workflow under the revision the commit wrote; the row is read without
    loading, so a row rolled back to a savepoint or expired is not kept."""
    state = inspect(row)
    loaded = state.dict
    if state.persistent and {"id", "definition_id", "revision"} <= loaded.keys():
        cache.keep(loaded["id"], loaded["definition_id"], loaded["revision"], workflow)
