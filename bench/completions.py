"""Throughput of task completions: raw SpiffWorkflow against the persisted engine.

Run by ``python -m bench`` (``make bench``) first. Every figure comes from the same work:
``INSTANCES`` reflection-period instances, each started and granted its permitted stay
(setup, not timed), then ``COMPLETIONS`` user tasks completed per instance, round-robin
over the instances, alternating ``record_decision`` (she needs more time) and
``decide_extension`` (refused, so the loop can go on: the form forbids a second
extension but not a second refusal). The task tree grows with every pass of the loop, so
raw and persisted runs use exactly the same instances, steps and data.

Why each number exists:

``raw spiffworkflow``
    The ceiling. One completion as SpiffWorkflow alone does it: decode the stored JSON,
    restore the workflow against the cached spec (``StateSerializer.load``), set the task
    data, run the task and the engine steps (``run_guarded`` under the engine clock),
    serialize (``StateSerializer.dump``) and encode the JSON a database would store. No
    database, no form validation, no projections: the engine cannot be faster than this.
``persisted sqlite`` / ``persisted postgresql``
    What a user gets: one committed transaction of ``engine.tasks.complete`` each
    (load the row, validate the form, run, save state, task and timer projections and
    audit events). PostgreSQL is measured when ``VARNAPOT_BENCH_DATABASE_URL`` or
    ``VARNAPOT_TEST_DATABASE_URL`` is set, in a schema created for the run and dropped.
``ratio persisted/raw``
    The share of the ceiling the engine keeps; ``1 - ratio`` is what validation,
    projections, audit and the database cost on top of SpiffWorkflow. A low ratio means
    the overhead is ours, not SpiffWorkflow's, and worth profiling.
``median latency``
    What one click waits for. Less sensitive than throughput to a stall of the shared
    machine.

Throughput is completions divided by the time spent inside the timed call (looking up
the next task id between calls is not counted). Each repetition starts fresh instances;
the repetitions of all runners are interleaved so a busy moment of the machine hits them
alike, and the median repetition is reported.

The timer figures (lateness of one worker, throughput of one and two workers) follow;
:mod:`bench.timers` explains them. Then the web figures (p50 and p95 of the
worklist, the task list API, the instance list and the deadline tracker on ten thousand
instances); :mod:`bench.web` explains them. Both need PostgreSQL and are skipped,
with a line saying so, without it.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine import ProcessEngine
from engine.bpmn.diagrams import HumanTask, parse_processes
from engine.bpmn.execution import RestrictedScriptEngine, StateSerializer, run_guarded
from engine.kit.clock import ManualClock, using_clock
from engine.kit.jurisdiction import jurisdiction
from forms import FORMS
from handlers import HANDLERS

from .common import (
    PROCESSES,
    START,
    TIMEZONE,
    USER,
    engine_on,
    postgresql_url,
    sqlite_url,
)

PROCESS_KEY = "reflection_period"

INSTANCES = 10
COMPLETIONS = 20
"""Completions per instance after the grant (ten passes of the extension loop)."""
WARMUP_INSTANCES = 2
REPEATS = 5

GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-01",
         "victim_category": "trafficking", "informed_of_permit": True, "interpreter_provided": True}
"""Nine days before ``START``: before every decision of the loop."""


def grant(today: date) -> dict[str, Any]:
    """``GRANT`` for a loop whose decisions come before ``today``."""
    return {**GRANT, "stay_decision_date": (today - timedelta(days=9)).isoformat()}


def loop_step(step: int, today: date | None = None) -> tuple[str, dict[str, Any]]:
    """The element to complete at ``step`` of the loop and the form data sent for it: a
    decision taken in the eight days before ``today`` (``START``'s day unless given)."""
    day = ((today or START.date()) - timedelta(days=8 - step % 8)).isoformat()
    if step % 2 == 0:
        return "record_decision", {"decision": "extend", "decision_date": day,
                                   "reason": f"She needs more time (step {step})."}
    return "decide_extension", {"extension_granted": False, "extension_decision_date": day}


class Runner(Protocol):
    """One way of completing tasks: opens cases and times one completion."""

    def open_case(self) -> Any: ...

    def complete(self, case: Any, step: int) -> float:
        """Complete the task of ``step`` on ``case``; return the seconds it took."""
        ...


# --- raw SpiffWorkflow ------------------------------------------------------------------


@dataclass
class RawCase:
    """An instance kept as the JSON text a database row would hold."""

    instance_id: int
    state: str


class RawRunner:
    """Completes tasks with SpiffWorkflow and the state serializer only."""

    def __init__(self) -> None:
        content = (PROCESSES / f"{PROCESS_KEY}.bpmn").read_bytes()
        self.spec, self.subprocess_specs = parse_processes(content, [PROCESS_KEY])[PROCESS_KEY]
        self.serializer = StateSerializer()
        self.jurisdiction = jurisdiction()
        self.clock = ManualClock(START)
        self._ids = iter(range(1, sys.maxsize))
        # The engine stores what the form dumps (ISO dates, defaults filled in); so do we.
        self._data = {n: clean_data(self.spec, *loop_step(n)) for n in range(COMPLETIONS)}

    def script_engine(self, instance_id: int) -> RestrictedScriptEngine:
        return RestrictedScriptEngine(HANDLERS, self.jurisdiction, self.clock.now(), TIMEZONE,
                                      instance_id, f"RAW-{instance_id}")

    def open_case(self) -> RawCase:
        instance_id = next(self._ids)
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs,
                                script_engine=self.script_engine(instance_id))
        with using_clock(self.clock):
            run_guarded(workflow)
        case = RawCase(instance_id, json.dumps(self.serializer.dump(workflow)))
        case.state = self._complete(case, "grant_permitted_stay",
                                    clean_data(self.spec, "grant_permitted_stay", GRANT))
        return case

    def complete(self, case: RawCase, step: int) -> float:
        element_id, _ = loop_step(step)
        began = time.perf_counter()
        case.state = self._complete(case, element_id, self._data[step])
        return time.perf_counter() - began

    def _complete(self, case: RawCase, element_id: str, data: dict[str, Any]) -> str:
        """Decode, restore, run one user task and the engine steps, serialize, encode."""
        workflow = self.serializer.load(json.loads(case.state), self.spec,
                                        self.subprocess_specs)
        workflow.script_engine = self.script_engine(case.instance_id)
        task = ready_user_task(workflow, element_id)
        task.data.update(data)
        with using_clock(self.clock):
            run_guarded(workflow, task)
        return json.dumps(self.serializer.dump(workflow))


def ready_user_task(workflow: BpmnWorkflow, element_id: str) -> Task:
    """The READY user task ``element_id`` of the workflow (others may be open beside it)."""
    for task in workflow.get_tasks(state=TaskState.READY):
        if isinstance(task.task_spec, HumanTask) and task.task_spec.bpmn_id == element_id:
            return task
    raise RuntimeError(f"no READY user task {element_id}")


def clean_data(spec: BpmnProcessSpec, element_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as the element's form loads and dumps it (what the engine merges)."""
    task_spec = spec.task_specs[element_id]
    assert isinstance(task_spec, HumanTask)
    schema_class = FORMS.get(task_spec.form_key)
    assert schema_class is not None
    schema = schema_class(variables={"extensions_granted": 0}, today=START.date())
    return schema.dump(schema.load(data))


# --- the persisted engine ---------------------------------------------------------------


@dataclass
class PersistedCase:
    """An instance in the database."""

    instance_id: int


class PersistedRunner:
    """Completes tasks through ``engine.tasks.complete``, one transaction each."""

    def __init__(self, engine: ProcessEngine) -> None:
        self.engine = engine
        self._numbers = iter(range(1, sys.maxsize))

    def open_case(self) -> PersistedCase:
        view = self.engine.runtime.start(PROCESS_KEY, f"BENCH-{next(self._numbers)}",
                                         actor=USER)
        case = PersistedCase(view.id)
        self._complete(case, "grant_permitted_stay", GRANT)
        return case

    def complete(self, case: PersistedCase, step: int) -> float:
        element_id, data = loop_step(step)
        return self._complete(case, element_id, data)

    def _complete(self, case: PersistedCase, element_id: str, data: dict[str, Any]) -> float:
        """Find (not timed) the open ``element_id`` task, then time one ``complete``.

        The reflection period keeps other tasks open beside the loop (the NGO informs her
        of the permit): the task of the step is found by its element.
        """
        found = [t for t in self.engine.tasks.tasks(instance_id=case.instance_id)
                 if t.element_id == element_id]
        if len(found) != 1:
            raise RuntimeError(f"expected one open {element_id}, found {len(found)}")
        began = time.perf_counter()
        self.engine.tasks.complete(found[0].id, USER, data)
        return time.perf_counter() - began


# --- measuring --------------------------------------------------------------------------


@dataclass
class Measurement:
    """The per-completion times of every measured repetition of one runner."""

    label: str
    repetitions: list[list[float]] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Completions per second of the median repetition."""
        return statistics.median(len(times) / sum(times) for times in self.repetitions)

    @property
    def latency_ms(self) -> float:
        """Median time of one completion over all repetitions, in milliseconds."""
        return 1000 * statistics.median(t for times in self.repetitions for t in times)


def run_round(runner: Runner, instances: int, completions: int) -> list[float]:
    """Open ``instances`` cases, then complete ``completions`` tasks on each, round-robin."""
    cases = [runner.open_case() for _ in range(instances)]
    return [runner.complete(case, step) for step in range(completions) for case in cases]


def measure(runners: dict[str, Runner]) -> list[Measurement]:
    """Warm every runner up, then run ``REPEATS`` interleaved repetitions of each."""
    for runner in runners.values():
        run_round(runner, WARMUP_INSTANCES, COMPLETIONS)
    results = {label: Measurement(label) for label in runners}
    for repetition in range(1, REPEATS + 1):
        for label, runner in runners.items():
            times = run_round(runner, INSTANCES, COMPLETIONS)
            results[label].repetitions.append(times)
            print(f"  repetition {repetition}/{REPEATS} {label}: "
                  f"{len(times) / sum(times):.0f} completions/s", file=sys.stderr)
    return list(results.values())


def report(results: list[Measurement]) -> None:
    raw = results[0]
    for result in results:
        print(f"{result.label}: {result.throughput:.0f} completions/s")
        print(f"{result.label} median latency: {result.latency_ms:.2f} ms per completion")
    for result in results[1:]:
        database = result.label.removeprefix("persisted ")
        print(f"ratio persisted/raw {database}: {result.throughput / raw.throughput:.2f}")


def main(pg_url: str | None) -> None:
    print(f"reflection_period: {INSTANCES} instances x {COMPLETIONS} completions, "
          f"median of {REPEATS} repetitions after a warm-up")
    with contextlib.ExitStack() as stack:
        runners: dict[str, Runner] = {"raw spiffworkflow": RawRunner()}
        sqlite = stack.enter_context(engine_on(stack.enter_context(sqlite_url())))
        runners["persisted sqlite"] = PersistedRunner(sqlite)
        if pg_url:
            postgresql = stack.enter_context(engine_on(stack.enter_context(
                postgresql_url(pg_url))))
            runners["persisted postgresql"] = PersistedRunner(postgresql)
        report(measure(runners))
