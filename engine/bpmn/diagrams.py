"""Reading diagrams: the checks a deploy must pass, and the SpiffWorkflow parser.

:func:`inspect_diagram` collects *every* problem of a diagram (SpiffWorkflow's parser
stops at the first), so a policy analyst sees the whole list at once.
:func:`parse_processes` then turns a clean diagram into SpiffWorkflow specs, with our two
task specs: :class:`HumanTask` (a user task with a form key, role and due date) and
:class:`HandlerTask` (a service task that calls a registered handler).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable
from copy import deepcopy
from dataclasses import dataclass
from difflib import get_close_matches
from functools import lru_cache
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser, GatewayParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import CallActivity, ServiceTask, UserTask
from SpiffWorkflow.bpmn.specs.defaults import InclusiveGateway as DefaultInclusiveGateway
from SpiffWorkflow.bpmn.specs.defaults import ParallelGateway as DefaultParallelGateway
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CallActivityParser, SubWorkflowParser
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.decisions import decision_refs
from engine.bpmn.diagram_code import code_problems
from engine.bpmn.loops import LoopParser
from engine.bpmn.message_events import MESSAGE_EVENT_PARSERS
from engine.errors import Problem
from engine.kit.roles import ROLES

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}

_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)

PROCESS_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,99}")
"""A process id becomes a key in addresses and file names: letters, digits, ``_ . -``,
not starting with a digit, a dot or a dash, at most 100 characters."""


class HumanTask(UserTask):
    """A user task done by a role (its lane) through the form named by ``form_key``."""

    def __init__(self, wf_spec: Any, bpmn_id: str, form_key: str,
                 due_date: str | None = None, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.form_key = form_key
        self.due_date = due_date


class HandlerTask(ServiceTask):
    """A service task that calls the handler registered under ``handler``.

    A handler that raises leaves the task STARTED with an ``incident`` in its internal
    data, so the work already done stays saved and ``retry`` runs only this handler.
    """

    def __init__(self, wf_spec: Any, bpmn_id: str, handler: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.handler = handler

    def _run_hook(self, my_task: Any) -> bool | None:
        try:
            updates = my_task.workflow.script_engine.call_handler(my_task, self.handler)
        except Exception as exc:  # a failing handler is an incident, not a crash
            message = str(exc) or exc.__class__.__name__
            my_task._set_internal_data(incident={"message": message,
                                                 "type": exc.__class__.__name__})
            return None
        my_task.internal_data.pop("incident", None)
        if updates:
            my_task.data.update(updates)
        return True


class CaseCallActivity(CallActivity):
    """A call activity that hands back what *every* branch of the called process wrote.

    SpiffWorkflow gives each parallel branch its own copy of the data and returns the
    data of whichever task completed last. A decision recorded in one branch (she
    cooperates) was lost when a side branch (a warning, a guardian's task) ended later
    with its older copy. Here the writes of the called process's tasks are replayed in
    the order they happened, as an engine with instance-scoped variables would keep them.
    Joins are skipped: they only merge copies and write nothing of their own.
    """

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        super().update_data(my_task, subworkflow)
        outputs = getattr(subworkflow.spec.io_specification, "data_outputs", None)
        if outputs:
            return  # declared data outputs: SpiffWorkflow's rule applies
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True,
                                          spec_name="Start")
        done = [t for t in subworkflow.get_tasks(state=TaskState.COMPLETED,
                                                 skip_subprocesses=True)
                if t.parent is not None and t.workflow is subworkflow]
        my_task.data = replay_writes(dict(start.data) if start is not None else {}, done)


class _ReplayingJoin:
    """A joining gateway whose outgoing data holds what every joined branch wrote.

    SpiffWorkflow merges the branches' copies of the data and lets the branch that
    arrived last win, so a branch that never touched a value (a school enrolment beside
    a permit renewal) brings back the value it copied when the branches split. Here the
    writes of every task since the branches split are replayed in the order they
    happened, as with instance-scoped variables.
    """

    def _run_hook(self, my_task: Any) -> bool:
        joined = [t for t in my_task.workflow.tasks.values()
                  if t.task_spec == self and t is not my_task
                  and t.has_state(TaskState.FINISHED_MASK) and not my_task.is_descendant_of(t)]
        result = super()._run_hook(my_task)  # type: ignore[misc]
        fork = _common_ancestor([my_task.parent, *(t.parent for t in joined)])
        if joined and fork is not None:
            since = [t for t in _descendants(fork) if t.state == TaskState.COMPLETED]
            my_task.data = replay_writes(dict(fork.data), since)
        return result


class CaseParallelGateway(_ReplayingJoin, DefaultParallelGateway):
    pass


class CaseInclusiveGateway(_ReplayingJoin, DefaultInclusiveGateway):
    pass


def replay_writes(data: dict[str, Any], tasks: list[Any]) -> dict[str, Any]:
    """``data`` with each task's own writes (its data against its parent's) applied in the
    order the tasks completed. Joins are skipped: they only merge copies."""
    for task in sorted(tasks, key=lambda t: (t.last_state_change, t.depth)):
        if task.parent is None or is_join(task.task_spec):
            continue
        after = task.data
        for key in written(after, task.parent.data):
            if key in after:
                data[key] = after[key]
            else:
                data.pop(key, None)
    return deepcopy(data)


def written(after: dict[str, Any], before: dict[str, Any]) -> list[str]:
    """The keys ``after`` holds differently from ``before``: those set or changed, in
    ``after``'s order, then those removed. With a task's data and its parent's, the
    task's own writes, as a replay applies them (and compaction must keep them)."""
    changed = [key for key, value in after.items() if key not in before or before[key] != value]
    return changed + [key for key in before if key not in after]


def _common_ancestor(tasks: list[Any]) -> Any:
    """The deepest task that all of ``tasks`` descend from (or are)."""
    first, *others = tasks
    chain: list[Any] = []
    node = first
    while node is not None:
        chain.append(node)
        node = node.parent
    position = {id(t): i for i, t in enumerate(chain)}
    deepest = 0
    for task in others:
        node = task
        while node is not None and id(node) not in position:
            node = node.parent
        if node is None:
            return None
        deepest = max(deepest, position[id(node)])
    return chain[deepest]


def _descendants(task: Any) -> list[Any]:
    found: list[Any] = []
    stack = list(task.children)
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(child.children)
    return found


def is_join(spec: Any) -> bool:
    """A joining gateway: it only merges the branches' copies, so a replay skips it."""
    return isinstance(spec, (ParallelGateway, InclusiveGateway)) and len(spec.inputs) > 1


class _HumanTaskParser(LoopParser):
    def create_task(self) -> HumanTask:
        return self.spec_class(
            self.spec, self.bpmn_id,
            form_key=self.attribute("formKey", "camunda"),
            due_date=self.attribute("dueDate", "camunda"),
            **self.bpmn_attributes,
        )


class _HandlerTaskParser(LoopParser):
    def create_task(self) -> HandlerTask:
        return self.spec_class(self.spec, self.bpmn_id,
                               handler=self.attribute("topic", "camunda"),
                               **self.bpmn_attributes)


class DiagramParser(CamundaParser):
    """Camunda-dialect parser with our human and handler tasks."""

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        **MESSAGE_EVENT_PARSERS,
        full_tag("userTask"): (_HumanTaskParser, HumanTask),
        full_tag("serviceTask"): (_HandlerTaskParser, HandlerTask),
        full_tag("callActivity"): (type("_CallParser", (LoopParser, CallActivityParser), {}),
                                   CaseCallActivity),
        full_tag("subProcess"): (type("_SubprocessParser", (LoopParser, SubWorkflowParser), {}),
                                 CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("subProcess")][1]),
        full_tag("parallelGateway"): (GatewayParser, CaseParallelGateway),
        full_tag("inclusiveGateway"): (ConditionalGatewayParser, CaseInclusiveGateway),
    }


@dataclass(frozen=True)
class ProcessInfo:
    """An executable process found in a diagram."""

    key: str
    name: str | None


def read_xml(content: bytes) -> etree._Element:
    """Parse XML without resolving entities or touching the network."""
    return etree.fromstring(content, parser=_SAFE_XML)


Lookup = Callable[[str], bytes | None]
"""Process key -> the BPMN document that defines it (deployed or being deployed), or None."""


def _no_lookup(_key: str) -> bytes | None:
    return None


def inspect_diagram(
    content: bytes, forms: Container[str], handlers: Container[str],
    lookup: Lookup = _no_lookup, decisions: Lookup = _no_lookup,
) -> tuple[list[ProcessInfo], list[Problem]]:
    """Return the executable processes of a diagram and every problem it has.

    ``lookup`` finds the documents of processes called by a call activity and defined in
    another file; a call to a process nobody defines is a problem. ``decisions`` finds
    the DMN document of a decision a business rule task runs, in the same way.
    """
    try:
        root = read_xml(content)
    except etree.XMLSyntaxError as exc:
        return [], [Problem(None, f"malformed XML: {exc}")]
    if root.tag != f"{{{BPMN_NS}}}definitions":
        return [], [Problem(None, "not a BPMN 2.0 document: the root must be bpmn:definitions")]

    processes = [p for p in root.iterfind("bpmn:process", NS) if p.get("isExecutable") == "true"]
    if not processes:
        return [], [Problem(None, 'no executable process: mark a bpmn:process isExecutable="true"')]

    problems = _id_problems(root)
    problems.extend(code_problems(root))
    problems.extend(_key_problems(processes))
    for process in processes:
        problems.extend(_check_process(process, forms, handlers))
    called, missing = called_documents(root, lookup)
    problems.extend(Problem(element_id, f"calls process {key!r}, which is neither in this "
                            "file nor deployed") for element_id, key in missing)
    tables, problems_of_tables = decision_documents([root, *map(read_xml, called)], decisions)
    problems.extend(problems_of_tables)
    infos = [ProcessInfo(p.get("id", ""), p.get("name")) for p in processes]
    if not problems:
        problems.extend(_spiff_problems(content, [i.key for i in infos], called, tables))
    return infos, problems


def decision_documents(roots: list[etree._Element], lookup: Lookup
                       ) -> tuple[list[bytes], list[Problem]]:
    """The DMN documents the business rule tasks of ``roots`` run, and a problem for each
    task that names no decision or one nobody deployed."""
    documents: list[bytes] = []
    problems: list[Problem] = []
    for root in roots:
        for task_id, ref in decision_refs(root):
            if not ref:
                problems.append(Problem(task_id, "a business rule task names the decision "
                                        "table it runs: set camunda:decisionRef"))
                continue
            document = lookup(ref)
            if document is None:
                problems.append(Problem(task_id, f"runs decision {ref!r}, which is neither "
                                        "deployed nor in this deployment (deploy its .dmn "
                                        "file)"))
            elif document not in documents:
                documents.append(document)
    return documents, problems


NCNAME = re.compile(r"[^\W\d][\w.\-]*")
"""An XML Schema ``ID`` (an NCName): a letter or ``_`` first, then letters, digits, ``_ . -``;
no colon, no space. The BPMN 2.0 schema types every ``id`` so."""


def _id_problems(root: etree._Element) -> list[Problem]:
    """Ids the BPMN 2.0 schema refuses: not an NCName, or used twice in the document.

    Flows, lanes and diagram shapes refer to elements by id, so a duplicate would make
    the engine and the modeler see different diagrams.
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    for element in root.iter():
        value = element.get("id")
        if value is None or not isinstance(element.tag, str):
            continue
        shown = value if value.isprintable() and len(value) <= 100 else None
        if not NCNAME.fullmatch(value):
            problems.append(Problem(shown, f"the id {value[:100]!r} is not allowed in BPMN "
                                    "2.0: start with a letter or '_', then letters, digits, "
                                    "'_', '.' or '-' (no spaces or colons)"))
        elif value in seen:
            problems.append(Problem(shown, f"the id {value!r} is used by two elements: "
                                    "each element needs its own"))
        seen.add(value)
    return problems


def _key_problems(processes: list[etree._Element]) -> list[Problem]:
    """A key with quotes, line breaks or slashes would break the headers and addresses
    it is written into; it is refused here, before anything is stored."""
    problems = []
    for process in processes:
        key = process.get("id", "")
        if not PROCESS_KEY.fullmatch(key):
            shown = key if key.isprintable() else None  # the listing stays one line
            problems.append(Problem(shown, f"the process id {key!r} cannot be a process "
                                    "key: use 1-100 letters, digits, '_', '.' or '-', "
                                    "starting with a letter or '_'"))
    return problems


def called_documents(root: etree._Element,
                     lookup: Lookup) -> tuple[list[bytes], list[tuple[str | None, str]]]:
    """The documents of every process ``root`` calls in other files, transitively.

    Returns them with the (call activity id, key) pairs that nobody defines.
    """
    documents: list[bytes] = []
    missing: list[tuple[str | None, str]] = []
    defined = _defined_keys(root)
    pending = [(c.get("id"), c.get("calledElement") or "") for c in _calls(root)]
    while pending:
        element_id, key = pending.pop()
        if not key:
            missing.append((element_id, "(none: set calledElement)"))
            continue
        if key in defined:
            continue
        document = lookup(key)
        if document is None:
            missing.append((element_id, key))
            continue
        other = read_xml(document)
        defined |= _defined_keys(other)
        documents.append(document)
        pending.extend((c.get("id"), c.get("calledElement") or "") for c in _calls(other))
    return documents, missing


def called_keys(content: bytes) -> set[str]:
    """Keys called by call activities of a document and defined in other documents."""
    root = read_xml(content)
    return {c.get("calledElement") or "" for c in _calls(root)} - _defined_keys(root) - {""}


def _calls(root: etree._Element) -> list[etree._Element]:
    return list(root.iterfind(".//bpmn:callActivity", NS))


def _defined_keys(root: etree._Element) -> set[str]:
    return {p.get("id", "") for p in root.iterfind("bpmn:process", NS)}


def lane_of(process: etree._Element) -> dict[str, str]:
    """Map each flow node id to the name of the innermost lane that lists it."""
    lanes: dict[str, str] = {}
    for lane in process.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            if ref.text:
                lanes[ref.text.strip()] = lane.get("name") or lane.get("id", "")
    return lanes


def start_form_key(content: bytes | str, key: str) -> str | None:
    """The form that checks the data a procedure is started with: ``camunda:formKey`` on
    its none start event. A procedure without one takes no start data."""
    root = read_xml(content.encode() if isinstance(content, str) else content)
    for process in root.iterfind("bpmn:process", NS):
        if process.get("id") == key:
            for start in process.iterfind("bpmn:startEvent", NS):
                if len(start) == 0 or not any("EventDefinition" in str(c.tag) for c in start):
                    return start.get(f"{{{CAMUNDA_NS}}}formKey")
    return None


def _check_process(process: etree._Element, forms: Container[str],
                   handlers: Container[str]) -> list[Problem]:
    problems: list[Problem] = []
    lanes = lane_of(process)
    known_roles = ", ".join(ROLES)

    for node in process.iterfind("bpmn:startEvent", NS):
        form_key = node.get(f"{{{CAMUNDA_NS}}}formKey")
        if form_key is not None and form_key not in forms:
            problems.append(Problem(node.get("id"), "unknown start form key "
                                    + _unknown(form_key, forms, "form")))

    for node in process.iterfind(".//bpmn:userTask", NS):
        task_id = node.get("id")
        role = lanes.get(task_id or "")
        if role is None:
            problems.append(Problem(task_id, "user task is outside any lane: put it in the "
                                    "lane of the role that does it"))
        elif role not in ROLES:
            problems.append(Problem(task_id, f"lane {role!r} is not a role; lanes are named "
                                    f"by role key: {known_roles}"))
        form_key = node.get(f"{{{CAMUNDA_NS}}}formKey")
        if not form_key:
            problems.append(Problem(task_id, "user task has no form key (camunda:formKey)"))
        elif form_key not in forms:
            problems.append(Problem(task_id, "unknown form key "
                                    + _unknown(form_key, forms, "form")))

    for tag, kind in _NOBODY_RUNS.items():
        for node in process.iterfind(f".//bpmn:{tag}", NS):
            problems.append(Problem(node.get("id"), f"a {kind} has no one to do it and "
                                    "nothing to run, so a case would wait at it or pass it "
                                    "doing nothing: make it a user task in a role lane "
                                    "(someone does it) or a service task with a handler "
                                    "(the engine does it)"))
    problems.extend(_uncaught_throws(process))
    for thrower in process.iter(_tag("intermediateThrowEvent"), _tag("endEvent")):
        if thrower.find("bpmn:messageEventDefinition", NS) is not None:
            problems.append(Problem(thrower.get("id"), "a message thrown by a procedure "
                                    "reaches no one here: messages come from outside "
                                    "(POST /api/messages, varnapot message); to tell another "
                                    "procedure of the same case, throw a signal"))

    for node in process.iterfind(".//bpmn:serviceTask", NS):
        handler = node.get(f"{{{CAMUNDA_NS}}}topic")
        if not handler:
            problems.append(Problem(node.get("id"), "service task names no handler: set "
                                    'camunda:type="external" and camunda:topic="<handler>"'))
        elif handler not in handlers:
            problems.append(Problem(node.get("id"), "unknown handler "
                                    + _unknown(handler, handlers, "handler")))

    return problems


def _unknown(name: str, known: Container[str], kind: str) -> str:
    """``name`` quoted, with what to write instead: the registered name it was probably
    meant to be, or what a Camunda Tasklist form key becomes here."""
    said = repr(name)
    if kind == "form" and re.match(r"(embedded|camunda-forms|app|deployment):", name):
        return (f"{said}: Camunda Tasklist forms are not run by this engine; name a "
                "registered form, such as 'identification.preliminary'")
    close = get_close_matches(name, list(known), n=1) if isinstance(known, Iterable) else []
    return f"{said}: did you mean {close[0]!r}?" if close else f"{said}: no {kind} has this name"


_NOBODY_RUNS = {"task": "plain task (bpmn:task)", "manualTask": "manual task",
                "sendTask": "send task"}
"""Activities this engine gives no meaning: it asks no one and runs nothing for them."""


def _uncaught_throws(process: etree._Element) -> list[Problem]:
    """An escalation or error thrown where nothing catches it would be lost without a
    trace (SpiffWorkflow completes the instance); each must have a catcher in the file.

    A catcher is a boundary event on an activity around the throw, or the start event
    of an event subprocess around it, with the same code or none (catch-all).
    """
    problems = []
    for kind in ("escalation", "error"):
        definition = f"bpmn:{kind}EventDefinition"
        for thrower in process.iter(_tag("intermediateThrowEvent"), _tag("endEvent")):
            for thrown in thrower.iterfind(definition, NS):
                if not _caught(thrower, kind, thrown.get(f"{kind}Ref")):
                    problems.append(Problem(thrower.get("id"), f"the {kind} thrown here is "
                                            f"caught nowhere, so it would be lost: catch it "
                                            f"with an {kind} boundary event on the "
                                            "subprocess around it, or an event subprocess "
                                            f"with an {kind} start event, in this file"))
    return problems


def _caught(thrower: etree._Element, kind: str, ref: str | None) -> bool:
    definition = f"bpmn:{kind}EventDefinition"
    scope = thrower.getparent()
    while scope is not None and scope.tag in (_tag("subProcess"), _tag("process"),
                                              _tag("transaction")):
        catchers = [b for b in scope.itersiblings(_tag("boundaryEvent"), preceding=True)] + \
            [b for b in scope.itersiblings(_tag("boundaryEvent"))]
        catchers = [b for b in catchers if b.get("attachedToRef") == scope.get("id")]
        for sub in scope.iterfind("bpmn:subProcess[@triggeredByEvent='true']", NS):
            catchers.extend(sub.iterfind("bpmn:startEvent", NS))
        for catcher in catchers:
            for caught in catcher.iterfind(definition, NS):
                if caught.get(f"{kind}Ref") in (None, "", ref):
                    return True
        scope = scope.getparent()
    return False


def _tag(local: str) -> str:
    return f"{{{BPMN_NS}}}{local}"


def _spiff_problems(content: bytes, keys: list[str], called: list[bytes],
                    tables: list[bytes]) -> list[Problem]:
    """Problems only SpiffWorkflow's parser finds (unconnected flows, bad events...)."""
    try:
        parse_processes(content, keys, called, tables)
    except ValidationException as exc:
        return [Problem(getattr(exc, "id", None) or None, str(exc).splitlines()[0])]
    return []


ParsedSpecs = tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]


def signal_names(specs: Iterable[BpmnProcessSpec]) -> frozenset[str]:
    """The names of the signals the catching events of ``specs`` wait for (start events
    of event subprocesses, boundary and intermediate events, alone or among several)."""
    names: set[str] = set()
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if not isinstance(task_spec, CatchingEvent):
                continue
            found = task_spec.event_definition
            for definition in getattr(found, "event_definitions", None) or [found]:
                if isinstance(definition, SignalEventDefinition):
                    names.add(definition.name)
    return frozenset(names)


PARSED_DOCUMENTS = 128
"""Parsed diagrams kept in memory: every version of every procedure a server runs."""


def parse_processes(content: bytes, keys: list[str], called: list[bytes] | None = None,
                    tables: list[bytes] | None = None) -> dict[str, ParsedSpecs]:
    """Parse a diagram into ``key -> (spec, subprocess specs)`` for each executable key.

    ``called`` are the documents of processes its call activities run from other files,
    ``tables`` the DMN documents of the decisions its business rule tasks run. The same
    documents give the same specs, so they are parsed once per process: deploy checks a
    diagram by parsing it and its first instance runs that parse, and an engine built
    again (a worker, a command) reuses what the last one parsed. Specs are shared
    read-only, as one engine already shares them between its instances.
    """
    return dict(_parsed(content, tuple(keys), tuple(called or ()), tuple(tables or ())))


@lru_cache(maxsize=PARSED_DOCUMENTS)
def _parsed(content: bytes, keys: tuple[str, ...], called: tuple[bytes, ...],
            tables: tuple[bytes, ...]) -> dict[str, ParsedSpecs]:
    parser = DiagramParser()
    parser.add_bpmn_xml(read_xml(content))
    for document in called or []:
        parser.add_bpmn_xml(read_xml(document))
    for document in tables or []:
        parser.add_dmn_xml(read_xml(document))
    parsed = {key: (parser.get_spec(key), parser.get_subprocess_specs(key)) for key in keys}
    for spec, subprocesses in parsed.values():
        for each in (spec, *subprocesses.values()):
            connect_loops(each)
    return parsed


def connect_loops(spec: BpmnProcessSpec) -> None:
    """Let every loop and multi-instance activity hear its children complete.

    SpiffWorkflow connects an activity to its child's completion only when it creates
    the first child, on the spec object of that moment. A workflow restored from its
    saved state against a freshly parsed spec (a restart, another worker, the command
    line) had no such connection, so a sequential activity never started its second
    child and a parallel one never finished. Connecting at parse time, as SpiffWorkflow
    itself would at the first child, makes every spec ready whatever it restores.
    """
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, LoopTask):
            child = spec.task_specs.get(task_spec.task_spec)
            if child is not None and not child.completed_event.is_connected(
                    task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)
