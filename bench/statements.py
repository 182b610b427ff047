"""SQL statements per unit of work: what one completion and one timer firing cost the
database, counted on the engine's own connection pool.

Time figures move with the machine's load; statement counts do not, so they show whether
a change made a hot path read or write more. ``make bench`` prints them for SQLite, and
for PostgreSQL when its URL is set:

``statements per completion``
    ``engine.tasks.complete`` of a reflection-period task; the median over
    ``COMPLETIONS`` completions of the loop the completion figures use.
``statements per completion from the task page``
    the same completions posted to ``/tasks/<id>`` as a browser sends the form, signing
    in and the redirect that follows not counted: what the page adds to the engine.
``statements per timer firing``
    ``engine.timers.fire_due`` of the timer benchmark's diagram: one instance alone, and
    ``BATCH`` instances due together (the batch shares its claim and its commit).
"""

from __future__ import annotations

import contextlib
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from engine import ProcessEngine
from engine.kit.roles import ROLES

from . import goals
from .common import USER, engine_on
from .completions import PersistedRunner, loop_step
from .timers import DIAGRAM, PROCESS_KEY

COMPLETIONS = 20
BATCH = 20
PAGE_USER = "bench-page"
API_USER = "bench-api"
PASSWORD = "counted requests, long enough"


@contextlib.contextmanager
def counted(engine: ProcessEngine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs."""
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine.db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine.db.engine, "before_cursor_execute", note)


def per_completion(engine: ProcessEngine) -> float:
    """The median number of statements of one completion."""
    runner = PersistedRunner(engine)
    case = runner.open_case()
    counts = []
    for step in range(COMPLETIONS):
        element_id, data = loop_step(step)
        task = next(t for t in engine.tasks.tasks(instance_id=case.instance_id)
                    if t.element_id == element_id)
        with counted(engine) as statements:
            engine.tasks.complete(task.id, USER, data)
        counts.append(len(statements))
    return statistics.median(counts)


def per_page_completion(engine: ProcessEngine) -> float:
    """The median number of statements of one completion posted from the task page."""
    from web import create_app  # the engine imports no Flask; only the benchmarks do

    engine.users.add(PAGE_USER, sorted(ROLES), by=USER)
    engine.credentials.set_password(PAGE_USER, PASSWORD, by=USER)
    client = create_app(engine=engine, SECRET_KEY="bench").test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]*)"', page)
    if token is None:
        raise RuntimeError("the sign-in page has no CSRF token")
    client.post("/login", data={"username": PAGE_USER, "password": PASSWORD,
                                "csrf_token": token.group(1)})
    case = PersistedRunner(engine).open_case()
    counts = []
    for step in range(COMPLETIONS):
        element_id, data = loop_step(step)
        task = next(t for t in engine.tasks.tasks(instance_id=case.instance_id)
                    if t.element_id == element_id)
        posted = {key: ("yes" if value else "no") if isinstance(value, bool) else value
                  for key, value in data.items()}  # a flag or a yes-or-no question
        with counted(engine) as statements:
            response = client.post(f"/tasks/{task.id}",
                                   data={**posted, "csrf_token": token.group(1)})
        if response.status_code != 302:
            raise RuntimeError(f"the task page answered HTTP {response.status_code}")
        counts.append(len(statements))
    return statistics.median(counts)


@dataclass(frozen=True)
class Counted:
    statements: float
    transactions: float
    commits: float


def per_api_completion(engine: ProcessEngine) -> Counted:
    """Medians of one completion through ``POST /api/tasks/<id>/complete`` with a bearer
    token, after its first use (the token is then read from the process's cache).

    The bench's manual clock makes the app read it again before each request (another
    process may have moved it); production's system clock does not, so that read is
    left out here.
    """
    from web import create_app, reload_manual_clock

    engine.users.add(API_USER, sorted(ROLES), by=USER)
    token = engine.credentials.create_token(API_USER, "bench", by=USER).token
    engine.set_clock(engine.clock.now(), rewind=True)  # written down for the app's engine
    production = ProcessEngine(engine.config)
    try:
        app = create_app(engine=production, SECRET_KEY="bench")
        app.before_request_funcs[None].remove(reload_manual_clock)  # see the docstring
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        client.get("/api/tasks/?limit=1", headers=headers)  # the token's first use
        case = PersistedRunner(engine).open_case()
        counts: list[Counted] = []
        for step in range(COMPLETIONS):
            element_id, data = loop_step(step)
            task = next(t for t in engine.tasks.tasks(instance_id=case.instance_id)
                        if t.element_id == element_id)
            with counted(production) as statements, units(production) as (begun, committed):
                response = client.post(f"/api/tasks/{task.id}/complete",
                                       json={"data": data}, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"the API answered HTTP {response.status_code}")
            counts.append(Counted(len(statements), len(begun), len(committed)))
    finally:
        production.close()
    return Counted(*(statistics.median(getattr(c, f) for c in counts)
                     for f in ("statements", "transactions", "commits")))


@contextlib.contextmanager
def units(engine: ProcessEngine) -> Iterator[tuple[list[None], list[None]]]:
    """The transactions begun and committed on the engine's connections in the block."""
    begun: list[None] = []
    committed: list[None] = []

    def on_begin(_conn: Any) -> None:
        begun.append(None)

    def on_commit(_conn: Any) -> None:
        committed.append(None)

    event.listen(engine.db.engine, "begin", on_begin)
    event.listen(engine.db.engine, "commit", on_commit)
    try:
        yield begun, committed
    finally:
        event.remove(engine.db.engine, "begin", on_begin)
        event.remove(engine.db.engine, "commit", on_commit)


def per_firing(engine: ProcessEngine, instances: int) -> float:
    """Statements per instance fired when ``instances`` timers come due together."""
    engine.repository.deploy(DIAGRAM, source="bench_timer.bpmn")
    due = engine.clock.now() + timedelta(hours=1)
    with engine.db.transaction() as session:  # the due time is the bench's, not a form's
        for number in range(instances):
            engine.runtime.start_in(session, PROCESS_KEY, f"STMT-{instances}-{number}",
                                    {"due_at": due.isoformat()}, actor=USER)
    engine.advance_clock(timedelta(hours=2), fire=False)
    with counted(engine) as statements:
        fired = engine.timers.fire_due(worker="bench")
    if len(fired) != instances:
        raise RuntimeError(f"expected {instances} firings, got {len(fired)}")
    return len(statements) / instances


def report(label: str, url: str) -> None:
    with engine_on(url) as engine:
        print(f"statements per completion ({label}): {per_completion(engine):.0f}")
        print(f"statements per completion from the task page ({label}): "
              f"{per_page_completion(engine):.0f}")
        api = per_api_completion(engine)
        print(f"per completion through the API ({label}): {api.statements:.0f} statements "
              f"in {api.transactions:.0f} transaction(s), {api.commits:.0f} commit(s) "
              "(goal: one transaction, at most one commit)")
        goals.record(f"transactions per API completion, {label}", api.transactions, 1,
                     at_most=True)
        goals.record(f"commits per API completion, {label}", api.commits, 1, at_most=True)
        print(f"statements per timer firing ({label}), one due: {per_firing(engine, 1):.1f}")
        print(f"statements per timer firing ({label}), {BATCH} due together: "
              f"{per_firing(engine, BATCH):.1f}")
