"""RepositoryService: deploy and validate diagrams, list definitions and their versions,
read their XML, and compare two versions."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import case, func, select
from sqlalchemy.orm import defer

from engine.bpmn.changes import compare_process
from engine.bpmn.decisions import DecisionInfo, defined_decisions, inspect_decisions, is_dmn
from engine.bpmn.diagram_warnings import ignored_settings
from engine.bpmn.diagrams import NS, Lookup, inspect_diagram, read_xml
from engine.config import FormRegistry, HandlerRegistry
from engine.context import EngineContext
from engine.errors import BadRequest, DeployError, NotFound, Problem, ValidationFailed
from engine.protection.plain_text import refuse_broken_text
from engine.store.definitions import Definitions
from engine.store.instances import CANCELLED, COMPLETED
from engine.store.models import DecisionDefinition, ProcessDefinition, ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import DefinitionVersionView, DefinitionView, Deployed, ElementChange


def _ignored_by_process(content: bytes) -> dict[str, list[Problem]]:
    """The ignored settings of each process of a diagram, by key; none for a decision
    table (it has no process) or for text that is not XML."""
    try:
        root = read_xml(content)
    except etree.XMLSyntaxError:
        return {}
    return {p.get("id", ""): ignored_settings(p) for p in root.iterfind("bpmn:process", NS)}


MAX_NOTE = 2000
"""Characters of a change note: a paragraph on what changed and why."""


def _view(row: ProcessDefinition | DecisionDefinition) -> DefinitionView:
    return DefinitionView(id=row.id, key=row.key, version=row.version, name=row.name,
                          source=row.source, deployed_at=row.deployed_at,
                          deployed_by=row.deployed_by, note=row.change_note)


def change_note(note: str | None) -> str | None:
    """The note a version is published with, trimmed; None for none. A note that cannot
    be stored is refused before anything is checked or stored."""
    refuse_broken_text({"note": note}, "nothing was published")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed("nothing was published: the change note is too long",
                               {"note": [f"At most {MAX_NOTE} characters."]})
    return note or None


class RepositoryService:
    def __init__(self, ctx: EngineContext, forms: FormRegistry,
                 handlers: HandlerRegistry) -> None:
        self.ctx = ctx
        self.forms, self.handlers = forms, handlers
        """The registries a diagram's form keys and handler names are checked against."""
        self.deployed = Definitions()
        """The deployed versions and their parsed specs, which the instances run."""

    def deploy(self, target: str | Path | bytes, *, source: str | None = None,
               actor: str = "system", note: str | None = None) -> list[Deployed]:
        """Deploy a BPMN file, every ``*.bpmn`` in a folder, or raw bytes.

        All files are checked before anything is stored: one bad diagram stops the whole
        deployment with a :class:`DeployError` that lists every problem of every file.
        ``note`` says why: each new version keeps it, and so does its audit event.
        """
        note = change_note(note)
        documents = self._documents(target, source)
        checked, problems = self._check(documents)
        if problems:
            label = documents[0][0] if len(documents) == 1 else (source or str(target))
            raise DeployError(label, problems)

        results = []
        with self.ctx.db.transaction() as session:
            for name, content, infos in checked:
                digest = hashlib.sha256(content).hexdigest()
                ignored = _ignored_by_process(content)
                for info in infos:
                    model = DecisionDefinition if isinstance(info, DecisionInfo) \
                        else ProcessDefinition
                    stored = self._store(session, model, info.key, info.name, name,
                                         content, digest, actor, note)
                    results.append(dataclasses.replace(
                        stored, warnings=ignored.get(info.key, [])))
        return results

    @staticmethod
    def warnings(content: bytes) -> list[Problem]:
        """The settings of a diagram that deploy would accept and not act on."""
        return [w for found in _ignored_by_process(content).values() for w in found]

    def validate(self, content: bytes | str, *, source: str = "diagram") -> list[Problem]:
        """Every problem :meth:`deploy` would refuse ``content`` for; nothing is stored.

        The modeler checks a diagram while the analyst edits it; an empty list means it
        would deploy. Each problem keeps the id of its element, to be shown on it.
        """
        if isinstance(content, str):
            content = content.encode("utf-8")
        if not isinstance(content, bytes):
            raise BadRequest("a diagram is BPMN XML, given as bytes or text")
        return self._check([(source, content)])[1]

    def _check(self, documents: list[tuple[str, bytes]]
               ) -> tuple[list[tuple[str, bytes, list[Any]]], list[Problem]]:
        """Inspect every document as a deployment of them all would: each one's problems
        (named by file when there are several) and process keys defined twice."""
        lookup, decisions = self._lookup(documents), self._decisions(documents)
        checked: list[tuple[str, bytes, list[Any]]] = []
        problems = []
        for name, content in documents:
            infos: list[Any]
            if _is_dmn(content):
                infos, found = inspect_decisions(read_xml(content))
            else:
                infos, found = inspect_diagram(content, self.forms, self.handlers,
                                               lookup, decisions)
            prefix = f"{name}: " if len(documents) > 1 else ""
            problems += [Problem(p.element_id, prefix + p.message) for p in found]
            checked.append((name, content, infos))

        seen: dict[tuple[str, str], str] = {}
        for name, _, infos in checked:
            for info in infos:
                key = (type(info).__name__, info.key)
                if key in seen:
                    where = "this file" if seen[key] == name else seen[key]
                    prefix = f"{name}: " if len(documents) > 1 else ""
                    kind = "decision" if isinstance(info, DecisionInfo) else "process key"
                    problems.append(Problem(info.key, f"{prefix}{kind} also defined "
                                                      f"in {where}"))
                else:
                    seen[key] = name
        return checked, problems

    def _lookup(self, documents: list[tuple[str, bytes]]) -> Lookup:
        """Find a called process in this deployment first, then among deployed versions."""
        def processes(root: etree._Element) -> list[str]:
            return [p.get("id", "") for p in root.iterfind("bpmn:process", NS)]

        def deployed(session: UnitOfWork, key: str) -> str | None:
            latest = self.deployed.latest_definition(session, key)
            return latest.bpmn_xml if latest is not None else None

        return self._batch_then_deployed(documents, processes, deployed)

    def _decisions(self, documents: list[tuple[str, bytes]]) -> Lookup:
        """Find a decision table in this deployment first, then among deployed versions."""
        def tables(root: etree._Element) -> list[str]:
            return sorted(defined_decisions(root))

        def deployed(session: UnitOfWork, key: str) -> str | None:
            latest = self.deployed.latest_decision(session, key)
            return latest.dmn_xml if latest is not None else None

        return self._batch_then_deployed(documents, tables, deployed)

    def _batch_then_deployed(self, documents: list[tuple[str, bytes]],
                             defined: Callable[[etree._Element], list[str]],
                             deployed: Callable[[UnitOfWork, str], str | None]) -> Lookup:
        """A lookup of the document that defines a key: the first of this deployment's
        documents to define it (``defined`` lists a document's keys), else the latest
        deployed version (``deployed``)."""
        in_batch: dict[str, bytes] = {}
        for _, content in documents:
            with contextlib.suppress(etree.XMLSyntaxError):
                for key in defined(read_xml(content)):
                    in_batch.setdefault(key, content)

        def lookup(key: str) -> bytes | None:
            if key in in_batch:
                return in_batch[key]
            with self.ctx.db.reading() as session:
                xml = deployed(session, key)
                return xml.encode("utf-8") if xml is not None else None

        return lookup

    def decisions(self) -> list[DefinitionView]:
        """The latest version of every decision table."""
        with self.ctx.db.reading() as session:
            rows = session.scalars(select(DecisionDefinition).order_by(
                DecisionDefinition.key, DecisionDefinition.version.desc())).all()
            latest = {}
            for row in rows:
                latest.setdefault(row.key, row)
            return [_view(r) for r in latest.values()]

    def decision_xml(self, key: str, version: int | None = None) -> str:
        """The DMN XML of a decision table, the latest version unless ``version``."""
        with self.ctx.db.reading() as session:
            query = select(DecisionDefinition).where(DecisionDefinition.key == key)
            if version is not None:
                query = query.where(DecisionDefinition.version == version)
            row = session.scalars(query.order_by(DecisionDefinition.version.desc())
                                  .limit(1)).first()
            if row is None:
                raise NotFound(f"decision {key!r} is not deployed")
            return row.dmn_xml

    def _store(self, session: UnitOfWork, model: type[Any], key: str, title: str | None,
               source: str, content: bytes, digest: str, actor: str,
               note: str | None) -> Deployed:
        latest = session.scalars(
            select(model).where(model.key == key).order_by(model.version.desc()).limit(1)
        ).first()
        if latest is not None and latest.content_hash == digest:
            return Deployed(key=key, version=latest.version, new_version=False)
        version = (latest.version if latest else 0) + 1
        text = {"dmn_xml" if model is DecisionDefinition else "bpmn_xml":
                content.decode("utf-8")}
        row = model(key=key, version=version, name=title, content_hash=digest, source=source,
                    deployed_at=self.ctx.now(), deployed_by=actor, change_note=note, **text)
        session.add(row)
        session.flush()
        session.audit("definition_deployed", actor, element_id=key,
                       detail=f"{key} version {version} from {source}"
                       + (f": {note}" if note else ""))
        return Deployed(key=key, version=version, new_version=True)

    @staticmethod
    def _documents(target: str | Path | bytes, source: str | None) -> list[tuple[str, bytes]]:
        if isinstance(target, bytes):
            return [(source or "diagram", target)]
        path = Path(target)
        if path.is_dir():
            files = sorted([*path.glob("*.bpmn"), *path.glob("*.dmn")])
            if not files:
                raise DeployError(str(path), [Problem(None, "the folder has no .bpmn or .dmn "
                                                            "file")])
            return [(str(f), f.read_bytes()) for f in files]
        if not path.is_file():
            raise NotFound(f"no such file or folder: {path}")
        return [(source or str(path), path.read_bytes())]

    def definitions(self, key: str | None = None) -> list[DefinitionView]:
        """The latest version of every key, or every version of ``key``.

        The XML stays in the database: lists never show it, and it is large.
        """
        with self.ctx.db.reading() as session:
            query = select(ProcessDefinition).options(defer(ProcessDefinition.bpmn_xml))
            if key is not None:
                query = query.where(ProcessDefinition.key == key)
                rows = session.scalars(query.order_by(ProcessDefinition.version)).all()
                if not rows:
                    raise NotFound(f"process definition {key!r} does not exist")
                return [_view(r) for r in rows]
            newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version)
                             .label("version")).group_by(ProcessDefinition.key).subquery())
            rows = session.scalars(query.join(
                newest, (ProcessDefinition.key == newest.c.key)
                & (ProcessDefinition.version == newest.c.version)
            ).order_by(ProcessDefinition.key)).all()
            return [_view(r) for r in rows]

    def latest(self, session: UnitOfWork, key: str) -> ProcessDefinition:
        row = session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.key == key)
            .order_by(ProcessDefinition.version.desc()).limit(1)
        ).first()
        if row is None:
            raise NotFound(f"process definition {key!r} is not deployed")
        return row

    def xml(self, key: str, version: int | None = None) -> str:
        """The BPMN document of a version (the latest without one), as it was deployed.

        Only the document is read: a diagram viewer asks for it on every page.
        """
        with self.ctx.db.reading() as session:
            if version is None:
                return self.latest(session, key).bpmn_xml
            return self._version_xml(session, key, version)

    @staticmethod
    def _version_xml(session: UnitOfWork, key: str, version: int) -> str:
        xml = session.scalar(select(ProcessDefinition.bpmn_xml).where(
            ProcessDefinition.key == key, ProcessDefinition.version == version))
        if xml is None:
            known = session.scalar(select(func.max(ProcessDefinition.version))
                                   .where(ProcessDefinition.key == key))
            if known is None:
                raise NotFound(f"process definition {key!r} does not exist")
            raise NotFound(f"process definition {key!r} has no version {version}; "
                           f"the latest is {known}")
        return xml

    def versions(self, key: str) -> list[DefinitionVersionView]:
        """Every version of ``key``, oldest first, with its instances and those running."""
        running = ProcessInstance.status.not_in((COMPLETED, CANCELLED))
        query = (
            select(ProcessDefinition, func.count(ProcessInstance.id),
                   func.coalesce(func.sum(case((running, 1), else_=0)), 0))
            .outerjoin(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
            .where(ProcessDefinition.key == key)
            .group_by(ProcessDefinition.id)
            .order_by(ProcessDefinition.version)
            .options(defer(ProcessDefinition.bpmn_xml))
        )
        with self.ctx.db.reading() as session:
            rows = session.execute(query).all()
            if not rows:
                raise NotFound(f"process definition {key!r} does not exist")
            return [DefinitionVersionView(**dataclasses.asdict(_view(row)), instances=count,
                                          running=running)
                    for row, count, running in rows]

    def compare(self, key: str, from_version: int, to_version: int) -> list[ElementChange]:
        """What changed in process ``key`` from one version to another, element by element:
        added, removed or changed in the model, or only moved on the diagram."""
        for version in (from_version, to_version):
            if isinstance(version, bool) or not isinstance(version, int):
                raise BadRequest(f"a version is a whole number, not {version!r}")
        with self.ctx.db.reading() as session:
            old = self._version_xml(session, key, from_version)
            new = self._version_xml(session, key, to_version)
        return compare_process(old.encode("utf-8"), new.encode("utf-8"), key)


def _is_dmn(content: bytes) -> bool:
    try:
        return is_dmn(read_xml(content))
    except etree.XMLSyntaxError:
        return False
