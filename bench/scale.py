"""``make bench-scale``: the pages of today on a database of many years.

A national service keeps ten years of cases: about a million instances, of which only a
busy year's worth are still running. The lists people work from (the worklist, the task
API, the instance list, the deadline tracker, her case page) must cost what they cost in
the first year. :mod:`bench.web` seeds that busy year (``INSTANCES`` instances,
``OPEN_TASKS`` open tasks); here the same year is seeded again with 90,000 (and, with
``--million``, 990,000) more instances copied from the stories that ended, moved one to
ten years back with their completed tasks, deadlines (the missed ones acknowledged) and
audit trails, by COPY and INSERT ... SELECT.

For each size it prints the p95 of every route and its ratio to the p95 at 10,000
instances. Goals: <= 1.3 at 100,000 and <= 2 at 1,000,000. PostgreSQL only, a schema per
size, dropped afterwards. The million takes tens of gigabytes and most of an hour to
seed: it runs only when asked.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .common import engine_on, percentile, postgresql_from_env, postgresql_url
from .web import INSTANCES, OPEN_TASKS, Route, case_routes, measure, routes, seed

SIZES = (INSTANCES, 100_000)
MILLION = 1_000_000
GOALS = {100_000: 1.3, MILLION: 2.0}


@dataclass
class Size:
    instances: int
    seconds: float
    p95: dict[str, float]


def at_size(pg_url: str, instances: int) -> Size:
    with postgresql_url(pg_url) as url, engine_on(url) as engine:
        seeded = seed(engine, instances=INSTANCES, open_tasks=OPEN_TASKS,
                      history=instances - INSTANCES)
        measured: list[Route] = routes(engine) + case_routes(engine)
        measure(engine, measured)
    return Size(instances, seeded.seconds,
                {r.label: 1000 * percentile(r.times, 0.95) for r in measured if not r.outcome})


def main(pg_url: str | None, million: bool = False) -> None:
    if not pg_url or not pg_url.startswith("postgresql"):
        print("scale figures skipped: they need PostgreSQL (VARNAPOT_BENCH_DATABASE_URL or "
              "VARNAPOT_TEST_DATABASE_URL)")
        return
    sizes = [at_size(pg_url, n) for n in (*SIZES, *((MILLION,) if million else ()))]
    base = sizes[0]
    print(f"pages by the size of the history: {OPEN_TASKS:,} open tasks in every size; "
          "p95 ms, and its ratio to the p95 at the first size")
    header = "".join(f"{f'{s.instances:,}':>18}" for s in sizes)
    print(f"  {'route':<28}{header}")
    for label, first in base.p95.items():
        cells = "".join(f"{s.p95[label]:>9.1f} ({s.p95[label] / first:4.2f})"
                        for s in sizes if label in s.p95)
        print(f"  {label:<28}{cells}")
    for size in sizes[1:]:
        worst = max(size.p95[label] / base.p95[label] for label in base.p95
                    if label in size.p95)
        goal = GOALS.get(size.instances)
        verdict = "" if goal is None else (
            f" (goal <= {goal}: {'met' if worst <= goal else 'MISSED'})")
        print(f"  at {size.instances:,}: worst ratio {worst:.2f}{verdict}; seeded in "
              f"{size.seconds:.0f} s")
    print("  note: the machine is shared and noisy")


if __name__ == "__main__":
    main(postgresql_from_env(), million="--million" in sys.argv[1:])
