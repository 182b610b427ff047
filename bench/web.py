"""Web figures: how long the pages and the API take on a database of a busy year.

Run by ``python -m bench`` (``make bench``) after the timer figures, or alone with
``python -m bench.web``; on PostgreSQL only (``VARNAPOT_BENCH_DATABASE_URL`` or
``VARNAPOT_TEST_DATABASE_URL``), in a schema of its own that is dropped afterwards.

The database holds ``INSTANCES`` process instances and ``OPEN_TASKS`` open human tasks,
with their completed tasks, legal deadlines (open, met, missed, cancelled), pending timers
and audit events. A few dozen cases are walked through the engine first (:data:`STORIES`:
every procedure, the top-level one at each of its stages, a child, a refusal, a
cancelled and a suspended case), on the manual clock from 2 March 2026. Their rows are
then copied in bulk, each copy moved back or forth in time by up to months, so that due
dates and legal dates run from long overdue to months ahead; the copies share their
template's workflow state (they are read, never advanced). The real cases have one to
three open tasks each; the copies get more from their procedure's own user tasks (lane,
title, form and documentation from the deployed diagrams) until the open tasks number
``OPEN_TASKS``. Then VACUUM ANALYZE, which gives the planner and the visibility map what
autovacuum would have given them by the time so many rows had been written one by one.

Every figure is measured through the WSGI application (``web.create_app`` around the
same engine, Flask's test client, no network), signed in as a browser does it through
``/login``, or with a bearer token for the API. Each route is asked ``WARMUP`` times, then
``REQUESTS`` times, round-robin over the routes so that a busy moment of the shared
machine hits them alike; p50 and p95 (nearest rank) of the time to the full response are
reported with the SQL statements one request sends. The target is p95 < 100 ms. A route
that answers 404 is reported as not built yet. The case page and a task page are asked of
a walked case, whose state and sealed data are real.

This is the one engine module that drives the web application: it imports ``web`` only
when it runs, so the engine itself still imports no Flask.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import re
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection

from engine import ProcessEngine
from engine.bpmn.diagrams import HumanTask as HumanTaskSpec
from engine.services.cases import case_cursor
from engine.services.summaries import summary_cursor
from engine.services.tasks import task_cursor
from engine.store.models import (
    Base,
    HumanTask,
    LegalDeadline,
    ProcessDefinition,
    ProcessInstance,
    Timer,
)
from engine.store.timer_states import PENDING
from forms.examples import (
    CHILD,
    FORMAL,
    PLAN,
    PLAN_CONSENT,
    PLAN_REVIEW,
    PRELIMINARY,
    REFERRAL_CONSENT,
)
from web.pages.monitor import PAGE_SIZE as INSTANCE_PAGE
from web.pages.worklist import PAGE_SIZE as WORKLIST_PAGE

from . import goals
from .common import engine_on, percentile, postgresql_from_env, postgresql_url

INSTANCES = 10_000
OPEN_TASKS = 50_000
WORKLIST_TASKS = 10_000
"""About how many open tasks the roles of the worklist user cover."""
CLAIMED_BY_HER = 120
"""Open tasks of her roles she has claimed (``?assignee=me``)."""
CLAIMED_SHARE = 0.15
"""Of the other open tasks, the share claimed by a colleague."""
UNDATED_SHARE = 0.2
"""Open tasks with no due date."""
DUE_RANGE = (-45, 150)
"""Due dates of open tasks: days from today, overdue to months ahead."""
SHIFT_RANGE = (-200, 60)
"""A copy starts this many days before or after its template: its legal dates move too."""
HISTORY_RANGE = (365, 3650)
"""How many days back a copy of an ended case is moved (``history``)."""
WARMUP = 20
REQUESTS = 200
TARGET_MS = 100.0
RANDOM_SEED = 20260302
PASSWORD = "timed requests, long enough"
TIMEZONE_HOUR = 9
"""Steps are done at 09:00 UTC: the same local day in Ljubljana all year."""

FIRST_DAY = "2026-03-02"
TODAY = "2026-04-20"
"""The manual clock when the pages are measured: after the last step of every story."""

# --- the cases walked through the engine ---------------------------------------------
# Julija's forms are the worked example of ``forms.examples``; what only the benchmark
# walks is here.

NOT_VICTIM = {**FORMAL, "indicators_confirmed": [], "exploitation_forms": [],
              "identification_outcome": "not_victim",
              "identification_reasoning": "A labour dispute; no indicator is confirmed."}
GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-02",
         "victim_category": "trafficking", "informed_of_permit": True,
         "interpreter_provided": True}
COOPERATES = {"decision": "cooperate", "decision_date": "2026-04-15"}
CONFIRMED = {"cooperation_confirmed": True,
             "cooperation_basis": "witness_in_criminal_proceedings",
             "cooperation_confirmed_on": "2026-04-15"}
RETURN_CONSENT = {"return_consent": "given", "consent_date": "2026-03-02",
                  "consent_purpose": "Assisted voluntary return with a hand-over to a "
                                     "partner.",
                  "interpreter_needed": True, "interpreter_used": True,
                  "interpreter_language": "Ukrainian", "informed_of_process": True,
                  "informed_of_right_to_withdraw": True, "data_sharing_consent": True}
PRESENTED = {"presented_on": "2026-03-02", "interpreter_needed": True,
             "interpreter_used": True, "interpreter_language": "Ukrainian",
             "help_explained": ["counselling", "individual_plan", "education", "employment"],
             "conditions_explained": True, "decision_expected_by": "2026-03-09"}
SCHOOLING = {"schooling_consent": "given", "schooling_consent_date": "2026-03-02",
             "schooling_interpreter_used": True, "recovery_progress_seen": True}

Step = tuple[str, str, dict[str, Any]]
"""(day, element id, form data): done on that day, at ``TIMEZONE_HOUR`` UTC."""

FOUND: list[Step] = [(FIRST_DAY, "record_preliminary", PRELIMINARY)]
REFERRED: list[Step] = [*FOUND, (FIRST_DAY, "ask_referral_consent", REFERRAL_CONSENT)]
IDENTIFIED: list[Step] = [*REFERRED, (FIRST_DAY, "formal_identification", FORMAL)]
STAYING: list[Step] = [*IDENTIFIED, (FIRST_DAY, "grant_permitted_stay", GRANT)]
PLANNED: list[Step] = [*STAYING, (FIRST_DAY, "ask_plan_consent", PLAN_CONSENT),
                       ("2026-04-01", "draw_up_plan", PLAN)]
REVIEWED: list[Step] = [*PLANNED, ("2026-04-09", "review_plan", PLAN_REVIEW)]
COOPERATING: list[Step] = [*REVIEWED, ("2026-04-15", "record_decision", COOPERATES),
                           ("2026-04-15", "confirm_cooperation", CONFIRMED)]


@dataclass(frozen=True)
class Story:
    """A case walked through the engine; ``weight``: its share of the copies."""

    process_key: str
    weight: int
    steps: Sequence[Step] = ()
    data: dict[str, Any] | None = None
    then: str | None = None
    """``cancel`` or ``suspend`` after the last step."""


STORIES = (
    Story("victim_protection", 6),
    Story("victim_protection", 5, FOUND),
    Story("victim_protection", 5, REFERRED),
    Story("victim_protection", 9, IDENTIFIED),
    Story("victim_protection", 10, STAYING),
    Story("victim_protection", 6, [*STAYING, (FIRST_DAY, "ask_plan_consent", PLAN_CONSENT)]),
    Story("victim_protection", 10, PLANNED),
    Story("victim_protection", 8, REVIEWED),
    Story("victim_protection", 10, COOPERATING),
    Story("victim_protection", 4, [(FIRST_DAY, "record_preliminary", CHILD)]),
    Story("victim_protection", 4, [*REFERRED, (FIRST_DAY, "formal_identification",
                                               NOT_VICTIM)]),
    Story("victim_protection", 2, IDENTIFIED, then="cancel"),
    Story("victim_protection", 1, STAYING, then="suspend"),
    Story("identification", 3, IDENTIFIED[:3]),
    Story("identification", 2),
    Story("reflection_period", 2, [(FIRST_DAY, "grant_permitted_stay", GRANT)]),
    Story("protection_plan", 2, [(FIRST_DAY, "ask_plan_consent", PLAN_CONSENT)]),
    Story("residence_permit_art50", 3, data={"reflection_end": "2026-05-30",
                                             "victim_category": "trafficking",
                                             "cooperation_decided_on": "2026-03-02"}),
    Story("school_enrolment", 3, [(FIRST_DAY, "agree_schooling", SCHOOLING)],
          data={"permit_valid_until": "2026-12-26"}),
    Story("voluntary_return", 3, [(FIRST_DAY, "give_consent", RETURN_CONSENT)]),
    Story("reintegration_programme", 3, [(FIRST_DAY, "present_programme", PRESENTED)]),
)

WORKER, COORDINATOR, LAWYER = "bench-worker", "bench-coordinator", "bench-lawyer"
COLLEAGUES = ("ana", "bojan", "cvetka", "dusan", "eva", "franc", "greta", "hana")


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=TIMEZONE_HOUR, tzinfo=UTC)


def walk(engine: ProcessEngine) -> list[tuple[int, int]]:
    """Walk every story through the engine; ``(instance id, weight)`` of each."""
    clock = engine.clock
    clock.set(at(FIRST_DAY))  # type: ignore[attr-defined]
    started = [engine.runtime.start(story.process_key, f"SI-BENCH-{number:03d}", story.data,
                                    actor=COORDINATOR).id
               for number, story in enumerate(STORIES)]
    for day in sorted({step[0] for story in STORIES for step in story.steps}):
        if at(day) > engine.clock.now():
            engine.set_clock(at(day))
        for story, instance_id in zip(STORIES, started, strict=True):
            for step_day, element_id, data in story.steps:
                if step_day == day:
                    complete(engine, instance_id, element_id, data)
    for story, instance_id in zip(STORIES, started, strict=True):
        if story.then == "cancel":
            engine.runtime.cancel(instance_id, actor=COORDINATOR, reason="She left the country.")
        elif story.then == "suspend":
            engine.runtime.suspend(instance_id, actor=COORDINATOR)
    engine.set_clock(at(TODAY))
    return [(instance_id, story.weight) for story, instance_id in zip(STORIES, started,
                                                                      strict=True)]


def complete(engine: ProcessEngine, instance_id: int, element_id: str,
             data: dict[str, Any]) -> None:
    for task in engine.tasks.tasks(instance_id=instance_id):
        if task.element_id == element_id:
            engine.tasks.complete(task.id, task.assignee or COORDINATOR, data)
            return
    open_now = [t.element_id for t in engine.tasks.tasks(instance_id=instance_id)]
    raise RuntimeError(f"instance {instance_id}: {element_id} is not open; open: {open_now}")


# --- copies in bulk ------------------------------------------------------------------


@dataclass(frozen=True)
class TaskKind:
    """A user task of a deployed diagram, as its task rows show it."""

    element_id: str
    title: str
    role: str
    form_key: str
    documentation: str | None


@dataclass
class Copy:
    """A copied instance: its template, and how far it is moved in time."""

    id: int
    template: int
    shift: timedelta
    case_code: str
    status: str


@dataclass
class Seeded:
    """What was written, for the summary line."""

    seconds: float = 0.0
    walked: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    worker_roles: list[str] = field(default_factory=list)
    worker_tasks: int = 0


TASK_COLUMNS = ("id", "instance_id", "spiff_task_id", "element_id", "title", "role",
                "form_key", "documentation", "due_date", "assignee", "status", "created_at",
                "claimed_at", "ended_at", "completed_by")
DEADLINE_COLUMNS = ("id", "instance_id", "case_code", "kind", "ref", "title", "owner_role",
                    "jurisdiction", "legal_date", "latest_safe_day", "status", "met_on",
                    "met_by_element", "opened_by_element", "cancel_reason", "created_at",
                    "updated_at", "acknowledged_at", "acknowledged_by")
TIMER_COLUMNS = ("instance_id", "kind", "spiff_task_id", "element_id", "deadline_id",
                 "offset_days", "due_at", "next_attempt_at", "status", "attempts",
                 "created_at")


def task_kinds(engine: ProcessEngine) -> dict[str, list[TaskKind]]:
    """Per process key, the user tasks of its diagram and of every diagram it calls."""
    kinds: dict[str, list[TaskKind]] = {}
    definitions = engine.repository.deployed
    with engine.db.reading() as session:
        for definition in session.scalars(select(ProcessDefinition)):
            bindings = definitions.bind_calls(session, definition) or None
            spec, subprocess_specs = definitions.specs(session, definition, bindings)
            found = {}
            for process in (spec, *subprocess_specs.values()):
                for task_spec in process.task_specs.values():
                    if isinstance(task_spec, HumanTaskSpec) and task_spec.lane:
                        found[task_spec.bpmn_id] = TaskKind(
                            task_spec.bpmn_id, task_spec.bpmn_name or task_spec.bpmn_id,
                            task_spec.lane, task_spec.form_key, task_spec.documentation)
            kinds[definition.key] = sorted(found.values(), key=lambda k: k.element_id)
    return kinds


def seed(engine: ProcessEngine, *, instances: int = INSTANCES, open_tasks: int = OPEN_TASKS,
         history: int = 0) -> Seeded:
    """Walk the stories, copy them to ``instances`` instances, and analyze. ``history``
    more are years-old copies of the stories that ended (``python -m bench.scale``)."""
    began = time.perf_counter()
    seeded = Seeded()
    templates = walk(engine)
    seeded.walked = time.perf_counter() - began
    rng = random.Random(RANDOM_SEED)
    today = engine.ctx.today()
    kinds = task_kinds(engine)
    progress(f"{len(STORIES)} cases walked through the engine", began)
    with engine.db.engine.begin() as connection:
        copies = copy_instances(connection, rng, templates, instances, history)
        progress("instances copied", began)
        copy_tasks(connection, rng, copies, kinds, today, open_tasks)
        progress("tasks copied", began)
        copy_deadlines_and_timers(connection, rng, copies, today,
                                  engine.jurisdiction.latest_safe_day)
        progress("deadlines and timers copied", began)
        copy_audit_events(connection)
        progress("audit events copied", began)
        for table in ("process_instance", "human_task", "legal_deadline", "timer",
                      "audit_event"):
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"))
    seeded.worker_roles, seeded.worker_tasks = add_users(engine)
    with engine.db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        # The engine's own tables only: the database may hold other schemas.
        connection.execute(text("VACUUM ANALYZE " + ", ".join(
            table.name for table in Base.metadata.sorted_tables)))
        for table in ("process_instance", "human_task", "legal_deadline", "timer",
                      "audit_event"):
            seeded.counts[table] = connection.scalar(text(f"SELECT count(*) FROM {table}"))
        seeded.counts["open tasks"] = connection.scalar(text(
            "SELECT count(*) FROM human_task WHERE status = 'open'"))
    seeded.seconds = time.perf_counter() - began
    progress("users added, VACUUM ANALYZE done", began)
    return seeded


def progress(what: str, began: float) -> None:
    print(f"  seeding: {what} at {time.perf_counter() - began:.1f} s", file=sys.stderr)


def copy_instances(connection: Connection, rng: random.Random,
                   templates: list[tuple[int, int]], instances: int = INSTANCES,
                   history: int = 0) -> list[Copy]:
    """Copies of the template instance rows, up to ``instances`` instances in all, then
    ``history`` copies of the ended ones (completed or cancelled), moved one to ten years
    back: the cases of the years before, which the lists of today must not pay for.

    A copy keeps its template's sealed state, which opens for the template's case only:
    the pages measured here list projections and never open a state.
    """
    statuses = dict(connection.execute(select(ProcessInstance.id, ProcessInstance.status)
                                       .where(ProcessInstance.id.in_([t for t, _ in
                                                                      templates]))).all())
    base = connection.scalar(text("SELECT max(id) FROM process_instance")) + 1
    existing = connection.scalar(text("SELECT count(*) FROM process_instance"))
    ids, weights = zip(*templates, strict=True)
    copies = []
    chosen = [(t, timedelta(days=rng.randint(*SHIFT_RANGE)))
              for t in rng.choices(ids, weights, k=instances - existing)]
    ended = [t for t in ids if statuses[t] in ("completed", "cancelled")]
    if history and not ended:
        raise RuntimeError("no story ends: there is nothing to copy as history")
    chosen += [(rng.choice(ended), timedelta(days=-rng.randint(*HISTORY_RANGE)))
               for _ in range(history)]
    for number, (template, shift) in enumerate(chosen):
        code = f"SI-{number:07d}-{rng.randrange(16 ** 4):04X}"
        copies.append(Copy(base + number, template, shift, code, statuses[template]))
    connection.execute(text(
        "CREATE TEMPORARY TABLE bench_copy (id integer PRIMARY KEY, template integer, "
        "shift interval, case_code text) ON COMMIT DROP"))
    copy_rows(connection, "bench_copy", ("id", "template", "shift", "case_code"),
              [(c.id, c.template, c.shift, c.case_code) for c in copies])
    connection.execute(text("ANALYZE bench_copy"))
    columns = [c.name for c in ProcessInstance.__table__.columns if c.name != "id"]
    moved = {"started_at", "updated_at", "ended_at"}
    values = ", ".join("c.case_code" if name == "case_code" else
                       f"t.{name} + c.shift" if name in moved else f"t.{name}"
                       for name in columns)
    connection.execute(text(
        f"INSERT INTO process_instance (id, {', '.join(columns)}) "
        f"SELECT c.id, {values} FROM bench_copy c JOIN process_instance t ON t.id = c.template"))
    connection.execute(text(  # each copy is a case of its own, sealed as its template's
        "INSERT INTO case_record (code, sealed_key, legal_hold, created_at) "
        "SELECT c.case_code, r.sealed_key, false, t.started_at + c.shift FROM bench_copy c "
        "JOIN process_instance t ON t.id = c.template JOIN case_record r ON r.code = t.case_code"))
    return copies


def copy_rows(connection: Connection, table: str, columns: Sequence[str],
              rows: Sequence[Sequence[Any]]) -> None:
    """COPY ``rows`` into ``table``: many times faster than INSERT for this many."""
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def copy_tasks(connection: Connection, rng: random.Random, copies: list[Copy],
               kinds: dict[str, list[TaskKind]], today: date,
               open_tasks: int = OPEN_TASKS) -> None:
    """Each copy's task rows as its template's, then more open ones up to ``open_tasks``."""
    table = HumanTask.__table__
    templates = {c.template for c in copies}
    by_template: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in connection.execute(select(table).where(table.c.instance_id.in_(templates))
                                  .order_by(table.c.id)).mappings():
        by_template[row["instance_id"]].append(dict(row))
    process_of = dict(connection.execute(select(ProcessInstance.id,
                                                ProcessInstance.process_key)).all())
    open_now = connection.scalar(text("SELECT count(*) FROM human_task WHERE status = 'open'"))
    next_id = itertools.count(connection.scalar(text("SELECT max(id) FROM human_task")) + 1)
    rows: list[tuple[Any, ...]] = []
    mapping: list[tuple[int, int, int]] = []
    open_count = open_now
    has_open: dict[int, set[str]] = defaultdict(set)

    def due() -> date | None:
        if rng.random() < UNDATED_SHARE:
            return None
        return today + timedelta(days=rng.randint(*DUE_RANGE))

    def claimed(created: datetime) -> tuple[str | None, datetime | None]:
        if rng.random() < CLAIMED_SHARE:
            return rng.choice(COLLEAGUES), created + timedelta(hours=rng.randint(1, 48))
        return None, None

    for copy in copies:
        for task in by_template[copy.template]:
            task_id = next(next_id)
            mapping.append((copy.id, task["id"], task_id))
            created = task["created_at"] + copy.shift
            if task["status"] == "open":
                open_count += 1
                has_open[copy.id].add(task["element_id"])
                assignee, claimed_at = claimed(created)
                rows.append((task_id, copy.id, str(uuid.uuid4()), task["element_id"],
                             task["title"], task["role"], task["form_key"],
                             task["documentation"], due(), assignee, "open", created,
                             claimed_at, None, None))
            else:
                ended = task["ended_at"] + copy.shift if task["ended_at"] else None
                rows.append((task_id, copy.id, str(uuid.uuid4()), task["element_id"],
                             task["title"], task["role"], task["form_key"],
                             task["documentation"], task["due_date"], task["assignee"],
                             task["status"], created,
                             task["claimed_at"] + copy.shift if task["claimed_at"] else None,
                             ended, task["completed_by"]))
    active = [c for c in copies if c.status in ("running", "suspended")]
    while open_count < open_tasks:
        if not active:
            raise RuntimeError(f"the copies have room for {open_count} open tasks only")
        copy = rng.choice(active)
        choices = [k for k in kinds[process_of[copy.template]]
                   if k.element_id not in has_open[copy.id]]
        if not choices:
            active.remove(copy)
            continue
        kind = rng.choice(choices)
        has_open[copy.id].add(kind.element_id)
        created = datetime.combine(today, datetime.min.time(), UTC) + copy.shift
        assignee, claimed_at = claimed(created)
        rows.append((next(next_id), copy.id, str(uuid.uuid4()), kind.element_id, kind.title,
                     kind.role, kind.form_key, kind.documentation, due(), assignee, "open",
                     created, claimed_at, None, None))
        open_count += 1
    copy_rows(connection, "human_task", TASK_COLUMNS, rows)
    connection.execute(text(
        "CREATE TEMPORARY TABLE bench_task (copy integer, template_task integer, "
        "task integer, PRIMARY KEY (copy, template_task)) ON COMMIT DROP"))
    copy_rows(connection, "bench_task", ("copy", "template_task", "task"), mapping)
    connection.execute(text("ANALYZE bench_task"))


def copy_deadlines_and_timers(connection: Connection, rng: random.Random,
                              copies: list[Copy], today: date,
                              safe_day: Callable[[date], date]) -> None:
    """Each copy's legal deadlines, moved with it (the latest safe day is the working day
    of the moved legal date), some met, missed or cancelled; and its pending timers (BPMN
    timers, reminders and escalations) moved with it."""
    deadlines, timers = LegalDeadline.__table__, Timer.__table__
    templates = {c.template for c in copies}
    by_template: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in connection.execute(select(deadlines)
                                  .where(deadlines.c.instance_id.in_(templates))
                                  .order_by(deadlines.c.id)).mappings():
        by_template[row["instance_id"]].append(dict(row))
    timers_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in connection.execute(select(timers).where(timers.c.instance_id.in_(templates),
                                                       timers.c.status == PENDING)
                                  .order_by(timers.c.id)).mappings():
        timers_of[row["instance_id"]].append(dict(row))
    next_id = itertools.count(connection.scalar(text(
        "SELECT coalesce(max(id), 0) FROM legal_deadline")) + 1)
    deadline_rows, timer_rows = [], []
    for copy in copies:
        new_ids: dict[int, int] = {}
        ended: set[int] = set()
        for row in by_template[copy.template]:
            new_ids[row["id"]] = deadline_id = next(next_id)
            legal = row["legal_date"] + copy.shift
            safe = safe_day(legal)
            status, met_on, met_by = row["status"], row["met_on"], row["met_by_element"]
            cancel_reason = row["cancel_reason"]
            if met_on is not None:
                met_on += copy.shift
            if status == "open":
                chance = rng.random()
                if legal < today and chance < 0.6 or chance < 0.15:
                    met_on = min(today, legal - timedelta(days=rng.randint(0, 20)))
                    if legal < today and rng.random() < 0.15:
                        met_on = legal + timedelta(days=rng.randint(1, 10))
                    status = "met" if met_on <= legal else "missed"
                    met_by = row["opened_by_element"]
                elif chance > 0.97:
                    status, cancel_reason = "cancelled", "She left the procedure."
            if status != "open":
                ended.add(row["id"])
            updated = row["updated_at"] + copy.shift
            # Years old: a missed one was acknowledged long ago, as the list asks.
            noted = (updated, LAWYER) if copy.shift.days < SHIFT_RANGE[0] and (
                status == "missed" or status == "open" and legal < today) else (None, None)
            deadline_rows.append((
                deadline_id, copy.id, copy.case_code, row["kind"], row["ref"], row["title"],
                row["owner_role"], row["jurisdiction"], legal, safe, status, met_on, met_by,
                row["opened_by_element"], cancel_reason, row["created_at"] + copy.shift,
                updated, *noted))
        for timer in timers_of[copy.template]:
            if timer["deadline_id"] in ended:
                continue
            timer_rows.append((
                copy.id, timer["kind"],
                str(uuid.uuid4()) if timer["spiff_task_id"] else None, timer["element_id"],
                new_ids.get(timer["deadline_id"]), timer["offset_days"],
                timer["due_at"] + copy.shift, timer["next_attempt_at"] + copy.shift,
                PENDING, 0, timer["created_at"] + copy.shift if timer["created_at"] else None))
    copy_rows(connection, "legal_deadline", DEADLINE_COLUMNS, deadline_rows)
    copy_rows(connection, "timer", TIMER_COLUMNS, timer_rows)


def copy_audit_events(connection: Connection) -> None:
    """Each copy's audit trail as its template's, moved in time, naming its own tasks."""
    connection.execute(text(
        "INSERT INTO audit_event (at, actor, event_type, instance_id, task_id, element_id, "
        "data_keys, detail) "
        "SELECT e.at + c.shift, e.actor, e.event_type, c.id, m.task, e.element_id, "
        "e.data_keys, e.detail FROM bench_copy c "
        "JOIN audit_event e ON e.instance_id = c.template "
        "LEFT JOIN bench_task m ON m.copy = c.id AND m.template_task = e.task_id "
        "ORDER BY c.id, e.id"))


def add_users(engine: ProcessEngine) -> tuple[list[str], int]:
    """The worklist user (roles that cover about ``WORKLIST_TASKS`` open tasks, some of
    them claimed by her), a coordinator and a legal adviser; all with passwords."""
    with engine.db.engine.begin() as connection:
        per_role = Counter(dict(connection.execute(text(
            "SELECT role, count(*) FROM human_task WHERE status = 'open' GROUP BY role")
        ).all()))
        subsets = (combo for size in (1, 2, 3) for combo in
                   itertools.combinations(sorted(per_role), size))
        roles = min(subsets, key=lambda combo: (abs(sum(per_role[r] for r in combo)
                                                    - WORKLIST_TASKS), len(combo)))
        connection.execute(text(
            "UPDATE human_task SET assignee = :user, claimed_at = created_at "
            "WHERE id IN (SELECT id FROM human_task WHERE status = 'open' "
            "AND role = ANY(:roles) AND assignee IS NULL ORDER BY md5(id::text) LIMIT :n)"),
            {"user": WORKER, "roles": list(roles), "n": CLAIMED_BY_HER})
    for username, user_roles in ((WORKER, list(roles)), (COORDINATOR, ["coordinator"]),
                                 (LAWYER, ["legal_adviser"])):
        engine.users.add(username, user_roles, by=COORDINATOR)
        engine.credentials.set_password(username, PASSWORD, by=COORDINATOR)
    return list(roles), sum(per_role[r] for r in roles)


# --- requests through the WSGI application -------------------------------------------


@dataclass
class Route:
    label: str
    path: str
    user: str
    bearer: bool = False
    times: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    database: list[float] = field(default_factory=list)
    """Seconds of each request spent waiting for SQL statements."""
    outcome: str = ""
    """Empty while it answers 200; else why it is not measured."""


def routes(engine: ProcessEngine) -> list[Route]:
    """The lists people work from, at their first page and far down them: the 20th page
    of her worklist, the 3rd of running instances and the 3rd of cases, reached as a
    reader reaches them, by the cursor of the page before."""
    roles = engine.users.get(WORKER).roles
    deep = engine.tasks.tasks(roles=roles, limit=1, offset=19 * WORKLIST_PAGE - 1)
    worklist_20 = f"/worklist?after={task_cursor(deep[0])}" if deep else "/worklist"
    running = engine.runtime.summaries(status="running", limit=1,
                                       offset=2 * INSTANCE_PAGE - 1)
    running_3 = "/monitor/instances?status=running" + (
        f"&after={summary_cursor(running[0])}" if running else "")
    active = engine.cases.cases(limit=1, offset=2 * INSTANCE_PAGE - 1)
    cases_3 = "/cases" + (f"?after={case_cursor(active[0])}" if active else "")
    return [
        Route("worklist page", "/worklist", WORKER),
        Route("worklist page 20", worklist_20, WORKER),
        Route("task list API", "/api/tasks/", WORKER, bearer=True),
        Route("task list API, mine", "/api/tasks/?assignee=me", WORKER, bearer=True),
        Route("instance list", "/monitor/instances", COORDINATOR),
        Route("instance list, filtered", running_3, COORDINATOR),
        Route("deadline tracker", "/deadlines", LAWYER),
        Route("deadline tracker, missed", "/deadlines?missed=1", LAWYER),
        Route("case list", "/cases", COORDINATOR),
        Route("case list page 3", cases_3, COORDINATOR),
    ]


def case_routes(engine: ProcessEngine) -> list[Route]:
    """Her case page and a coordinator's task page, of a case walked through the engine:
    the pages a caseworker opens most, each reading one case among all the others."""
    with engine.db.reading() as session:
        found = session.execute(
            select(HumanTask.id, ProcessInstance.case_code)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(HumanTask.status == "open", HumanTask.role == "coordinator",
                   ProcessInstance.case_code.like("SI-BENCH-%"))
            .order_by(HumanTask.id).limit(1)).first()
    if found is None:
        return []
    task_id, code = found
    return [Route("case page", f"/cases/{code}", COORDINATOR),
            Route("task page", f"/tasks/{task_id}", COORDINATOR)]


@dataclass
class Statements:
    """The SQL statements sent so far and the seconds spent waiting for them."""

    count: int = 0
    seconds: float = 0.0
    _began: float = 0.0

    def before(self, *_: Any) -> None:
        self.count += 1
        self._began = time.perf_counter()

    def after(self, *_: Any) -> None:
        self.seconds += time.perf_counter() - self._began


@contextlib.contextmanager
def watching(engine: ProcessEngine) -> Iterator[Statements]:
    """Count the SQL statements sent while the block runs, and time them."""
    statements = Statements()
    event.listen(engine.db.engine, "before_cursor_execute", statements.before)
    event.listen(engine.db.engine, "after_cursor_execute", statements.after)
    try:
        yield statements
    finally:
        event.remove(engine.db.engine, "before_cursor_execute", statements.before)
        event.remove(engine.db.engine, "after_cursor_execute", statements.after)


def measure(engine: ProcessEngine, measured: list[Route]) -> None:
    from web import create_app  # the engine imports no Flask; only this bench does

    app = create_app(engine=engine, SECRET_KEY="bench")
    clients: dict[tuple[str, bool], Any] = {}
    headers: dict[tuple[str, bool], dict[str, str]] = {}
    for route in measured:
        key = (route.user, route.bearer)
        if key in clients:
            continue
        if route.bearer:  # no session cookie: the API finds her by her token alone
            clients[key] = app.test_client()
            token = engine.credentials.create_token(route.user, "bench", by=route.user)
            headers[key] = {"Authorization": f"Bearer {token.token}"}
        else:
            clients[key] = signed_in(app, route.user)
    for route in measured:
        client, extra = clients[route.user, route.bearer], headers.get((route.user,
                                                                        route.bearer))
        response = client.get(route.path, headers=extra)
        if response.status_code in (301, 308):  # /deadlines -> /deadlines/: ask there
            route.path = urlsplit(response.location)._replace(scheme="", netloc="").geturl()
            response = client.get(route.path, headers=extra)
        if response.status_code == 404:
            route.outcome = "not built yet"
        elif response.status_code != 200:
            route.outcome = f"HTTP {response.status_code}"
    live = [r for r in measured if not r.outcome]
    with watching(engine) as statements:
        for round_number in range(WARMUP + REQUESTS):
            for route in (r for r in live if not r.outcome):
                client = clients[route.user, route.bearer]
                extra = headers.get((route.user, route.bearer))
                count, waited = statements.count, statements.seconds
                began = time.perf_counter()
                response = client.get(route.path, headers=extra)
                response.get_data()
                elapsed = time.perf_counter() - began
                if response.status_code != 200:
                    route.outcome = f"HTTP {response.status_code} after {round_number} times"
                    continue
                if round_number >= WARMUP:
                    route.times.append(elapsed)
                    route.queries.append(statements.count - count)
                    route.database.append(statements.seconds - waited)


def signed_in(app: Any, username: str) -> Any:
    """A test client signed in through the login form, as a browser does it."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]*)"', page)
    if not found:
        raise RuntimeError("the sign-in page has no CSRF token")
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": found.group(1)})
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not sign in: HTTP {response.status_code}")
    return client


def report(seeded: Seeded, measured: list[Route]) -> None:
    counts = seeded.counts
    print(f"web: {counts['process_instance']:,} instances, {counts['open tasks']:,} open "
          f"tasks ({counts['human_task']:,} task rows), {counts['legal_deadline']:,} "
          f"deadlines, {counts['timer']:,} timers, {counts['audit_event']:,} audit events; "
          f"seeded in {seeded.seconds:.1f} s ({len(STORIES)} cases walked through the "
          f"engine in {seeded.walked:.1f} s, the rest copied)")
    print(f"  worklist user: roles {', '.join(seeded.worker_roles)} "
          f"({seeded.worker_tasks:,} open tasks); {REQUESTS} requests per route after "
          f"{WARMUP} warm-up, round-robin")
    width = max(len(f"GET {r.path}") for r in measured) + 2
    print(f"  {'route':<{width}}{'p50 ms':>8}{'p95 ms':>8}{'SQL':>5}{'in SQL':>8}  "
          f"target p95 < {TARGET_MS:.0f} ms")
    for route in measured:
        name = f"GET {route.path}"
        if route.outcome:
            print(f"  {name:<{width}}{'-':>8}{'-':>8}{'-':>5}{'-':>8}  {route.outcome}")
            continue
        p50 = 1000 * statistics.median(route.times)
        p95 = 1000 * percentile(route.times, 0.95)
        verdict = "ok" if p95 < TARGET_MS else "MISSED"
        print(f"  {name:<{width}}{p50:>8.1f}{p95:>8.1f}{statistics.median(route.queries):>5.0f}"
              f"{1000 * statistics.median(route.database):>8.1f}  {verdict}")
    timed = [r for r in measured if not r.outcome]
    if len(timed) == len(measured):
        slowest = max(timed, key=lambda r: percentile(r.times, 0.95))
        goals.record(f"p95 of the slowest page ({slowest.label})",
                     1000 * percentile(slowest.times, 0.95), TARGET_MS, at_most=True,
                     unit=" ms")
    else:
        goals.not_measured("p95 of the slowest page", TARGET_MS, "a page did not answer 200",
                           at_most=True, unit=" ms")
    print("  SQL: statements per request; in SQL: median ms of a request spent waiting for "
          "them (the rest is Python: routing, sign-in, views, templates)")
    print("  note: the machine is shared and noisy; a p95 near the target can swing either "
          "way between runs")


def main(pg_url: str | None) -> None:
    """Print the web figures, or one line saying why they are skipped."""
    if not pg_url or not pg_url.startswith("postgresql"):
        print("web figures skipped: they need PostgreSQL; set VARNAPOT_BENCH_DATABASE_URL "
              "or VARNAPOT_TEST_DATABASE_URL to a postgresql+psycopg:// URL")
        goals.not_measured("p95 of the slowest page", TARGET_MS, "no PostgreSQL",
                           at_most=True, unit=" ms")
        return
    with postgresql_url(pg_url) as url, engine_on(url) as engine:
        seeded = seed(engine)
        measured = routes(engine) + case_routes(engine)
        measure(engine, measured)
    report(seeded, measured)


if __name__ == "__main__":
    main(postgresql_from_env())
