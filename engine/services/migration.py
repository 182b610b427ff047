"""Moving running instances to another version of their procedure.

A corrected diagram is published as a new version; the instances already running stay
on theirs until someone moves them here, one or every running instance of a version.
Each move is checked before anything moves (``engine.bpmn.migration``): an element the
instance is at, or passed, with no counterpart in the target refuses it, each named.
A version's instances move together or not at all.

What the move keeps and what it sets up again:

- her data, and every legal deadline of the case, as they are;
- an open task whose element is the same keeps its row, claim, draft and due date; one
  whose element changed is set up again (title, role, form, documentation and due date
  from the target); a new role takes the claim away;
- a timer whose element is the same keeps its due time; a changed one counts again;
- the instance's calls are bound to the target's called versions;
- the history gets an ``instance_migrated`` event naming both versions and the mapping.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import select

from engine.bpmn.execution import Scan, run_guarded, scan
from engine.bpmn.migration import move, plan
from engine.context import EngineContext
from engine.errors import Conflict, NotFound, Problem, ValidationFailed
from engine.services.runtime import check_revision
from engine.store.definitions import Bindings
from engine.store.instances import CANCELLED, COMPLETED, InstanceStore
from engine.store.models import HumanTask, ProcessDefinition, ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import ElementMoveView, MigrationView

MAX_MAPPED = 500
"""Elements one mapping may name: a diagram has a few hundred at most."""

ElementMap = Mapping[str, str]
"""Element id in the instance's version -> element id in the target."""


@dataclasses.dataclass(frozen=True)
class _Target:
    """The version instances move to, with the called versions it binds and its specs:
    read once for every instance of a move."""

    definition: ProcessDefinition
    bindings: Bindings | None
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]


class MigrationService:
    def __init__(self, ctx: EngineContext, store: InstanceStore) -> None:
        self.ctx = ctx
        self.store = store

    def plan(self, instance_id: int, to_version: int,
             mapping: ElementMap | None = None) -> MigrationView:
        """What moving one instance would do; nothing is stored."""
        mapping = _checked_mapping(mapping)
        with self.ctx.db.reading() as session:
            row = self.store.get(session, instance_id)
            target = self._target(session, row.process_key, to_version)
            return self._plan(session, row, self._restored(session, row), target, mapping)

    def migrate(self, instance_id: int, to_version: int, *, mapping: ElementMap | None = None,
                actor: str = "system", revision: int | None = None) -> MigrationView:
        """Move one instance to ``to_version`` of its procedure, or refuse (422) naming
        each element without a counterpart; nothing moves then."""
        mapping = _checked_mapping(mapping)
        with self.ctx.db.transaction() as session:
            row = self.store.get(session, instance_id)
            check_revision(row, revision)
            target = self._target(session, row.process_key, to_version)
            workflow = self._loaded(session, row)
            planned = self._plan(session, row, workflow, target, mapping)
            _refuse_if(planned.problems, f"process instance {instance_id} was not moved")
            return self._move(session, row, workflow, target, mapping, actor, planned)

    def plan_version(self, key: str, from_version: int, to_version: int,
                     mapping: ElementMap | None = None) -> list[MigrationView]:
        """What moving every running instance of a version would do; nothing is stored."""
        mapping = _checked_mapping(mapping)
        with self.ctx.db.reading() as session:
            target = self._target(session, key, to_version)
            return [self._plan(session, row, self._restored(session, row), target, mapping)
                    for row in self._running(session, key, from_version)]

    def migrate_version(self, key: str, from_version: int, to_version: int, *,
                        mapping: ElementMap | None = None,
                        actor: str = "system") -> list[MigrationView]:
        """Move every running instance of one version, all checked first: if one cannot
        move, none does, and each problem is named under its instance."""
        mapping = _checked_mapping(mapping)
        with self.ctx.db.transaction() as session:
            target = self._target(session, key, to_version)
            rows = self._running(session, key, from_version)
            workflows = [self._loaded(session, row) for row in rows]
            planned = [self._plan(session, row, workflow, target, mapping)
                       for row, workflow in zip(rows, workflows, strict=True)]
            problems = [Problem(f"{p.instance_id}:{problem.element_id}", problem.message)
                        for p in planned for problem in p.problems]
            _refuse_if(problems, f"no instance of {key} version {from_version} was moved")
            return [self._move(session, row, workflow, target, mapping, actor, p)
                    for row, workflow, p in zip(rows, workflows, planned, strict=True)]

    def _target(self, session: UnitOfWork, key: str, version: int) -> _Target:
        definition = self._definition(session, key, version)
        definitions = self.store.definitions
        bindings = definitions.bind_calls(session, definition) or None
        spec, subprocess_specs = definitions.specs(session, definition, bindings)
        return _Target(definition, bindings, spec, subprocess_specs)

    @staticmethod
    def _definition(session: UnitOfWork, key: str, version: int) -> ProcessDefinition:
        found = session.scalars(select(ProcessDefinition).where(
            ProcessDefinition.key == key, ProcessDefinition.version == version)).first()
        if found is None:
            raise NotFound(f"process definition {key!r} has no version {version}")
        return found

    def _running(self, session: UnitOfWork, key: str, version: int) -> list[ProcessInstance]:
        source = self._definition(session, key, version)
        return list(session.scalars(select(ProcessInstance).where(
            ProcessInstance.definition_id == source.id,
            ProcessInstance.status.not_in((COMPLETED, CANCELLED)))
            .order_by(ProcessInstance.id)))

    def _restored(self, session: UnitOfWork, row: ProcessInstance) -> BpmnWorkflow:
        """The workflow to plan on only: a copy, never the one kept in memory."""
        _running_only(row)
        return self.store.restore(session, row)

    def _loaded(self, session: UnitOfWork, row: ProcessInstance) -> BpmnWorkflow:
        """The workflow that will move, planned on first."""
        _running_only(row)
        return self.store.load(session, row)

    def _plan(self, session: UnitOfWork, row: ProcessInstance, workflow: BpmnWorkflow,
              target: _Target, mapping: ElementMap) -> MigrationView:
        if row.definition_id == target.definition.id:
            raise Conflict(f"process instance {row.id} is already on version "
                           f"{target.definition.version}")
        moves, problems = plan(workflow, target.spec, target.subprocess_specs, mapping,
                               f"version {target.definition.version}")
        source = session.get(ProcessDefinition, row.definition_id)
        return MigrationView(
            instance_id=row.id, process_key=row.process_key,
            from_version=source.version if source is not None else 0,
            to_version=target.definition.version, problems=problems,
            moves=[ElementMoveView(m.element_id, m.target_id, m.state) for m in moves])

    def _move(self, session: UnitOfWork, row: ProcessInstance, workflow: BpmnWorkflow,
              target: _Target, mapping: ElementMap, actor: str,
              planned: MigrationView) -> MigrationView:
        try:
            changed = move(workflow, target.spec, target.subprocess_specs, mapping)
        except ValueError as exc:  # the plan passed: a state this move cannot carry
            raise ValidationFailed(f"process instance {row.id} was not moved: {exc}",
                                   {"_instance": [str(exc)]}) from exc
        row.definition_id, row.bindings = target.definition.id, target.bindings
        log = self.store.run(workflow, lambda wf, steps: run_guarded(wf, None, steps))
        found = scan(workflow)
        self.store.save(session, row, workflow, actor, log, scanned=found)
        self._follow_target(session, row, found, changed)
        mapped = "; ".join(f"{old} -> {new}" for old, new in sorted(mapping.items()))
        session.audit("instance_migrated", actor, instance_id=row.id,
                      detail=f"{row.process_key} version {planned.from_version} -> "
                             f"{target.definition.version}"
                             + (f"; mapped {mapped}" if mapped else ""))
        return dataclasses.replace(planned, set_up_again=changed, done=True)

    @staticmethod
    def _follow_target(session: UnitOfWork, row: ProcessInstance, found: Scan,
                       changed: list[str]) -> None:
        """An open task whose element changed (or was mapped to another) reads as the
        target's: element, title, role, form and documentation; a new role takes the
        claim away."""
        fresh = {t.spiff_task_id: t for t in found.open_tasks}
        for task in session.scalars(select(HumanTask).where(
                HumanTask.instance_id == row.id, HumanTask.status == "open")):
            now = fresh.get(task.spiff_task_id)
            if now is None or (now.element_id not in changed
                               and now.element_id == task.element_id):
                continue
            if task.role != now.role:
                task.assignee = None
            task.element_id, task.title, task.role = now.element_id, now.title, now.role
            task.form_key, task.documentation = now.form_key, now.documentation


def _running_only(row: ProcessInstance) -> None:
    if row.status in (COMPLETED, CANCELLED):
        raise Conflict(f"process instance {row.id} has ended ({row.status}): only a "
                       "running instance moves")


def _checked_mapping(mapping: ElementMap | None) -> dict[str, str]:
    mapping = dict(mapping or {})
    if len(mapping) > MAX_MAPPED:
        raise ValidationFailed("nothing was moved: the mapping is too long",
                               {"mapping": [f"At most {MAX_MAPPED} elements."]})
    bad = [k for k, v in mapping.items()
           if not (isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip())]
    if bad:
        raise ValidationFailed("nothing was moved: the mapping names an element by an empty "
                               "or non-text id", {"mapping": ["Map an element id to an "
                                                              "element id."]})
    return {k.strip(): v.strip() for k, v in mapping.items()}


def _refuse_if(problems: list[Problem], message: str) -> None:
    if problems:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem.element_id or "_instance", []).append(problem.message)
        raise ValidationFailed(f"{message}: see each element", fields)
