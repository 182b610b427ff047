"""Access-log figures: how many reads of her data are logged per second, by one reader
and by several at once.

Every read of personal data appends an event to one chained log
(engine.protection.access): each event takes the chain's head row in turn, so readers
who read at the same moment queue on it. On PostgreSQL, ``EVENTS`` events are written
by one thread, then by ``READERS`` threads at once, each event in a unit of work of its
own as a page's read is. The ratio of the two rates says how much the queue costs; the
chain is verified afterwards, so speed is never bought with a broken chain.
"""

from __future__ import annotations

import threading
import time

from engine import ProcessEngine
from engine.protection.access import Reader

from .common import engine_on, postgresql_from_env, postgresql_url

READERS = 8
EVENTS = 800
CASE = "SI-BENCH-ACCESS"


def main(pg_url: str | None) -> None:
    """Print the access-log figures, or one line saying why they are skipped."""
    if not pg_url or not pg_url.startswith("postgresql"):
        print("access-log figures skipped: they need PostgreSQL; set "
              "VARNAPOT_BENCH_DATABASE_URL or VARNAPOT_TEST_DATABASE_URL")
        return
    with postgresql_url(pg_url) as url, engine_on(url) as engine:
        alone = rate(engine, 1)
        together = rate(engine, READERS)
        check = engine.access.verify()
    print(f"access log: {alone:.0f} reads logged/s by 1 reader, {together:.0f}/s by "
          f"{READERS} readers at once (ratio {together / alone:.2f}); chain "
          f"{'intact' if check.intact else 'BROKEN: ' + str(check.problem)} over "
          f"{check.events} events", flush=True)


def rate(engine: ProcessEngine, readers: int) -> float:
    """Events written per second by ``readers`` threads together."""
    each = EVENTS // readers
    ready = threading.Barrier(readers + 1)

    def read(number: int) -> None:
        reader = Reader(f"bench-reader-{number}", ("coordinator",), "bench")
        ready.wait()
        for _ in range(each):
            engine.access.record(reader, CASE, ["family_name", "address"], "bench read")

    threads = [threading.Thread(target=read, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    ready.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return each * readers / (time.perf_counter() - began)


if __name__ == "__main__":
    main(postgresql_from_env())
