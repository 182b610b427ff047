"""Timer figures: how late a worker fires, and how many timers workers fire per second.

Run by ``python -m bench`` (``make bench``) after the completion figures, on
PostgreSQL only (``VARNAPOT_BENCH_DATABASE_URL`` or ``VARNAPOT_TEST_DATABASE_URL``), each
in a schema of its own that is dropped afterwards. The timers are fired by real
``varnapot worker`` processes on the system clock, as users run them, and every figure is
read from the timer table the workers wrote, not from the workers' own logs.

The work is a small diagram: a person's task with an interrupting boundary timer
(``timeDate`` read from the instance data) that leads to another task. A firing is a
full unit of work: restore the workflow, let SpiffWorkflow fire its timer, cancel the
first task and open the second, save state, task and timer projections and audit
events. One instance is started through the engine; the others are its rows (instance,
open task, pending timer) cloned in bulk, with fresh SpiffWorkflow task ids, case codes
and due times (the state is what the engine would have saved had it started each one with
that due time; starting ten thousand instances one by one would take minutes).

Why each number exists:

``timer lateness``
    What a case waits for past its moment. ``LATENESS_TIMERS`` timers come due one after
    another over ``LATENESS_SPREAD`` of real time while ONE worker runs with its default
    safety sweep, so they fire on its precise wake-ups. Lateness is ``fired_at - due_at``
    of each row; median and p99 are reported, target p99 < 1 s. A worker that has to
    wait for its safety sweep shows up here as tens of seconds.
``timer throughput``
    How fast a backlog drains: after downtime, or when a deadline hits many cases at
    once. ``THROUGHPUT_TIMERS`` timers are already due when 1, then 2, workers start;
    throughput is the number fired divided by the span from the first to the last
    ``fired_at`` (interpreter start-up is not counted; the wall time from starting the
    processes until no due row is pending is printed beside it). Target >= 500/s. Two
    workers show whether claiming with ``SKIP LOCKED`` lets them share the work; on a
    machine with two cores they also share it with PostgreSQL.

Every run checks that each timer fired exactly once and that each instance opened its
user task once; a failure stops the bench with the worker's log.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, insert, select, text

from engine import ProcessEngine
from engine.crypto.sealing import seal_json
from engine.store.models import (
    AuditEvent,
    CaseRecord,
    HumanTask,
    ProcessInstance,
    SchedulerWorker,
    Timer,
)
from engine.store.timer_states import FIRED, PENDING

from . import goals
from .common import (
    ROOT,
    USER,
    Child,
    engine_on,
    percentile,
    postgresql_from_env,
    postgresql_url,
)

PROCESS_KEY = "bench_timer"
WAIT_ELEMENT = "wait"
TIMER_ELEMENT = "due"
TASK_ELEMENT = "act"
DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="bench_timer_definitions"
    targetNamespace="https://varnapot.example/bench">
  <bpmn:process id="{PROCESS_KEY}" name="Timer benchmark" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_coordinator" name="coordinator">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>{WAIT_ELEMENT}</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>{TIMER_ELEMENT}</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>{TASK_ELEMENT}</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_late</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="{WAIT_ELEMENT}" name="Decide before the due date"
                   camunda:formKey="escalation.resolve"/>
    <bpmn:boundaryEvent id="{TIMER_ELEMENT}" name="Due" attachedToRef="{WAIT_ELEMENT}">
      <bpmn:timerEventDefinition>
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">due_at</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="{TASK_ELEMENT}" name="Act on the passed due date"
                   camunda:formKey="escalation.resolve"/>
    <bpmn:endEvent id="end"/>
    <bpmn:endEvent id="end_late"/>
    <bpmn:sequenceFlow id="decided" sourceRef="start" targetRef="{WAIT_ELEMENT}"/>
    <bpmn:sequenceFlow id="in_time" sourceRef="{WAIT_ELEMENT}" targetRef="end"/>
    <bpmn:sequenceFlow id="too_late" sourceRef="{TIMER_ELEMENT}" targetRef="{TASK_ELEMENT}"/>
    <bpmn:sequenceFlow id="acted" sourceRef="{TASK_ELEMENT}" targetRef="end_late"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()
"""A person's task with an interrupting timer, the commonest timer of the procedures."""

TEMPLATE_DUE = datetime(2100, 1, 1, tzinfo=UTC)
"""The template instance waits until then; it is cancelled once it has been cloned."""
LATENESS_TIMERS = 1_000
LATENESS_SPREAD = timedelta(seconds=60)
LATENESS_LEAD = timedelta(seconds=6)
"""From the end of the setup to the first due time: the worker starts in between."""
LATENESS_GOAL = 1.0
"""Seconds, for the 99th percentile: a deadline's reminder is never a sweep late."""
THROUGHPUT_TIMERS = 10_000
THROUGHPUT_WORKERS = (1, 2)
THROUGHPUT_GOAL = 500
"""Timers per second one worker fires: a morning's backlog of a country in seconds."""
BACKLOG_AGE = timedelta(hours=1)
"""How long ago the throughput timers came due (one millisecond apart, oldest first)."""
DRAIN_LIMIT = timedelta(minutes=5)
"""Longest wait for a run to finish; beyond it the bench fails rather than hang."""
CLONE_BATCH = 1_000
POLL_SECONDS = 0.5
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# --- setup ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """The rows of one instance waiting on its timer, to be copied."""

    instance: dict[str, Any]
    timer: dict[str, Any]
    task: dict[str, Any]
    """The open task the timer interrupts."""
    state: str
    """The serialized workflow as JSON text, for replacing task ids and the due time."""
    task_ids: frozenset[str]


def make_template(engine: ProcessEngine) -> Template:
    """Deploy the bench diagram and start one instance through the engine."""
    engine.repository.deploy(DIAGRAM, source=f"{PROCESS_KEY}.bpmn", actor=USER)
    # The due time is the bench's own setting, not data a person gives: it goes in as
    # the engine's internal starts do, without a start form.
    with engine.db.transaction() as session:
        view = engine.runtime.start_in(session, PROCESS_KEY, "BENCH-TEMPLATE",
                                       {"due_at": TEMPLATE_DUE.isoformat()}, actor=USER)
    instances, timers, tasks = (ProcessInstance.__table__, Timer.__table__,
                                HumanTask.__table__)
    with engine.db.engine.connect() as connection:
        instance = dict(connection.execute(
            select(instances).where(instances.c.id == view.id)).mappings().one())
        (timer,) = [dict(row) for row in connection.execute(
            select(timers).where(timers.c.instance_id == view.id)).mappings()]
        (task,) = [dict(row) for row in connection.execute(
            select(tasks).where(tasks.c.instance_id == view.id)).mappings()]
    engine.runtime.cancel(view.id, actor=USER, reason="cloned for the timer benchmark")
    with engine.db.reading() as session:
        state = json.dumps(engine.ctx.vault.open(session, view.case_code, "state",
                                                 instance["state"]))
    if (f'"{TEMPLATE_DUE.isoformat()}"' not in state or timer["status"] != PENDING
            or task["element_id"] != WAIT_ELEMENT):
        raise RuntimeError("the template instance is not waiting on its timer")
    del instance["id"], timer["id"], task["id"]
    return Template(instance, timer, task, state, frozenset(UUID_TEXT.findall(state)))


def clone(engine: ProcessEngine, template: Template, dues: Sequence[datetime],
          prefix: str) -> None:
    """Insert one instance, its open task and its pending timer per due time, in bulk.

    Each copy is a case of its own, with its own key, its state sealed as the engine
    seals it.

    Then ANALYZE, which gives the planner what autovacuum would have given it by the
    time so many rows had been written one by one. The open tasks matter there too: on
    an empty task table the planner would scan it whole for every task lookup, and the
    figure would fall as the run fills it, which no database in use shows.
    """
    instances, timers, tasks, cases = (ProcessInstance.__table__, Timer.__table__,
                                       HumanTask.__table__, CaseRecord.__table__)
    old_due = f'"{TEMPLATE_DUE.isoformat()}"'
    now = datetime.now(UTC)
    keyring = engine.ctx.vault.keyring
    numbered = list(enumerate(dues))
    with engine.db.engine.begin() as connection:
        for start in range(0, len(numbered), CLONE_BATCH):
            batch = numbered[start:start + CLONE_BATCH]
            rows, renames, records = [], [], []
            for number, due in batch:
                fresh = {old: str(uuid.uuid4()) for old in template.task_ids}
                state = renamed(template.state, fresh).replace(old_due, f'"{due.isoformat()}"')
                code = f"{prefix}-{number:05d}"
                key, sealed_key = keyring.new_case_key(code)
                records.append({"code": code, "sealed_key": sealed_key, "legal_hold": False,
                                "created_at": now})
                rows.append({**template.instance, "case_code": code,
                             "state": seal_json(key, json.loads(state), f"state|{code}"),
                             "variables": seal_json(key, {"due_at": due.isoformat()},
                                                    f"variables|{code}"),
                             "started_at": now, "updated_at": now})
                renames.append(fresh)
            connection.execute(insert(cases), records)
            ids = connection.execute(
                insert(instances).returning(instances.c.id, sort_by_parameter_order=True),
                rows).scalars().all()
            cloned = list(zip(ids, renames, batch, strict=True))
            connection.execute(insert(timers), [
                {**template.timer, "instance_id": instance_id, "created_at": now,
                 "spiff_task_id": fresh[template.timer["spiff_task_id"]],
                 "due_at": due, "next_attempt_at": due}
                for instance_id, fresh, (_, due) in cloned])
            connection.execute(insert(tasks), [
                {**template.task, "instance_id": instance_id, "created_at": now,
                 "spiff_task_id": fresh[template.task["spiff_task_id"]]}
                for instance_id, fresh, _ in cloned])
    with engine.db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("ANALYZE process_instance, timer, human_task, case_record"))


def renamed(state: str, fresh: dict[str, str]) -> str:
    """``state`` with every task id replaced: the ids are unique across instances."""
    return UUID_TEXT.sub(lambda found: fresh.get(found[0], found[0]), state)


# --- workers ----------------------------------------------------------------------------


@dataclass
class Worker(Child):
    """A ``varnapot worker`` process and the file its log goes to."""

    name: str


@contextlib.contextmanager
def workers(url: str, names: Sequence[str]) -> Iterator[list[Worker]]:
    """Start one ``varnapot worker`` per name on the system clock; stop them on exit."""
    env = {**os.environ, "DATABASE_URL": url, "VARNAPOT_CLOCK": "system"}
    started: list[Worker] = []
    with contextlib.ExitStack() as logs:
        try:
            for name in names:
                log = logs.enter_context(tempfile.TemporaryFile(prefix=f"varnapot-{name}-"))
                process = subprocess.Popen(
                    [sys.executable, "-c", "from cli import main; main()", "worker",
                     "--name", name],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
                started.append(Worker(process=process, log=log, name=name))
            yield started
        finally:
            stop(started)


def stop(started: Sequence[Worker]) -> None:
    """SIGTERM, as an operator stops a worker; kill what does not stop in time."""
    for worker in started:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
    for worker in started:
        try:
            worker.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()


class TooBusy(RuntimeError):
    """The workers did not get there in the time allowed: the machine is too busy for the
    figure to mean anything, which the bench says instead of stopping."""

    def __init__(self, what: str, limit: timedelta, logs: str) -> None:
        super().__init__(f"timed out waiting for {what}\n{logs}")
        self.what, self.limit = what, limit


def wait_for(condition: Any, running: Sequence[Worker], limit: timedelta, what: str) -> None:
    """Poll ``condition()`` while the workers run; fail if one exits or time runs out."""
    deadline = time.monotonic() + limit.total_seconds()
    while not condition():
        for worker in running:
            if worker.process.poll() is not None:
                raise RuntimeError(f"worker {worker.name} exited with "
                                   f"{worker.process.returncode} before {what}:\n"
                                   f"{worker.tail()}")
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {w.name}\n{w.tail()}" for w in running)
            raise TooBusy(what, limit, logs)
        time.sleep(POLL_SECONDS)


def due_pending(engine: ProcessEngine) -> int:
    """Pending rows due by now (the system clock, as the workers read it)."""
    with engine.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Timer).where(
            Timer.status == PENDING, Timer.next_attempt_at < datetime.now(UTC))) or 0


def pending(engine: ProcessEngine) -> int:
    with engine.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Timer)
                              .where(Timer.status == PENDING)) or 0


def has_swept(engine: ProcessEngine, name: str) -> bool:
    with engine.db.reading() as session:
        return session.get(SchedulerWorker, name) is not None


@dataclass(frozen=True)
class Fired:
    """What the timer table says about the rows of one run."""

    due_at: list[datetime]
    fired_at: list[datetime]
    by_worker: dict[str, int]


def fired_rows(engine: ProcessEngine, expected: int) -> Fired:
    """The fired rows; fail unless each timer fired once and opened its task once."""
    with engine.db.reading() as session:
        rows = session.execute(select(Timer.due_at, Timer.fired_at, Timer.fired_by)
                               .where(Timer.status == FIRED)
                               .order_by(Timer.fired_at)).all()
        events = session.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.event_type == "timer_fired"))
        tasks = session.scalar(select(func.count(HumanTask.instance_id.distinct()))
                               .where(HumanTask.element_id == TASK_ELEMENT))
        task_rows = session.scalar(select(func.count()).select_from(HumanTask)
                                   .where(HumanTask.element_id == TASK_ELEMENT))
    if not len(rows) == events == tasks == task_rows == expected:
        raise RuntimeError(f"expected {expected} timers fired once each: {len(rows)} fired "
                           f"rows, {events} timer_fired events, {task_rows} tasks on "
                           f"{tasks} instances")
    by_worker: dict[str, int] = {}
    for _, _, worker in rows:
        by_worker[worker] = by_worker.get(worker, 0) + 1
    return Fired([r.due_at for r in rows], [r.fired_at for r in rows], by_worker)


# --- figures ----------------------------------------------------------------------------


def lateness(pg_url: str) -> None:
    """One worker, ``LATENESS_TIMERS`` timers due over ``LATENESS_SPREAD`` of real time."""
    with postgresql_url(pg_url) as url, engine_on(url) as engine:
        template = make_template(engine)
        first = datetime.now(UTC) + LATENESS_LEAD
        step = LATENESS_SPREAD / (LATENESS_TIMERS - 1)
        clone(engine, template, [first + n * step for n in range(LATENESS_TIMERS)], "LATE")
        began = time.monotonic()
        with workers(url, ["bench-lateness"]) as running:
            wait_for(lambda: has_swept(engine, "bench-lateness"), running,
                     LATENESS_LEAD * 5, "the worker's first sweep")
            ready = datetime.now(UTC)
            limit = LATENESS_LEAD + LATENESS_SPREAD + DRAIN_LIMIT
            wait_for(lambda: pending(engine) == 0, running, limit,
                     f"{LATENESS_TIMERS} timers to fire")
        elapsed = time.monotonic() - began
        fired = fired_rows(engine, LATENESS_TIMERS)
    late = [(f - d).total_seconds() for d, f in zip(fired.due_at, fired.fired_at, strict=True)]
    print(f"timer lateness, 1 worker, {LATENESS_TIMERS} timers due over "
          f"{LATENESS_SPREAD.total_seconds():.0f} s: median {statistics.median(late):.3f} s, "
          f"p99 {percentile(late, 0.99):.3f} s, max {max(late):.3f} s "
          f"(target p99 < {LATENESS_GOAL:g} s; run took {elapsed:.0f} s)")
    goals.record("timer lateness p99", percentile(late, 0.99), LATENESS_GOAL, at_most=True,
                 unit=" s")
    if ready > first:
        print(f"  note: the worker first swept {(ready - first).total_seconds():.1f} s after "
              "the first timer was due; the earliest timers include its start-up")
    slow = [d for d, lag in zip(fired.due_at, late, strict=True) if lag > 1]
    if slow:
        print(f"  note: {len(slow)} timers fired more than 1 s late; they were due from "
              f"{(min(slow) - first).total_seconds():.1f} s to "
              f"{(max(slow) - first).total_seconds():.1f} s into the run")


def throughput(pg_url: str, count: int) -> None:
    """``count`` workers start together on ``THROUGHPUT_TIMERS`` timers already due."""
    with postgresql_url(pg_url) as url, engine_on(url) as engine:
        template = make_template(engine)
        oldest = datetime.now(UTC) - BACKLOG_AGE
        step = timedelta(milliseconds=1)
        clone(engine, template, [oldest + n * step for n in range(THROUGHPUT_TIMERS)],
              "BACKLOG")
        names = [f"bench-{count}-{letter}" for letter in "abcdefgh"[:count]]
        began = time.monotonic()
        with workers(url, names) as running:
            wait_for(lambda: due_pending(engine) == 0, running, DRAIN_LIMIT,
                     f"{THROUGHPUT_TIMERS} due timers to fire")
            wall = time.monotonic() - began
        fired = fired_rows(engine, THROUGHPUT_TIMERS)
    span = (fired.fired_at[-1] - fired.fired_at[0]).total_seconds()
    shares = ", ".join(f"{fired.by_worker.get(n, 0)}" for n in names)
    label = "1 worker" if count == 1 else f"{count} workers"
    print(f"timer throughput, {label}: {THROUGHPUT_TIMERS / span:.0f} timers/s "
          f"({THROUGHPUT_TIMERS} due timers fired in {span:.1f} s"
          f"{f', split {shares}' if count > 1 else ''}; {wall:.1f} s from starting "
          f"the {label}; target >= {THROUGHPUT_GOAL}/s)")
    if count == 1:
        goals.record("timers fired per second, 1 worker", THROUGHPUT_TIMERS / span,
                     THROUGHPUT_GOAL)


def main(pg_url: str | None) -> None:
    """Print the timer figures, or one line saying why they are skipped."""
    if not pg_url or not pg_url.startswith("postgresql"):
        print("timer figures skipped: they need PostgreSQL; set VARNAPOT_BENCH_DATABASE_URL "
              "or VARNAPOT_TEST_DATABASE_URL to a postgresql+psycopg:// URL")
        _lateness_unmeasured("no PostgreSQL")
        _throughput_unmeasured("no PostgreSQL")
        return
    print(f"timers: bench diagram {PROCESS_KEY}, fired by `varnapot worker` processes "
          "on the system clock")
    figures: list[tuple[str, Callable[[], None], Callable[[str], None] | None]] = [
        ("timer lateness", lambda: lateness(pg_url), _lateness_unmeasured),
        *((f"timer throughput, {count} worker(s)", partial(throughput, pg_url, count),
           _throughput_unmeasured if count == 1 else None) for count in THROUGHPUT_WORKERS)]
    for name, measure, unmeasured in figures:
        try:
            measure()
        except TooBusy as busy:
            print(f"{name}: not measured: {busy.what} took over "
                  f"{busy.limit.total_seconds():.0f} s; the machine is too busy for this "
                  "figure, run `make bench` again when it is quieter", flush=True)
            if unmeasured:
                unmeasured("the machine was too busy")


def _lateness_unmeasured(why: str) -> None:
    goals.not_measured("timer lateness p99", LATENESS_GOAL, why, at_most=True, unit=" s")


def _throughput_unmeasured(why: str) -> None:
    goals.not_measured("timers fired per second, 1 worker", THROUGHPUT_GOAL, why)


if __name__ == "__main__":
    main(postgresql_from_env())
