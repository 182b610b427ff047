"""An instance drawn on its diagrams: what is done, what waits, what is stuck, the path.

The coordinator's viewer colours the elements of each process the instance entered (its
own, and every process a call activity ran) and draws the sequence flows it went along.
All of it is read from the instance's task tree, restored from its JSON state for this
read and never saved.

SpiffWorkflow's tree also holds tasks of its own (``Start``, ``End``, ``<key>.EndJoin``,
boundary event splits and joins); only ids that are elements of the process's XML are
shown. A flow is *taken* when a task that was reached descends, through such tasks of
SpiffWorkflow's own only, from a task of the flow's source element.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.bpmn.compaction import Trail, taken_flow, trail_of
from engine.bpmn.diagrams import NS, read_xml
from engine.bpmn.execution import incident_of
from engine.context import EngineContext
from engine.store.instances import INCIDENT, InstanceStore
from engine.store.models import ProcessDefinition, ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import DiagramStateView, ProcessStateView

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class Outline:
    """The ids of one process in its XML: every element, and its flows by their ends."""

    elements: frozenset[str]
    flows: dict[tuple[str, str], tuple[str, ...]]


def outlines(content: bytes) -> dict[str, Outline]:
    """The outline of every process of a BPMN document, by process key."""
    found = {}
    for process in read_xml(content).iterfind("bpmn:process", NS):
        elements = frozenset(node.get("id", "") for node in process.iter()
                             if isinstance(node.tag, str) and node.get("id"))
        flows: dict[tuple[str, str], tuple[str, ...]] = {}
        for flow in process.iterfind(".//bpmn:sequenceFlow", NS):
            ends = (flow.get("sourceRef", ""), flow.get("targetRef", ""))
            flows[ends] = (*flows.get(ends, ()), flow.get("id", ""))
        found[process.get("id", "")] = Outline(elements, flows)
    return found


@dataclass
class _Paint:
    """What one process diagram gets, gathered from every workflow drawn on it."""

    process_key: str
    definition_id: int
    outline: Outline
    completed: set[str] = field(default_factory=set)
    active: set[str] = field(default_factory=set)
    incidents: set[str] = field(default_factory=set)
    flows: set[str] = field(default_factory=set)


class DiagramStates:
    """Reads diagram states; keeps the outline of each definition version it has read
    (a deployed version never changes)."""

    def __init__(self, ctx: EngineContext, store: InstanceStore) -> None:
        self.ctx = ctx
        self.store = store
        self._outlines: dict[int, dict[str, Outline]] = {}

    def read(self, session: UnitOfWork, row: ProcessInstance) -> DiagramStateView:
        workflow = self.store.restore(session, row)
        bindings = dict(row.bindings or {})
        versions = self._versions(session, {row.definition_id, *bindings.values()})
        paints: dict[str, _Paint] = {}
        drawn_on: dict[int, _Paint] = {}

        def paint_of(wf: Any) -> _Paint:
            """The diagram a workflow is drawn on: a called process has its own, an
            embedded subprocess is drawn inside its parent's."""
            if id(wf) in drawn_on:
                return drawn_on[id(wf)]
            if wf is workflow:
                key, definition_id = row.process_key, row.definition_id
            else:
                caller = workflow.get_task_from_id(wf.parent_task_id)
                parent = paint_of(caller.workflow)
                if not isinstance(caller.task_spec, CallActivity):
                    drawn_on[id(wf)] = parent
                    return parent
                key = wf.spec.name
                definition_id = bindings.get(key, parent.definition_id)
            if key not in paints:
                outline = self._outline(definition_id, key)
                paints[key] = _Paint(key, definition_id, outline)
            drawn_on[id(wf)] = paints[key]
            return paints[key]

        trail = trail_of(workflow)

        def definition_of(key: str) -> int:
            """The file an ended called process was taken from, as its caller took it."""
            caller = trail.entered.get(key)
            if key in bindings or caller is None or caller == key:
                return bindings.get(key, row.definition_id)
            return definition_of(caller)

        for key in trail.entered:  # in the order the instance entered them, ended or not
            definition_id = definition_of(key)
            paints[key] = _Paint(key, definition_id, self._outline(definition_id, key))
        stuck: set[int] = set()
        for wf in _workflows(workflow):
            if _paint(wf.tasks.values(), paint_of(wf)):
                stuck.add(id(wf))
        _paint_trail(trail, paints)
        _raise_incidents(workflow, paint_of, stuck)
        if row.status == INCIDENT and not any(p.incidents for p in paints.values()):
            _mark_row_incident(row.incident_element, list(paints.values()))

        return DiagramStateView(
            instance_id=row.id, status=row.status, revision=row.revision,
            processes=[_view(p, *versions[p.definition_id]) for p in paints.values()],
        )

    def _versions(self, session: UnitOfWork, ids: set[int]) -> dict[int, tuple[str, int]]:
        """Key and version of each definition; the XML too, for versions not outlined yet."""
        rows = session.execute(select(ProcessDefinition.id, ProcessDefinition.key,
                                      ProcessDefinition.version)
                               .where(ProcessDefinition.id.in_(ids))).all()
        missing = [i for i in ids if i not in self._outlines]
        if missing:
            for definition_id, xml in session.execute(
                    select(ProcessDefinition.id, ProcessDefinition.bpmn_xml)
                    .where(ProcessDefinition.id.in_(missing))):
                self._outlines[definition_id] = outlines(xml.encode("utf-8"))
        return {definition_id: (key, version) for definition_id, key, version in rows}

    def _outline(self, definition_id: int, key: str) -> Outline:
        return self._outlines.get(definition_id, {}).get(key) or Outline(frozenset(), {})


def _workflows(workflow: BpmnWorkflow) -> list[Any]:
    return [workflow, *workflow.subprocesses.values()]


def _paint(tasks: Iterable[Task], paint: _Paint) -> bool:
    """Colour the elements of one workflow's tasks; True if one of them is stuck."""
    outline, stuck = paint.outline, False
    for task in tasks:
        spec = task.task_spec
        element = getattr(spec, "bpmn_id", None)
        if element is None or element not in outline.elements:
            continue
        if incident_of(task) is not None:
            paint.incidents.add(element)
            stuck = True
        elif task.state == TaskState.COMPLETED:
            paint.completed.add(element)
        elif task.state & _ACTIVE and not isinstance(spec, BoundaryEvent):
            paint.active.add(element)  # a boundary event waits beside its task
        flow = taken_flow(task, outline.elements)
        if flow is not None:
            paint.flows.update(outline.flows.get(flow, ()))
    return stuck


def _paint_trail(trail: Trail, paints: dict[str, _Paint]) -> None:
    """What tasks no longer in the state did (engine.bpmn.compaction)."""
    for key, paint in paints.items():
        elements = paint.outline.elements
        paint.completed.update(e for e in trail.completed.get(key, ()) if e in elements)
        for pair in trail.flows.get(key, ()):
            paint.flows.update(paint.outline.flows.get(pair, ()))


def _raise_incidents(workflow: BpmnWorkflow, paint_of: Any, stuck: set[int]) -> None:
    """A call activity (or embedded subprocess) whose process is stuck is shown stuck
    too, up to the instance's own diagram, so the red is seen from the top."""
    by_depth = sorted(workflow.subprocesses.values(), key=lambda wf: -_depth(wf))
    for sub in by_depth:
        if id(sub) not in stuck:
            continue
        caller = workflow.get_task_from_id(sub.parent_task_id)
        if caller is None:
            continue
        paint = paint_of(caller.workflow)
        element = getattr(caller.task_spec, "bpmn_id", None)
        if element in paint.outline.elements:
            paint.incidents.add(element)
        stuck.add(id(caller.workflow))


def _depth(workflow: Any) -> int:
    depth, current = 0, workflow
    while current.parent_workflow is not None:
        depth, current = depth + 1, current.parent_workflow
    return depth


def _mark_row_incident(element: str | None, paints: list[_Paint]) -> None:
    """The instance row names the failed element; show it where the tree did not."""
    for paint in paints:
        if element in paint.outline.elements:
            paint.incidents.add(element)
            return


def _view(paint: _Paint, definition_key: str, version: int) -> ProcessStateView:
    incidents = paint.incidents
    active = paint.active - incidents
    return ProcessStateView(
        process_key=paint.process_key, definition_key=definition_key, version=version,
        completed=sorted(paint.completed - active - incidents), active=sorted(active),
        incidents=sorted(incidents), taken_flows=sorted(paint.flows),
    )
