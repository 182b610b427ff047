"""The lists people work from read live rows only: thousands of closed instances, their
completed tasks and their met or acknowledged deadlines are never read to answer them.

Under a history far larger than the live work, every SELECT the engine sends for the
worklist, the instance list, the deadline tracker and its missed deadlines, the case
list, the dashboard and a completion is run again under ``EXPLAIN ANALYZE``, planned
for its values and planned generically, as a prepared statement may be; the rows
its plan reads from the instance, task and deadline tables (returned, or read and
thrown away by a filter) must stay within the live ones. A plan that scanned the
history, or walked an index through it, would read thousands. PostgreSQL only: its
planner is the one a country's deployment runs on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text

from engine.store.models import HumanTask, LegalDeadline, ProcessInstance
from tests.engine.monitor_steps import tracking_engine

HISTORY = 3_000
"""Closed instances copied in, two years old: each with three completed tasks and a
deadline, met or missed and acknowledged."""
YEARS_OF_REVIEWS = 300
"""Completed tasks of one live instance, as a case reviewed for ten years has."""
PLAN_MODES = ("force_custom_plan", "force_generic_plan")
"""psycopg prepares a statement sent five times; PostgreSQL may then plan it once for
any values, and a partial index is of no use to a plan that cannot see the values."""
TABLES = {"process_instance", "process_instance_live", "process_instance_closed",
          "human_task", "legal_deadline"}
"""The instance table is partitioned on PostgreSQL: a plan names its partitions."""
CLOSED_PARTITION = "process_instance_closed"
LIVE_BOUND = 100
"""More rows than the live ones of the three tables together; far fewer than history."""


@pytest.fixture
def engine(make_engine, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the plans measured are PostgreSQL's")
    engine = tracking_engine(make_engine)
    start = engine.runtime.start
    long_lived = [start("demo", f"SI-LIVE-{n}", {"first_due": "2026-03-20"}) for n in range(5)]
    start("tracked", "SI-LIVE-MISSED", {"legal_date": "2026-02-20"})
    start("tracked", "SI-LIVE-SOON", {"legal_date": "2026-03-20"})
    done = start("demo", "SI-DONE")
    engine.tasks.complete(done.open_tasks[0].id, "ana", {"note": "done"})
    ended = start("tracked", "SI-ENDED", {"legal_date": "2026-03-30"})
    engine.runtime.cancel(ended.id, reason="entered twice")
    with engine.db.transaction() as session:
        copy_history(session, done.id, ended.id, long_lived[0].id)
        session.execute(text("ANALYZE process_instance, human_task, legal_deadline"))
    return engine


def copy_history(session: Any, done: int, ended: int, long_lived: int) -> None:
    """``HISTORY`` copies of the completed instance, moved two years back, with three
    completed tasks each and the cancelled one's deadline: met on half, missed and
    acknowledged on the other half. ``long_lived`` gets ``YEARS_OF_REVIEWS`` completed
    tasks of its own, as a case reviewed for years has."""
    def columns(model: Any, **replaced: str) -> tuple[str, str]:
        names = [c.name for c in model.__table__.columns if c.name != "id"]
        return ", ".join(names), ", ".join(replaced.get(n, f"t.{n}") for n in names)

    into, values = columns(ProcessInstance, case_code="'SI-HIST-' || n",
                           started_at="t.started_at - interval '2 years'",
                           updated_at="t.updated_at - interval '2 years'",
                           ended_at="t.ended_at - interval '2 years'")
    session.execute(text(f"INSERT INTO process_instance ({into}) SELECT {values} "
                         "FROM process_instance t, generate_series(1, :n) n WHERE t.id = :id"),
                    {"n": HISTORY, "id": done})
    into, values = columns(HumanTask, instance_id="p.id", status="'completed'",
                           spiff_task_id="gen_random_uuid()::text")
    session.execute(text(
        f"INSERT INTO human_task ({into}) SELECT {values} FROM process_instance p "
        "CROSS JOIN generate_series(1, 3) k JOIN human_task t ON t.instance_id = :id "
        "WHERE p.case_code LIKE 'SI-HIST-%'"), {"id": done})
    session.execute(text(
        f"INSERT INTO human_task ({into}) SELECT {values.replace('p.id', ':live')} "
        "FROM generate_series(1, :n) k JOIN human_task t ON t.instance_id = :id"),
        {"id": done, "live": long_lived, "n": YEARS_OF_REVIEWS})
    into, values = columns(
        LegalDeadline, instance_id="p.id", case_code="p.case_code",
        status="CASE WHEN p.id % 2 = 0 THEN 'met' ELSE 'missed' END",
        legal_date="t.legal_date - 730", latest_safe_day="t.latest_safe_day - 730",
        acknowledged_at="CASE WHEN p.id % 2 = 0 THEN NULL ELSE p.ended_at END",
        acknowledged_by="CASE WHEN p.id % 2 = 0 THEN NULL ELSE 'legal-adviser' END")
    session.execute(text(
        f"INSERT INTO legal_deadline ({into}) SELECT {values} FROM process_instance p "
        "JOIN legal_deadline t ON t.instance_id = :id WHERE p.case_code LIKE 'SI-HIST-%'"),
        {"id": ended})


@contextmanager
def selects(engine: Any) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT the engine sends in the block, with its parameters."""
    sent: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    event.listen(engine.db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine.db.engine, "before_cursor_execute", note)


def plan_of(engine: Any, statement: str, parameters: Any, mode: str) -> dict[str, Any]:
    """The statement's plan as it ran. ``mode`` is the plan cache mode: a custom plan,
    made for the values given, or the generic plan a statement prepared after a few runs
    gets, made for any values."""
    with engine.db.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(f"SET plan_cache_mode = {mode}")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters)
        result = cursor.fetchone()[0]
        connection.rollback()
    (plan,) = json.loads(result) if isinstance(result, str) else result
    return plan


def relations(node: dict[str, Any]) -> set[str]:
    """The tables a plan visits: not the partitions it pruned, whether before it ran
    (they are not in it) or as it ran (never executed)."""
    if node.get("Actual Loops", 1) == 0:
        return set()
    found = {node["Relation Name"]} if "Relation Name" in node else set()
    for child in node.get("Plans", []):
        found |= relations(child)
    return found


def rows_read(engine: Any, statement: str, parameters: Any, mode: str) -> dict[str, int]:
    """Rows the statement's plan reads from each of ``TABLES``: returned by a scan, or
    read and then thrown away by its filter or recheck, over all its loops."""
    plan = plan_of(engine, statement, parameters, mode)
    found: dict[str, int] = {}

    def walk(node: dict[str, Any]) -> None:
        table = node.get("Relation Name")
        if table in TABLES:
            loops = node.get("Actual Loops", 1)
            read = sum(node.get(k, 0) for k in ("Actual Rows", "Rows Removed by Filter",
                                                 "Rows Removed by Index Recheck"))
            found[table] = found.get(table, 0) + read * loops
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return found


def assert_live_only(engine: Any, sent: list[tuple[str, Any]], *,
                     closed_too: bool = False) -> None:
    """Every statement read no more than the live rows, and, unless ``closed_too`` (a
    list that shows procedures ended lately), not one row of a closed instance."""
    assert sent, "no SELECT was sent"
    for statement, parameters in sent:
        for mode in PLAN_MODES:
            read = rows_read(engine, statement, parameters, mode)
            assert sum(read.values()) <= LIVE_BOUND, (mode, read, statement)
            assert closed_too or not read.get(CLOSED_PARTITION), (mode, read, statement)


def test_the_worklist_and_its_counts_read_no_closed_task(engine):
    with selects(engine) as sent:
        assert len(engine.tasks.tasks(roles=["coordinator"], limit=50)) == 5
        engine.tasks.count(roles=["coordinator"], cap=1000)
    assert_live_only(engine, sent)


def test_the_instance_list_of_running_procedures_reads_no_closed_one(engine):
    with selects(engine) as sent:
        running = engine.runtime.summaries(status="running", limit=50)
        assert {s.case_code for s in running} >= {f"SI-LIVE-{n}" for n in range(5)}
        engine.runtime.count_summaries(status="running", cap=1000)
    assert_live_only(engine, sent)


def test_lists_of_live_procedures_never_visit_the_closed_partition(engine):
    """Closed instances sit in a partition of their own, which a query for live
    statuses prunes from its plan, whether planned for its values or for any."""
    with selects(engine) as sent:
        engine.runtime.summaries(status="running", limit=50)
        engine.runtime.count_summaries(status="running", cap=1000)
        engine.runtime.summaries(status="incident", limit=50)
    with engine.db.engine.connect() as connection:
        closed = connection.scalar(text(f"SELECT count(*) FROM {CLOSED_PARTITION}"))
    assert closed > HISTORY  # the history is there, in its own partition
    for statement, parameters in sent:
        for mode in PLAN_MODES:
            visited = relations(plan_of(engine, statement, parameters, mode)["Plan"])
            assert CLOSED_PARTITION not in visited, (mode, visited, statement)


def test_the_deadline_tracker_and_its_missed_list_read_no_met_or_acknowledged_one(engine):
    with selects(engine) as sent:
        tracked_now = engine.deadlines.tracker()
        engine.deadlines.count_tracker(cap=1000)
        missed = engine.deadlines.tracker(missed=True)
        total = engine.deadlines.count_tracker(missed=True, cap=1000)
    assert {d.case_code for d in missed} == {"SI-LIVE-MISSED"} and total == 1
    assert "SI-LIVE-SOON" in {d.case_code for d in tracked_now}
    assert_live_only(engine, sent)


def test_the_dashboard_and_the_case_list_read_no_old_history(engine):
    with selects(engine) as sent:
        board = engine.runtime.dashboard()
        engine.runtime.trends()
        cases = engine.cases.cases(limit=20)
    assert ("demo", "completed", 1) in [(c.process_key, c.status, c.count)
                                        for c in board.counts]  # the history is two years old
    assert not any(c.code.startswith("SI-HIST-") for c in cases)
    assert_live_only(engine, sent, closed_too=True)


def test_a_completion_reads_its_instances_open_tasks_not_its_history(engine):
    (task,) = engine.tasks.tasks(case_code="SI-LIVE-0")
    with selects(engine) as sent:
        engine.tasks.complete(task.id, "ana", {"note": "seen her"})
    # Planned again once it has run: the instance it completed is closed by then.
    assert_live_only(engine, sent, closed_too=True)
