"""Finished history is cut out of a workflow before it is saved, so a case whose reviews
loop for ten years costs at its hundredth cycle what it cost at its first.

SpiffWorkflow keeps every task it ever created: each pass of a loop adds the tasks of
the pass, the boundary events it cancelled and the joins of those events. The state is
restored, rewritten and sealed on every step, so its size is the cost of every step.
Here, before each save:

1. **Dead leaves** go: a finished task with no children under a completed parent, if it
   was cancelled or wrote nothing of its own (a boundary event that never fired, the
   join of a boundary event).
2. **Finished chains** are shortened: in ``P -> X -> C``, all three completed, each the
   only child of the one before, ``X`` is removed and ``C`` hangs from ``P``. ``C``'s
   data still holds what ``X`` wrote (the state stores each task's data against its
   parent's), so nothing written is lost. A join, and a called process's output,
   replay the writes of every branch in the order they happened; ``X``'s writes now
   count at ``C``'s moment. So ``X`` goes only where that changes no value: no task of
   another branch wrote one of ``X``'s keys between ``X`` and ``C``, nor, before ``C``,
   a key ``C`` set back to ``P``'s value. A loop beside an open branch (her reflection
   period's decisions while the NGO's task waits) so stays as small as one alone.

Never removed, because SpiffWorkflow or the engine reads it later: joining gateways and
the tasks that lead into them (a join counts its arrived inputs by their parents), the
start task (a called process's data is replayed from it), multi-instance and call
activity tasks, each workflow's last task (the variables are read from it), the last
completed task of each user task (the case file reads what was decided from the task
that recorded it), and any task that is not finished.

What the diagram viewer would lose, the elements done and the flows taken, is kept in
the instance's :class:`Trail` and painted from there (``engine.services.diagram_state``).
"""
from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.specs.StartTask import StartTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.diagrams import HumanTask, is_join, written

FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
REACHED = (TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.COMPLETED
           | TaskState.ERROR | TaskState.CANCELLED)
"""A task in one of these states was reached; a cancelled one was, if its parent ran."""
MISSING = object()
"""A key a task's data does not hold, unlike any value it could hold."""
CAME_FROM = "came_from"
"""A relinked task's internal data: the element its token really came from."""
_KEPT_SPECS = (UnstructuredJoin, SubWorkflowTask, LoopTask, StartTask)
"""Joins count their arrived inputs; a called process's data is replayed from its start
task; multi-instance and call activity tasks own their children or subprocess."""


@dataclass
class Trail:
    """Per diagram (a process key), the elements done and the flows taken by tasks that
    are no longer in the state. Bounded by the diagrams' size, not by the case's age."""

    entered: dict[str, str | None] = field(default_factory=dict)
    """The diagrams the instance entered, in order, each with the diagram that called it
    (None for the instance's own): an ended called process is still shown, in its
    place, from the file its caller took it from."""
    completed: dict[str, set[str]] = field(default_factory=dict)
    flows: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"entered": [[key, caller] for key, caller in self.entered.items()],
                "diagrams": {key: {"completed": sorted(self.completed.get(key, ())),
                                   "flows": sorted(list(p) for p in self.flows.get(key, ()))}
                             for key in sorted(set(self.completed) | set(self.flows))}}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Trail:
        trail = cls(entered={key: caller for key, caller in (data or {}).get("entered", ())})
        for key, kept in (data or {}).get("diagrams", {}).items():
            trail.completed[key] = set(kept.get("completed", ()))
            trail.flows[key] = {(a, b) for a, b in kept.get("flows", ())}
        return trail

    def note(self, diagram: str, task: Task) -> None:
        """What ``task`` paints, as the viewer paints a task in the state: its element
        done if it completed, and the flow its token came along if it was reached."""
        element = element_of(task)
        if element is None:
            return
        if task.state == TaskState.COMPLETED:
            self.completed.setdefault(diagram, set()).add(element)
        flow = taken_flow(task)
        if flow is not None:
            self.flows.setdefault(diagram, set()).add(flow)

    def enter(self, diagram: str, caller: str | None) -> None:
        self.entered.setdefault(diagram, caller)


def trail_of(workflow: BpmnWorkflow) -> Trail:
    trail = getattr(workflow, "trail", None)
    if trail is None:
        trail = workflow.trail = Trail()  # type: ignore[attr-defined]
    return trail


def element_of(task: Task) -> str | None:
    return getattr(task.task_spec, "bpmn_id", None)


def source_element(task: Task, elements: Container[str] | None = None) -> str | None:
    """The element the task's token came from: the nearest ancestor that is one (and one
    of ``elements``, if given). A task moved up the tree remembers the element that was
    above it."""
    remembered = task._get_internal_data(CAME_FROM)
    if remembered is not None:
        return str(remembered)
    node = task.parent
    while node is not None:
        element = element_of(node)
        if element is not None and (elements is None or element in elements):
            return element
        remembered = node._get_internal_data(CAME_FROM)
        if remembered is not None:
            return str(remembered)
        node = node.parent
    return None


def taken_flow(task: Task, elements: Container[str] | None = None) -> tuple[str, str] | None:
    """The (source, element) pair of the flow a reached task's token came along (the
    source one of ``elements``, if given); None if it was not reached, or came from no
    element."""
    element, parent = element_of(task), task.parent
    if element is None or not task.state & REACHED or parent is None \
            or parent.state != TaskState.COMPLETED:
        return None
    source = source_element(task, elements)
    return None if source is None else (source, element)


def find_task(workflow: BpmnWorkflow, task_id: UUID) -> Task | None:
    """The task of that id in the workflow or a subprocess; None once it was cut out as
    finished history (SpiffWorkflow raises instead)."""
    try:
        return workflow.get_task_from_id(task_id)
    except TaskNotFoundException:
        return None


def diagram_of(workflow: BpmnWorkflow, wf: Any) -> str:
    """The process key whose diagram ``wf`` is drawn on: its own for a called process,
    its parent's for an embedded subprocess."""
    if wf is workflow:
        return str(workflow.spec.name)
    caller = find_task(workflow, wf.parent_task_id)
    if caller is None or isinstance(caller.task_spec, CallActivity):
        return str(wf.spec.name)
    return diagram_of(workflow, caller.workflow)


def caller_of(workflow: BpmnWorkflow, wf: Any) -> str | None:
    """The diagram of the process that called ``wf`` (None for the instance's own)."""
    if wf is workflow:
        return None
    caller = find_task(workflow, wf.parent_task_id)
    return diagram_of(workflow, caller.workflow) if caller is not None else None


def compact(workflow: BpmnWorkflow) -> int:
    """Cut finished history out of ``workflow`` and its subprocesses (see the module's
    docstring); the number of tasks removed."""
    trail, removed = trail_of(workflow), 0
    for wf in [workflow, *workflow.subprocesses.values()]:
        diagram = diagram_of(workflow, wf)
        trail.enter(diagram, caller_of(workflow, wf))
        # Removing never changes which tasks are kept: read them once per workflow.
        kept = _last_of_each_form(wf)
        if wf.last_task is not None:
            kept.add(wf.last_task.id)
        while cut := _compact_once(wf, diagram, trail, kept):
            removed += cut
    return removed


def _compact_once(wf: Any, diagram: str, trail: Trail, kept: set[Any]) -> int:
    order = _WriteOrder(wf)
    removed = 0
    for task in list(wf.tasks.values()):
        if task.id in kept or task.id not in wf.tasks:
            continue
        if _dead_leaf(task):
            trail.note(diagram, task)
            task.parent._children.remove(task.id)
            del wf.tasks[task.id]
            removed += 1
        elif _in_finished_chain(task) and order.can_cut(task):
            child, parent = task.children[0], task.parent
            trail.note(diagram, task)
            child._set_internal_data(**{CAME_FROM: source_element(child)})
            parent._children = [child.id]
            child._parent = parent.id
            order.relinked(child)
            del wf.tasks[task.id]
            removed += 1
    return removed


def _last_of_each_form(wf: Any) -> set[Any]:
    """The last completed task of each user task element: what was decided is read from
    the task that recorded it (the case file's summary), so the latest stays."""
    latest: dict[str, Task] = {}
    for task in wf.tasks.values():
        if task.state == TaskState.COMPLETED and isinstance(task.task_spec, HumanTask):
            element = task.task_spec.bpmn_id
            if element not in latest or task.last_state_change > latest[element].last_state_change:
                latest[element] = task
    return {task.id for task in latest.values()}


class _WriteOrder:
    """When each finished task of a workflow wrote what, for the replays that merge
    parallel branches (``engine.bpmn.diagrams.replay_writes``: a join's outgoing data, a
    called process's output). Read once per pass, each task's writes when first asked."""

    def __init__(self, wf: Any) -> None:
        self._wf = wf
        self._replayed: list[Task] | None = None
        self._writes: dict[Any, set[str]] = {}

    def can_cut(self, task: Task) -> bool:
        """Whether cutting ``task`` out of its chain ``P -> task -> C`` leaves every value
        a replay gives as it was.

        Cut out, its writes are replayed at ``C``'s moment, as part of ``C``'s against
        ``P``. That changes a value only where a task of another branch wrote the same
        key in between (its write would now be overtaken), or where ``C`` put back
        ``P``'s value of a key another branch wrote before ``C`` (``C``'s write would
        now be no write at all). Tasks not yet finished come after ``C`` in any replay.
        """
        child, parent = task.children[0], task.parent
        moved = set(written(task.data, parent.data))
        restored = {key for key in written(child.data, task.data)
                    if child.data.get(key, MISSING) == parent.data.get(key, MISSING)}
        if not moved and not restored:
            return True
        line = set(_ancestors(child))
        since, until = task.last_state_change, child.last_state_change
        for other in self._in_replay_order():
            if other.last_state_change > until:
                break
            if other.id in line or other is child or other.id not in self._wf.tasks:
                continue
            keys = self._writes.get(other.id)
            if keys is None:
                keys = self._writes[other.id] = set(written(other.data, other.parent.data))
            if keys & restored or (other.last_state_change >= since and keys & moved):
                return False
        return True

    def relinked(self, child: Task) -> None:
        """``child`` hangs from another parent now: its writes are read again."""
        self._writes.pop(child.id, None)

    def _in_replay_order(self) -> list[Task]:
        """The completed tasks a replay applies, oldest first; joins only merge copies."""
        if self._replayed is None:
            self._replayed = sorted(
                (t for t in self._wf.tasks.values() if t.state == TaskState.COMPLETED
                 and t.parent is not None and not is_join(t.task_spec)),
                key=lambda t: t.last_state_change)
        return self._replayed


def _kept(task: Task) -> bool:
    spec = task.task_spec
    return isinstance(spec, _KEPT_SPECS) or any(isinstance(o, UnstructuredJoin)
                                                for o in spec.outputs)


def _dead_leaf(task: Task) -> bool:
    parent = task.parent
    if task._children or parent is None or parent.state != TaskState.COMPLETED:
        return False
    if not task.state & FINISHED or _kept(task):
        return False
    return task.state == TaskState.CANCELLED or task.data == parent.data


def _in_finished_chain(task: Task) -> bool:
    parent = task.parent
    if parent is None or task.state != TaskState.COMPLETED or _kept(task):
        return False
    if parent.state != TaskState.COMPLETED or len(parent._children) != 1:
        return False
    if len(task._children) != 1:
        return False
    child = task.children[0]
    return child.state == TaskState.COMPLETED and not isinstance(child.task_spec, _KEPT_SPECS)


def _ancestors(task: Task) -> list[Any]:
    chain, node = [], task.parent
    while node is not None:
        chain.append(node.id)
        node = node.parent
    return chain
