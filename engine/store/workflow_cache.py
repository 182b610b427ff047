"""Restored workflows kept in memory between units of work on the same instance.

Restoring a workflow from its JSON state is a large share of every completion, and the
state only ever changes through :meth:`engine.store.instances.InstanceStore.save`. So after a
commit the saved workflow object is kept here under the revision it was saved at; the
next unit of work on that instance takes it instead of restoring the JSON, provided the
row still carries that revision. Any other writer (another process, a worker) bumps the
revision, so a kept workflow is never used once it is stale.

An entry is *taken*, not read: the unit of work that takes it owns the object and may
change it. If that unit fails or rolls back, nothing is put back and the next one
restores from the database. A workflow is only kept once its transaction has committed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

if TYPE_CHECKING:
    from engine.store.models import ProcessInstance
    from engine.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Kept:
    definition_id: int
    revision: int
    workflow: BpmnWorkflow


class WorkflowCache:
    """A bounded, thread-safe map of instance id to its last committed workflow."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[int, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def take(self, instance_id: int, definition_id: int, revision: int) -> BpmnWorkflow | None:
        """The workflow saved at ``revision``, removed from the cache; None if not kept."""
        with self._lock:
            kept = self._entries.pop(instance_id, None)
        if kept is None or kept.revision != revision or kept.definition_id != definition_id:
            return None
        return kept.workflow

    def offer(self, session: UnitOfWork, row: ProcessInstance, workflow: BpmnWorkflow) -> None:
        """Keep ``workflow`` when ``session`` commits, under the revision ``row`` has then.

        The revision is read at the commit because the flush that raises it may come
        later than the save (a timer batch flushes once for all its instances).
        """
        if self.capacity > 0:
            session.keep_workflow(self, row, workflow)

    def keep(self, instance_id: int, definition_id: int, revision: int,
             workflow: BpmnWorkflow) -> None:
        """Keep a workflow its unit of work has just committed at ``revision``."""
        with self._lock:
            self._entries[instance_id] = Kept(definition_id, revision, workflow)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def forget(self, instance_id: int) -> None:
        with self._lock:
            self._entries.pop(instance_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
