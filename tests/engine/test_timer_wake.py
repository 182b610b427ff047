"""The precise wake-up is never lost: one planned as already due from inside the sweep it
woke runs at once, not at the next safety sweep half a minute later."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from engine import ProcessEngine
from engine.jobs.scheduler import TimerScheduler
from tests.product import product_config

PATIENCE_SECONDS = 5.0
"""Far more than a wake-up takes, far less than the safety sweep (an hour here)."""


def test_a_wake_up_replanned_as_due_while_its_sweep_runs_still_runs(database_url):
    engine = ProcessEngine(product_config(database_url=database_url, clock="system"))
    scheduler = TimerScheduler(engine, name="wake-test", sweep_seconds=3600)
    woken: list[datetime] = []
    second = threading.Event()

    def sweep() -> list:
        # A sweep whose firing overran the next timer plans that timer's wake-up for a
        # moment already past, while this very wake-up is still running.
        woken.append(datetime.now(UTC))
        if len(woken) == 1:
            scheduler._plan_wake = lambda: scheduler._wake_at(  # noqa: SLF001
                datetime.now(UTC) - timedelta(seconds=1))
            scheduler._plan_wake()  # noqa: SLF001
            # The rest of the sweep (its heartbeat, its commit) takes a moment, during
            # which the scheduler already sees the new wake-up due.
            threading.Event().wait(0.3)
        else:
            second.set()
        return []

    scheduler.sweep = sweep  # type: ignore[method-assign]
    try:
        scheduler._scheduler.start()  # noqa: SLF001  the jobs, without the start sweep
        scheduler._wake_at(datetime.now(UTC))  # noqa: SLF001
        assert second.wait(PATIENCE_SECONDS), "the replanned wake-up was dropped"
        assert woken[1] - woken[0] < timedelta(seconds=1)
        settled(scheduler)
    finally:
        scheduler.shutdown()
        engine.close()


def settled(scheduler: TimerScheduler) -> None:
    """Wait until APScheduler has put away the one-off job that just ran: shutting it
    down in the middle of that would fail in its own thread."""
    gone = threading.Event()
    for _ in range(int(PATIENCE_SECONDS * 100)):
        if not scheduler._scheduler.get_jobs():  # noqa: SLF001
            return
        gone.wait(0.01)
