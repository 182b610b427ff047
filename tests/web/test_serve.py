"""``varnapot serve`` as a deployment runs it: two web processes and two timer workers on
one PostgreSQL. Concurrent clients complete tasks, some racing for the same task, then
the timers come due: nothing is lost, nothing is done twice, and /metrics on either
web process adds up the work of all four processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from engine.store.models import AuditEvent, HumanTask, SchedulerWorker, Timer
from tests.accounts import add_users
from tests.conftest import PROCESSES, ROOT
from tests.web.api_task_steps import GRANT

CASES = 24
RACED = 6
"""Of the cases, those whose task two clients complete at the same moment."""
WAIT_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``varnapot serve --workers 2 --timer-workers 2`` on the test's database."""

    def __init__(self, url: str, log: Path) -> None:
        self.port = free_port()
        self.log = log
        env = {**os.environ, "DATABASE_URL": url, "VARNAPOT_CLOCK": "manual"}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(self.port), "--workers", "2",
             "--timer-workers", "2", "--sweep", "0.5", "--log-format", "json"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def call(self, method: str, path: str, token: str | None = None,
             body: dict | None = None) -> tuple[int, str]:
        request = urllib.request.Request(
            self.url(path), method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {token}"} if token else {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError:
            return 0, ""

    def wait_until(self, condition, what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            assert self.process.poll() is None, f"serve exited: {self.log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"{what}: {self.log.read_text()[-2000:]}"
            time.sleep(0.2)

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def timer_workers(self) -> list[int]:
        return [pid for pid in self.children()
                if b"\0worker\0" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    def request_lines(self) -> list[dict]:
        lines = [json.loads(line) for line in self.log.read_text().splitlines()
                 if line.startswith("{")]
        return [line for line in lines if line.get("message") == "request"]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise


def metric(server: Server, name: str) -> float:
    status, body = server.call("GET", "/metrics")
    assert status == 200
    return sum(sample.value for family in text_string_to_metric_families(body)
               for sample in family.samples if sample.name == name)


@pytest.fixture
def cases(make_engine, database_url):
    """``CASES`` reflection periods, each at the police's first task, and a token."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several web processes and timer workers need PostgreSQL")
    engine = make_engine()
    engine.repository.deploy(PROCESSES)
    add_users(engine, ["police"])
    token = engine.credentials.create_token("police", "tests", by="tests").token
    tasks = []
    for number in range(CASES):
        instance = engine.runtime.start("reflection_period", f"SI-SRV-{number:04d}",
                                        actor="coord")
        (task,) = engine.tasks.tasks(instance_id=instance.id)
        tasks.append(task.id)
    return engine, database_url, token, tasks


def test_two_web_processes_and_two_workers_lose_nothing_and_repeat_nothing(cases, tmp_path):
    engine, url, token, tasks = cases
    server = Server(url, tmp_path / "serve.log")
    try:
        server.wait_until(lambda: server.call("GET", "/readyz")[0] == 200, "never ready")
        server.wait_until(lambda: len(_worker_names(engine)) == 2, "workers never swept")

        # Four clients; the first RACED tasks are sent twice, at once.
        sends = tasks + tasks[:RACED]
        with ThreadPoolExecutor(max_workers=4) as clients:
            answers = list(clients.map(
                lambda task_id: (task_id, server.call(
                    "POST", f"/api/tasks/{task_id}/complete", token, {"data": GRANT})[0]),
                sends))
        by_task: dict[int, list[int]] = {}
        for task_id, status in answers:
            by_task.setdefault(task_id, []).append(status)
        for task_id, statuses in by_task.items():
            assert statuses.count(200) == 1, (task_id, statuses)
            assert set(statuses) <= {200, 409, 410}, (task_id, statuses)
        served_by = {line["pid"] for line in server.request_lines()
                     if line["route"] == "/api/tasks/<int:task_id>/complete"}
        assert len(served_by) == 2, "one web process served every completion"

        # Her reflection period ends, and the deadlines' reminders come due, with no
        # worker looking: then the two workers share them.
        engine.advance_clock(timedelta(days=100), fire=False)
        due = _due_timers(engine)
        assert due > CASES
        server.wait_until(lambda: _due_timers(engine) == 0, "timers left unfired")

        with engine.db.reading() as session:
            completed = session.scalar(select(func.count()).select_from(AuditEvent)
                                       .where(AuditEvent.event_type == "task_completed"))
            fired_events = session.scalar(select(func.count()).select_from(AuditEvent)
                                          .where(AuditEvent.event_type == "timer_fired"))
            fired_rows = dict(session.execute(
                select(Timer.kind, func.count()).where(Timer.status == "fired")
                .group_by(Timer.kind)).all())
            doubled = session.execute(
                select(HumanTask.instance_id, HumanTask.element_id)
                .where(HumanTask.status == "open")
                .group_by(HumanTask.instance_id, HumanTask.element_id)
                .having(func.count() > 1)).all()
        assert completed == CASES
        assert sum(fired_rows.values()) >= due
        assert fired_events == fired_rows["bpmn"]  # once each: the audit says so
        assert doubled == []
        assert metric(server, "varnapot_task_completions_total") == CASES
        assert metric(server, "varnapot_timers_fired_total") == fired_events
        assert metric(server, "varnapot_timers_due") == 0

        # A timer worker that dies is started again.
        timer_workers = server.timer_workers()
        assert len(timer_workers) == 2 and len(server.children()) == 3  # and gunicorn
        os.kill(timer_workers[0], signal.SIGKILL)
        server.wait_until(lambda: timer_workers[0] not in server.timer_workers()
                          and len(server.timer_workers()) == 2, "the worker was not restarted")
    finally:
        status = server.stop()
    assert status == 0
    assert server.call("GET", "/livez")[0] == 0  # nothing listens any more


def _worker_names(engine) -> set[str]:
    with engine.db.reading() as session:
        return set(session.scalars(select(SchedulerWorker.name)))


def _due_timers(engine) -> int:
    return engine.timers.backlog().timers_due
