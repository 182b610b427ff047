"""Moving a running workflow onto another version of its diagram.

Each task of a workflow belongs to an element. In the target version its counterpart is
the element with the same id, or the one the mapping names (``{"old_id": "new_id"}``);
SpiffWorkflow's own tasks named after an element (``decide.BoundaryEventSplit``) follow
their element. The steps, and what refuses:

1. **Plan.** Every task the state still holds must have a counterpart: the ones the
   instance is at (ready, waiting, started, failed) and the finished ones kept in its
   path (SpiffWorkflow reads them again: a join counts its inputs, the case file reads
   what a task recorded). A task only predicted does not count: it is predicted again
   from the target. One task without a counterpart refuses the whole move, each such
   element named with its state; nothing has changed yet. So does a subprocess or
   called process the target does not have.
2. **Re-point.** Every task takes its counterpart's spec; the workflow and each
   subprocess take the target's specs.
3. **Set up again** what the change touches. A ready or waiting task whose element
   changed (its form, role, documentation, timer...) starts over from its parent's data:
   a changed timer counts from now. One whose element is the same keeps its state and
   internal data, so an unchanged timer keeps its due time. Either way, what comes after
   it is predicted again from the target's flows.

The engine then saves the workflow as after any step: open tasks, timers and due dates
follow the target (``engine.services.migration``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.event import Event
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.execution import workflows
from engine.errors import Problem

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
SET_UP_AGAIN = TaskState.READY | TaskState.WAITING
PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE

_NOT_FACTS = {"name", "description", "manual", "lookahead"}
"""Attributes of a spec that are its identity or the parser's, not what it asks for."""


@dataclass(frozen=True)
class Counterpart:
    """Where one element the instance is at, or passed, goes in the target."""

    element_id: str
    target_id: str | None
    state: str
    """``active`` (she is at it) or ``passed`` (kept in her path)."""


def target_name(name: str, mapping: Mapping[str, str]) -> str:
    """The name of a task spec's counterpart: mapped, following its element, or the same."""
    if name in mapping:
        return mapping[name]
    element, dot, rest = name.partition(".")
    if dot and element in mapping:
        return f"{mapping[element]}.{rest}"
    return name


def plan(workflow: BpmnWorkflow, spec: BpmnProcessSpec,
         subprocess_specs: Mapping[str, BpmnProcessSpec], mapping: Mapping[str, str],
         target: str) -> tuple[list[Counterpart], list[Problem]]:
    """Each element the state holds with its counterpart, and what has none.

    ``target`` names the target in the problems ("version 3").
    """
    found: dict[tuple[str, str], Counterpart] = {}
    problems: dict[str, Problem] = {}
    targets = [s for _, s in _pairs(workflow, spec, subprocess_specs) if s is not None]
    for old, new in mapping.items():
        if not any(new in s.task_specs for s in targets):
            problems[old] = Problem(old, f"the mapping sends {old!r} to {new!r}, which is "
                                    f"not an element of {target}")
    for wf, target_spec in _pairs(workflow, spec, subprocess_specs):
        if target_spec is None:
            name = wf.spec.name
            problems[name] = Problem(name, f"{name!r} runs in this instance and is not in "
                                     f"{target}: the instance cannot move there")
            continue
        for task in wf.tasks.values():
            if task.state & PREDICTED:
                continue
            element = _element_id(task.task_spec)
            if element is None:
                continue
            state = "active" if task.state & ACTIVE else "passed"
            counterpart = target_spec.task_specs.get(target_name(task.task_spec.name, mapping))
            target_id = _element_id(counterpart) if counterpart is not None else None
            found.setdefault((element, state), Counterpart(element, target_id, state))
            if counterpart is None and element not in problems:
                where = "the instance is at it" if state == "active" \
                    else "her path still holds it"
                problems[element] = Problem(element, f"{element!r} has no counterpart in "
                                            f"{target} ({where}): map it to an element "
                                            f"of {target}")
    return list(found.values()), list(problems.values())


def move(workflow: BpmnWorkflow, spec: BpmnProcessSpec,
         subprocess_specs: Mapping[str, BpmnProcessSpec],
         mapping: Mapping[str, str]) -> list[str]:
    """Re-point and set up again (steps 2 and 3); :func:`plan` must have found no
    problem. Returns the elements set up again because they changed."""
    pairs = list(_pairs(workflow, spec, subprocess_specs))
    old_specs: dict[Task, TaskSpec] = {}
    for wf, target_spec in pairs:
        assert target_spec is not None, wf.spec.name
        for task in wf.tasks.values():
            counterpart = target_spec.task_specs.get(target_name(task.task_spec.name,
                                                                 mapping))
            old_specs[task] = task.task_spec
            if counterpart is not None:
                task.task_spec = counterpart
        wf.spec = target_spec
    workflow.subprocess_specs = dict(subprocess_specs)

    changed: list[str] = []
    for wf, _ in pairs:
        for task in [t for t in wf.tasks.values() if t.state & SET_UP_AGAIN]:
            if task.id not in wf.tasks:
                continue  # dropped with a branch set up before it
            if facts(old_specs[task]) != facts(task.task_spec):
                task.reset_branch(None)
                changed.append(_element_id(task.task_spec) or task.task_spec.name)
            else:
                task._drop_children(force=True)
                task.task_spec._predict(task, mask=PREDICTED)
    for wf, target_spec in pairs:
        stranded = [t.task_spec.name for t in wf.tasks.values()
                    if target_spec.task_specs.get(t.task_spec.name) is not t.task_spec]
        if stranded:  # the state could not be read back: the caller rolls back
            raise ValueError(f"tasks left on the old version: {', '.join(stranded)}")
    return changed


def facts(spec: TaskSpec) -> Any:
    """What an element asks of the engine, comparable across two parses: its attributes,
    with the specs it points at by name and SpiffWorkflow's event hooks left out."""
    return {key: _plain(value) for key, value in vars(spec).items()
            if not key.startswith("_") and key not in _NOT_FACTS
            and not isinstance(value, Event)}


def _plain(value: Any, depth: int = 0) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, TaskSpec):
        return value.name
    if depth > 4:
        return repr(type(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v, depth + 1) for v in value]
    if hasattr(value, "__dict__"):
        return [type(value).__name__, {k: _plain(v, depth + 1) for k, v in vars(value).items()
                                       if not k.startswith("_") and not isinstance(v, Event)}]
    return repr(value)


def _pairs(workflow: BpmnWorkflow, spec: BpmnProcessSpec,
           subprocess_specs: Mapping[str, BpmnProcessSpec]
           ) -> Iterator[tuple[Any, BpmnProcessSpec | None]]:
    """Each workflow of the instance with the spec it takes in the target."""
    for wf in workflows(workflow):
        yield wf, spec if wf is workflow else subprocess_specs.get(wf.spec.name)


def _element_id(spec: TaskSpec | None) -> str | None:
    return getattr(spec, "bpmn_id", None) if spec is not None else None
