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
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from engine import ProcessEngine
from engine.kit.roles import ROLES

from .common import USER, engine_on
from .completions import PersistedRunner, loop_step
from .timers import DIAGRAM, PROCESS_KEY

COMPLETIONS = 20
BATCH = 20
PAGE_USER = "bench-page"
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
        print(f"statements per timer firing ({label}), one due: {per_firing(engine, 1):.1f}")
        print(f"statements per timer firing ({label}), {BATCH} due together: "
              f"{per_firing(engine, BATCH):.1f}")
