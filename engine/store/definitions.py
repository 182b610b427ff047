"""The deployed versions of processes and decision tables, and their parsed specs.

Parsing a diagram is the costliest step of starting or loading an instance, and a
deployed version never changes: its specs are parsed once per version and the called
versions it is bound to, and kept for the life of the engine.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from engine.bpmn.decisions import decision_refs
from engine.bpmn.diagrams import (
    ParsedSpecs,
    called_keys,
    parse_processes,
    read_xml,
    signal_names,
)
from engine.errors import NotFound
from engine.store.models import DecisionDefinition, ProcessDefinition
from engine.store.unit_of_work import UnitOfWork

Bindings = dict[str, int]
"""Called process key -> the definition id an instance runs for it."""

DECISION = "decision:"
"""The prefix of a binding to a decision table's version (process keys have no colon)."""


class Definitions:
    """Reads deployed versions and keeps each one's parsed specs."""

    def __init__(self) -> None:
        self._specs: dict[tuple[int, tuple[tuple[str, int], ...]], ParsedSpecs] = {}
        self._signals: dict[tuple[int, tuple[tuple[str, int], ...]], frozenset[str]] = {}
        self._lock = threading.Lock()

    def caught_signals(self, session: UnitOfWork, definition_id: int,
                       bindings: Bindings | None = None) -> frozenset[str]:
        """The names of the signals a version can catch anywhere: in its own process,
        its subprocesses and the processes it calls. A signal thrown in a case is
        delivered only to the procedures whose version names it (engine.store.instances)."""
        cache_key = (definition_id, _frozen(bindings))
        caught = self._signals.get(cache_key)
        if caught is None:
            spec, subprocess_specs = self.specs_for(session, definition_id, bindings)
            caught = self._signals[cache_key] = signal_names(
                [spec, *subprocess_specs.values()])
        return caught

    def specs_for(self, session: UnitOfWork, definition_id: int,
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

    def specs(self, session: UnitOfWork, definition: ProcessDefinition,
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

    def bind_calls(self, session: UnitOfWork, definition: ProcessDefinition) -> Bindings:
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

    def _bind_decisions(self, session: UnitOfWork, definitions: list[ProcessDefinition | None],
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
    def latest_decision(session: UnitOfWork, key: str) -> DecisionDefinition | None:
        return session.scalars(
            select(DecisionDefinition).where(DecisionDefinition.key == key)
            .order_by(DecisionDefinition.version.desc()).limit(1)
        ).first()

    @staticmethod
    def _dmn(session: UnitOfWork, decision_id: int) -> bytes:
        decision = session.get(DecisionDefinition, decision_id)
        assert decision is not None, decision_id
        return decision.dmn_xml.encode("utf-8")

    @staticmethod
    def latest_definition(session: UnitOfWork, key: str) -> ProcessDefinition | None:
        return session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.key == key)
            .order_by(ProcessDefinition.version.desc()).limit(1)
        ).first()

    @staticmethod
    def _xml(session: UnitOfWork, definition_id: int) -> bytes:
        definition = session.get(ProcessDefinition, definition_id)
        assert definition is not None, definition_id
        return definition.bpmn_xml.encode("utf-8")


def _frozen(bindings: Bindings | None) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((bindings or {}).items()))
