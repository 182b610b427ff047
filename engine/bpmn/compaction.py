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
   parent's), so nothing written is lost. Only where no open parallel branch could
   still merge writes with the chain's: every unfinished task is below ``X``, or waits
   at a join its branch reached before ``X`` completed; or ``X`` is below no unfinished
   task at all.

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

from engine.bpmn.diagrams import HumanTask

FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
REACHED = (TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.COMPLETED
           | TaskState.ERROR | TaskState.CANCELLED)
"""A task in one of these states was reached; a cancelled one was, if its parent ran."""
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
    branches = _OpenBranches(wf)
    removed = 0
    for task in list(wf.tasks.values()):
        if task.id in kept or task.id not in wf.tasks:
            continue
        if _dead_leaf(task):
            trail.note(diagram, task)
            task.parent._children.remove(task.id)
            del wf.tasks[task.id]
            removed += 1
        elif _in_finished_chain(task) and branches.nothing_merges_beside(task):
            child, parent = task.children[0], task.parent
            trail.note(diagram, task)
            child._set_internal_data(**{CAME_FROM: source_element(child)})
            parent._children = [child.id]
            child._parent = parent.id
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


class _OpenBranches:
    """Where the workflow's unfinished tasks are, read once per pass in time linear in the
    tree: what lies above any of them, what lies above all of them, and the joins that
    wait."""

    def __init__(self, wf: Any) -> None:
        unfinished = [t for t in wf.tasks.values() if not t.state & FINISHED]
        self.below_open: set[Any] = set()
        for task in unfinished:
            node = task.parent
            while node is not None and node.id not in self.below_open:
                self.below_open.add(node.id)
                node = node.parent
        joins = [t for t in unfinished if isinstance(t.task_spec, UnstructuredJoin)]
        after_joins = {d.id for j in joins for d in _descendants(j)}
        # A waiting join, and when its branch reached it (what follows it is judged by it).
        self.joins = [(set(_ancestors(j)), j.parent) for j in joins if j.id not in after_joins]
        others = [t for t in unfinished if t not in joins and t.id not in after_joins]
        self.trunk = _common_ancestors(others) if others else None

    def nothing_merges_beside(self, task: Task) -> bool:
        """Whether no open parallel branch could still merge writes made after ``task``
        with the writes of its chain: every unfinished task is below it, or waits at a
        join its branch reached before ``task`` completed. A chain below no unfinished
        task is history."""
        if task.id not in self.below_open:
            return True
        if self.trunk is not None and task.id not in self.trunk:
            return False
        return all(task.id in line or (arrived is not None
                                       and arrived.last_state_change <= task.last_state_change)
                   for line, arrived in self.joins)


def _descendants(task: Task) -> list[Task]:
    found, stack = [], list(task.children)
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


def _common_ancestors(tasks: list[Task]) -> set[Any]:
    """The tasks above every one of ``tasks``: the path above the first, cut where the
    others' paths join it. Each task of the tree is walked past once."""
    path = _ancestors(tasks[0])
    joins_at = {task_id: depth for depth, task_id in enumerate(path)}  # nearest first
    highest = 0
    for task in tasks[1:]:
        walked, node = [], task.parent
        while node is not None and node.id not in joins_at:
            walked.append(node.id)
            node = node.parent
        if node is None:
            return set()
        depth = joins_at[node.id]
        joins_at.update(dict.fromkeys(walked, depth))  # a later walk stops here
        highest = max(highest, depth)
    return set(path[highest:])


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
