"""Several `varnapot worker` processes on PostgreSQL fire every timer exactly once,
even when one is killed in the middle of a sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEvent, HumanTask, SchedulerWorker, Timer
from tests.conftest import ROOT
from tests.diagrams import boundary_timer, registries

TIMERS = 1000
WAIT_SECONDS = 240


@pytest.fixture
def waiting_timers(make_engine, database_url):
    """``TIMERS`` instances, each waiting on a one-hour timer."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers need PostgreSQL (SKIP LOCKED); SQLite runs one")
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(boundary_timer("stay", "PT1H"), source="stay.bpmn")
    with engine.db.transaction() as session:  # one unit of work: the setup, not the test
        for number in range(TIMERS):
            engine.runtime.start_in(session, "stay", f"C-{number:04d}", None, actor="tests")
    return engine, database_url


def come_due(engine) -> None:
    """Two hours pass with nobody firing: every timer is due for the workers."""
    engine.advance_clock(timedelta(hours=2), fire=False)
    assert pending(engine) == TIMERS


@pytest.fixture
def due_timers(waiting_timers):
    """The timers, all come due while no worker ran."""
    come_due(waiting_timers[0])
    return waiting_timers


def sweeping(engine, names) -> bool:
    """Whether each named worker has swept at least once."""
    with engine.db.reading() as session:
        return set(session.scalars(select(SchedulerWorker.name))) >= set(names)


def pending(engine) -> int:
    with engine.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Timer)
                              .where(Timer.status == "pending"))


def fired_count(engine) -> int:
    with engine.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Timer)
                              .where(Timer.status == "fired"))


def start_worker(url: str, name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "VARNAPOT_CLOCK": "manual"}
    return subprocess.Popen(
        [sys.executable, "-c", "from cli import main; main()", "worker",
         "--sweep", "0.5", "--name", name],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until(condition, workers) -> None:
    """Poll the database while the worker processes run; fail if one dies or time runs out."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        for worker in workers:
            assert worker.poll() is None, f"a worker exited with {worker.returncode}"
        assert time.monotonic() < deadline, "the workers did not finish in time"
        time.sleep(0.2)


def stop(workers) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def assert_each_fired_once(engine, *, all_sweeps_recorded: bool = True) -> None:
    """Every timer row fired, one audit event and one follow-up task per instance."""
    with engine.db.reading() as session:
        statuses = dict(session.execute(select(Timer.status, func.count())
                                        .group_by(Timer.status)).all())
        fired_events = session.scalar(select(func.count()).select_from(AuditEvent)
                                      .where(AuditEvent.event_type == "timer_fired"))
        after = session.execute(select(HumanTask.instance_id, func.count())
                                .where(HumanTask.element_id == "after_timer")
                                .group_by(HumanTask.instance_id)).all()
        heartbeat = session.scalar(select(func.sum(SchedulerWorker.fired_total)))
    assert statuses == {"fired": TIMERS}
    assert fired_events == TIMERS
    assert len(after) == TIMERS and {count for _, count in after} == {1}
    if all_sweeps_recorded:
        assert heartbeat == TIMERS


def test_two_workers_share_a_thousand_due_timers_and_fire_each_once(waiting_timers):
    """Both workers sweep before the timers come due, so both take batches of them: the
    test would fail if one did all the work, or if any timer fired twice."""
    engine, url = waiting_timers
    workers = [start_worker(url, "worker-a"), start_worker(url, "worker-b")]
    try:
        wait_until(lambda: sweeping(engine, ["worker-a", "worker-b"]), workers)
        come_due(engine)
        wait_until(lambda: pending(engine) == 0, workers)
    finally:
        stop(workers)
    assert_each_fired_once(engine)
    with engine.db.reading() as session:
        by_worker = dict(session.execute(select(Timer.fired_by, func.count())
                                         .group_by(Timer.fired_by)).all())
    assert set(by_worker) == {"worker-a", "worker-b"}, by_worker
    assert sum(by_worker.values()) == TIMERS


def test_a_worker_killed_mid_sweep_loses_nothing_and_repeats_nothing(due_timers):
    engine, url = due_timers
    first = start_worker(url, "killed")
    try:
        wait_until(lambda: fired_count(engine) >= 100, [first])
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    assert pending(engine) > 0  # it died with work left
    second = start_worker(url, "restarted")
    try:
        wait_until(lambda: pending(engine) == 0, [second])
    finally:
        stop([second])
    # A killed worker never records the heartbeat of its last sweep.
    assert_each_fired_once(engine, all_sweeps_recorded=False)
    with engine.db.reading() as session:
        heartbeat = dict(session.execute(select(SchedulerWorker.name,
                                                SchedulerWorker.fired_total)).all())
    assert heartbeat["restarted"] > 0
