"""TimerScheduler: wakes the engine when a timer is due, with APScheduler.

The timer table is the truth; this only decides when to look at it. Two jobs:

``wake``
    One precise wake-up at the earliest pending timer. After every sweep it is planned
    again; when this process commits a new or earlier timer (a task completed through the
    web server, a deadline opened), :meth:`TimerScheduler.timer_written` brings it forward.
    Each wake-up is a job of its own id: APScheduler runs one instance of a job at a
    time, and drops a one-off job that comes due while an instance of it still runs, so
    a wake-up replanned as already due from inside the sweep it woke would be lost until
    the safety sweep.
``sweep``
    A periodic safety sweep (30 s by default). It finds timers written by *other*
    processes and retries after failures; it also runs once at start, which fires, oldest
    first, everything that came due while no scheduler ran.

Every sweep also sends the e-mail outbox (:mod:`engine.obligations.mail`); a commit that queues a
message asks for a wake-up at once, so a notice is mailed within a moment of being written.

With the manual clock there is no real-time wake-up: time moves only when someone moves
the clock, and moving it sweeps (:meth:`engine.ProcessEngine.set_clock`).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.jobs.timers import Firing
from engine.kit.clock import ManualClock

if TYPE_CHECKING:
    from engine import ProcessEngine

log = logging.getLogger("varnapot.scheduler")

DEFAULT_SWEEP_SECONDS = 30.0
WAKE_MARGIN = timedelta(milliseconds=1)
"""A timer is due once the clock is *past* its moment (SpiffWorkflow compares strictly)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class TimerScheduler:
    """Fires the engine's due timers: at their time in-process, and by periodic sweep."""

    def __init__(self, engine: ProcessEngine, *, name: str | None = None,
                 sweep_seconds: float = DEFAULT_SWEEP_SECONDS, blocking: bool = False,
                 on_fired: Callable[[list[Firing]], None] | None = None) -> None:
        """``on_fired`` hears every sweep's firings (the metrics observe their lateness)."""
        self.engine = engine
        self.on_fired = on_fired
        self.name = name or worker_name()
        self.sweep_seconds = sweep_seconds
        self.started_at = datetime.now(UTC)
        self.last_sweep_at: datetime | None = None
        self._lock = threading.Lock()
        self._wake_lock = threading.Lock()
        self._wake_numbers = itertools.count(1)
        self._wake_id: str | None = None
        scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
        self._scheduler: BaseScheduler = scheduler_class(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})

    @property
    def manual(self) -> bool:
        return isinstance(self.engine.clock, ManualClock)

    def start(self) -> None:
        """Sweep at once (restart catch-up), then keep the wake-up and the safety sweep."""
        self.engine.db.hooks.timer_listeners.append(self.timer_written)
        self._scheduler.add_job(self.sweep, "interval", seconds=self.sweep_seconds,
                                id="sweep", next_run_time=datetime.now(UTC))
        log.info("timer scheduler %s started: sweep every %s s", self.name,
                 self.sweep_seconds)
        self._scheduler.start()  # returns only on shutdown when blocking

    def shutdown(self) -> None:
        if self.timer_written in self.engine.db.hooks.timer_listeners:
            self.engine.db.hooks.timer_listeners.remove(self.timer_written)
        if self._scheduler.state != STATE_STOPPED:
            self._scheduler.shutdown(wait=True)

    def sweep(self) -> list[Firing]:
        """Fire everything due now, record the heartbeat, plan the next wake-up."""
        with self._lock:
            if self.manual:
                self.engine.reload_clock()  # another process may have moved it
            try:
                fired = self.engine.timers.fire_due(worker=self.name)
                if fired and self.on_fired is not None:
                    self.on_fired(fired)
                self.engine.mail.deliver_pending(worker=self.name)
            finally:
                self.last_sweep_at = datetime.now(UTC)
            self.engine.timers.record_sweep(self.name, self.started_at, len(fired))
            self._plan_wake()
        return fired

    def timer_written(self, due_at: datetime) -> None:
        """A commit in this process wrote a timer due at ``due_at``: wake no later."""
        if self.manual or self._scheduler.state == STATE_STOPPED:
            return
        with self._wake_lock:
            job = self._scheduler.get_job(self._wake_id) if self._wake_id else None
            if job is None or job.next_run_time is None \
                    or due_at + WAKE_MARGIN < job.next_run_time:
                self._wake_at(due_at)

    def _plan_wake(self) -> None:
        if self.manual:
            return
        due = self.engine.timers.next_due()
        with self._wake_lock:
            if due is None:
                self._drop_wake()
            else:
                self._wake_at(due)

    def _wake_at(self, due_at: datetime) -> None:
        """Plan the one wake-up, under a new id (see the module's docstring)."""
        run_at = max(due_at + WAKE_MARGIN, datetime.now(UTC))
        self._drop_wake()
        self._wake_id = f"wake-{next(self._wake_numbers)}"
        self._scheduler.add_job(self.sweep, "date", run_date=run_at, id=self._wake_id)

    def _drop_wake(self) -> None:
        if self._wake_id is not None:
            # Gone already if it ran: APScheduler removes a one-off job as soon as it
            # has handed it to a thread, under the lock this call waits for.
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(self._wake_id)
            self._wake_id = None
