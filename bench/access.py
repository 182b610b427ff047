"""Access-log figures: how many reads of her data are logged per second, by one reader
and by several at once.

Every read of personal data appends an event to the chained log
(engine.protection.access): each event locks a lane's head row, and readers at the same
moment each take a free lane instead of queueing on one row. On PostgreSQL, ``EVENTS``
events are written by one reader, then by ``READERS`` readers at once: threads of two
processes, as the web processes of ``varnapot serve`` are, each event in a unit of work
of its own as a page's read is. The ratio of the two rates says what readers at once
gain: on two cores it can reach about 2; readers queueing on one row keep it near 1.
Alone and together are measured in turn, ``ROUNDS`` times, and each rate is the median
of its rounds: a busy moment of the shared machine hits both alike instead of deciding
the ratio. The chain is verified afterwards, so speed is never bought with a broken
chain.
"""

from __future__ import annotations

import multiprocessing
import statistics
import threading
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from engine import EngineConfig, ProcessEngine
from engine.protection.access import Reader

from . import goals
from .common import TIMEZONE, engine_on, postgresql_from_env, postgresql_url

READERS = 8
PROCESSES = 2
EVENTS = 2000
ROUNDS = 3
GOAL = 1.5
"""Readers at once on two cores: well above 1, where readers queueing on one row stay."""
CASE = "SI-BENCH-ACCESS"


def main(pg_url: str | None) -> None:
    """Print the access-log figures, or one line saying why they are skipped."""
    if not pg_url or not pg_url.startswith("postgresql"):
        print("access-log figures skipped: they need PostgreSQL; set "
              "VARNAPOT_BENCH_DATABASE_URL or VARNAPOT_TEST_DATABASE_URL")
        goals.not_measured(f"access log {READERS} readers / 1", GOAL, "no PostgreSQL")
        return
    with postgresql_url(pg_url) as url, engine_on(url) as engine:
        rounds = [(rate(engine, 1), rate(engine, READERS)) for _ in range(ROUNDS)]
        alone = statistics.median(one for one, _ in rounds)
        together = statistics.median(many for _, many in rounds)
        check = engine.access.verify()
    chain = "intact" if check.intact else f"BROKEN: {check.problem}"
    print(f"access log, median of {ROUNDS} rounds: {alone:.0f} reads logged/s by 1 reader, "
          f"{together:.0f}/s by {READERS} readers at once (ratio {together / alone:.2f}, "
          f"goal >= {GOAL}); chain {chain} over {check.events} events", flush=True)
    if check.intact:
        goals.record(f"access log {READERS} readers / 1", together / alone, GOAL)
    else:
        goals.not_measured(f"access log {READERS} readers / 1", GOAL, "the chain broke")


def rate(engine: ProcessEngine, readers: int) -> float:
    """Events written per second by ``readers`` readers together: threads of at most
    ``PROCESSES`` processes, as ``varnapot serve --workers 2 --threads 4`` runs them.

    The clock stops when the last reader has written its last event, as each process
    reports it, not when the processes have exited: closing an engine and a Python
    interpreter is no read logged.
    """
    each = EVENTS // readers
    processes = multiprocessing.get_context("spawn")
    count = min(readers, PROCESSES)
    ready = processes.Barrier(count + 1)
    finished = processes.Queue()
    children = [processes.Process(target=_read, args=(
        engine.config.database_url, n, readers // count, each, ready, finished))
        for n in range(count)]
    for child in children:
        child.start()
    ready.wait()  # every reader has its engine and connection: the clock starts
    began = time.monotonic()
    for child in children:
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"a reader failed with status {child.exitcode}")
    ended = max(finished.get(timeout=5) for _ in children)
    return each * readers / (ended - began)


def _read(url: str, number: int, threads: int, events: int, ready: Barrier,
          finished: Queue[float]) -> None:
    engine = ProcessEngine(EngineConfig(database_url=url, clock="manual",
                                        timezone=TIMEZONE.key))
    started = threading.Barrier(threads)

    def read(thread: int) -> None:
        reader = Reader(f"bench-reader-{number}-{thread}", ("coordinator",), "bench")
        engine.access.record(reader, CASE, ["family_name"], "a first read: a connection")
        if started.wait() == 0:
            ready.wait()
        started.wait()
        for _ in range(events):
            engine.access.record(reader, CASE, ["family_name", "address"], "bench read")

    workers = [threading.Thread(target=read, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    finished.put(time.monotonic())  # the same clock in every process of the machine
    engine.close()


if __name__ == "__main__":
    main(postgresql_from_env())
