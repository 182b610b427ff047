"""The cost of a step as a case grows old: the protection plan's review loop, on plans
reviewed once, ten times and a hundred times.

A case of ten years reviews its plan, reports on school and renews its permit again and
again. SpiffWorkflow keeps every task of every pass in the state, which is restored,
rewritten and sealed on every step; the engine cuts finished history out before each
save (:mod:`engine.bpmn.compaction`). This measures whether that holds:

``state at cycle N``
    The instance's state as JSON before sealing, in bytes, and its tasks, after review
    ``N``.
``step time at cycle N``
    The median time of ``engine.tasks.complete`` of reviews ``N`` to ``N + 19``, with the
    workflow cache off: every step restores the state from the database, as when the
    reviews come through different web processes. One plan is reviewed up to each mark
    beforehand (not timed), then the plans take their timed reviews in turn, so a busy
    moment of the shared machine hits every mark alike instead of deciding the ratio.
``ratio cycle 100 / cycle 1``
    Goal <= 1.2 for the step time: a review at year ten costs what the first did.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import replace
from datetime import datetime

from engine import ProcessEngine
from engine.bpmn.execution import StateSerializer
from engine.store.models import ProcessInstance
from forms import examples

from . import goals
from .common import USER, engine_on, sqlite_url

KEY = "protection_plan"
MARKS = (1, 10, 100)
WINDOW = 20
"""Steps whose median time is reported at each mark: fewer swing with the machine."""
GOAL = 1.2
REVIEWS_FROM = datetime(2026, 4, 10, 9, 0).astimezone()


def open_plan(engine: ProcessEngine, case_code: str) -> int:
    instance = engine.runtime.start(KEY, case_code, actor=USER)
    for element, data in (("ask_plan_consent", examples.PLAN_CONSENT),
                          ("draw_up_plan", examples.PLAN)):
        engine.tasks.complete(open_task(engine, instance.id, element), USER, data)
    return instance.id


def open_task(engine: ProcessEngine, instance_id: int, element_id: str) -> int:
    (task,) = [t for t in engine.tasks.tasks(instance_id=instance_id)
               if t.element_id == element_id]
    return task.id


def state_size(engine: ProcessEngine, instance_id: int) -> tuple[int, int]:
    """Bytes of the state as JSON, and its tasks (top workflow and subprocesses)."""
    with engine.db.reading() as session:
        row = session.get(ProcessInstance, instance_id)
        workflow = engine.runtime.store.restore(session, row)
    tasks = len(workflow.tasks) + sum(len(s.tasks) for s in workflow.subprocesses.values())
    return len(json.dumps(StateSerializer().dump(workflow))), tasks


def review(engine: ProcessEngine, instance_id: int) -> float:
    """Complete the plan's open review; the seconds ``complete`` took."""
    task_id = open_task(engine, instance_id, "review_plan")
    day = engine.clock.now().date().isoformat()
    began = time.perf_counter()
    engine.tasks.complete(task_id, USER, {**examples.PLAN_REVIEW, "review_date": day})
    return time.perf_counter() - began


def measure(engine: ProcessEngine) -> dict[int, tuple[float, int, int]]:
    """Per mark: median step seconds, state bytes and tasks."""
    plans = {mark: open_plan(engine, f"CYCLES-{mark}") for mark in MARKS}
    for mark, instance_id in plans.items():
        for _ in range(mark - 1):
            review(engine, instance_id)
    times: dict[int, list[float]] = {mark: [] for mark in MARKS}
    sizes: dict[int, tuple[int, int]] = {}
    for step in range(WINDOW):
        for mark, instance_id in plans.items():
            times[mark].append(review(engine, instance_id))
            if step == 0:
                sizes[mark] = state_size(engine, instance_id)
    return {mark: (statistics.median(times[mark]), *sizes[mark]) for mark in MARKS}


def main() -> None:
    print(f"{KEY}: plans at reviews {', '.join(map(str, MARKS))}, {WINDOW} reviews each "
          "taken in turn, workflow cache off")
    with sqlite_url() as url, engine_on(url) as base:
        engine = ProcessEngine(replace(base.config, workflow_cache_size=0))
        try:
            engine.set_clock(REVIEWS_FROM, rewind=True)
            results = measure(engine)
        finally:
            engine.close()
    for mark, (seconds, size, tasks) in results.items():
        print(f"cycle {mark}: state {size / 1000:.1f} KB, {tasks} tasks; "
              f"step {1000 * seconds:.1f} ms")
    first, last = results[MARKS[0]][0], results[MARKS[-1]][0]
    print(f"ratio step time cycle {MARKS[-1]} / cycle {MARKS[0]}: {last / first:.2f} "
          f"(goal <= {GOAL})")
    goals.record(f"step time cycle {MARKS[-1]} / cycle {MARKS[0]}", last / first, GOAL,
                 at_most=True)


if __name__ == "__main__":
    main()
