"""Task completions over HTTP, through ``varnapot serve`` as production runs it.

The completion benchmark (:mod:`bench.completions`) calls the engine in-process. Here
each completion is ``POST /api/tasks/<id>/complete`` with a bearer token, sent to a real
``varnapot serve --workers 2`` (gunicorn, two web processes) on the database the
benchmark made, so sign-in by token, the role check, the form, the engine, the commit,
JSON and the socket all count. The work is the same loop the completion benchmark
times (``loop_step``), on instances opened and granted beforehand (setup, not timed).

Why each number exists:

``http 1 client``
    Completions per second one client gets, one request after the other on a kept-alive
    connection, and the median and p95 of one request.
``http 4 clients``
    Four clients at once, each on instances of its own: what two web processes on two
    cores give when several actors work at the same moment.
``scaling 4 clients / 1 client``
    Goal >= 1.6 on PostgreSQL, the database of a deployment for a country: the second
    process and the threads are used, not queued behind one lock. SQLite lets one
    transaction write at a time, and a completion writes for most of its time, so there
    the figure shows how little waiting for a turn costs (its p95), not a goal.
``ratio http/raw``
    One client's completions per second over raw in-memory SpiffWorkflow's of the same
    run (the ceiling, :class:`bench.completions.RawRunner`). Goal >= 0.5: what the web
    and the database add costs less than SpiffWorkflow itself.

Each client's rate is its completions divided by the time its own requests took (the
lookup of the next task id, a direct read of the database, is not counted); the rates
of the clients are added. Raw, one client and four clients are measured in turn,
``ROUNDS`` times, and each figure is the median of its rounds. The servers run on the
system clock, as production does, and the cases start at the same moment, their
decisions dated in the days before. SQLite is measured too, where two processes take
turns to write.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from engine import ProcessEngine
from engine.kit.roles import ROLES
from engine.store.models import HumanTask

from . import goals
from .common import (
    ROOT,
    TIMEZONE,
    Child,
    engine_on,
    percentile,
    postgresql_from_env,
    postgresql_url,
    sqlite_url,
)
from .completions import PROCESS_KEY, RawRunner, grant, loop_step, run_round

CASES_PER_CLIENT = 4
COMPLETIONS = 20
"""Per case: the completion benchmark's loop."""
HTTP_USER = "bench-http"
READY_SECONDS = 60
ROUNDS = 3
"""Each figure is the median of this many rounds, raw and HTTP taken in turn."""
SCALING_GOAL = 1.6
RATIO_GOAL = 0.5


@dataclass
class Server(Child):
    """``varnapot serve`` on a port of its own, its log in a temporary file."""

    port: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(url: str, workers: int = 2) -> Iterator[Server]:
    """``varnapot serve --workers N --timer-workers 0`` on ``url``, ready; stopped after."""
    env = {**os.environ, "DATABASE_URL": url}
    for setting in ("PROMETHEUS_MULTIPROC_DIR", "VARNAPOT_CLOCK"):
        env.pop(setting, None)  # the system clock, as production runs: no clock to re-read
    port = free_port()
    with tempfile.TemporaryFile(prefix="varnapot-serve-") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers",
             str(workers), "--timer-workers", "0"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = Server(process=process, log=log, port=port)
        try:
            wait_ready(server)
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_ready(server: Server) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"varnapot serve exited:\n{server.tail()}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"varnapot serve was not ready in {READY_SECONDS} s:\n{server.tail()}")


def _today() -> date:
    return datetime.now(TIMEZONE).date()


class Client:
    """One actor's API client: a kept-alive connection and a bearer token."""

    def __init__(self, engine: ProcessEngine, server: Server, token: str) -> None:
        self.engine = engine
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}",
                        "Content-Type": "application/json"}
        self.times: list[float] = []

    def run(self, instance_ids: Sequence[int]) -> list[float]:
        """The loop, round-robin over the instances; the time of each request."""
        for step in range(COMPLETIONS):
            for instance_id in instance_ids:
                element_id, data = loop_step(step, _today())
                self.complete(self.open_task(instance_id, element_id), data)
        return self.times

    def open_task(self, instance_id: int, element_id: str) -> int:
        with self.engine.db.reading() as session:
            return session.scalars(select(HumanTask.id).where(
                HumanTask.instance_id == instance_id, HumanTask.element_id == element_id,
                HumanTask.status == "open")).one()

    def complete(self, task_id: int, data: dict[str, object]) -> None:
        body = json.dumps({"data": data})
        began = time.perf_counter()
        self.connection.request("POST", f"/api/tasks/{task_id}/complete", body,
                                self.headers)
        response = self.connection.getresponse()
        answer = response.read()
        self.times.append(time.perf_counter() - began)
        if response.status != 200:
            raise RuntimeError(f"task {task_id}: {response.status} {answer[:300]!r}")


def open_cases(engine: ProcessEngine, count: int, prefix: str) -> list[int]:
    """``count`` reflection periods with the stay granted: the loop's first task open."""
    ids = []
    for number in range(count):
        instance = engine.runtime.start(PROCESS_KEY, f"{prefix}-{number}", actor=HTTP_USER)
        (task,) = [t for t in engine.tasks.tasks(instance_id=instance.id)
                   if t.element_id == "grant_permitted_stay"]
        engine.tasks.complete(task.id, HTTP_USER, grant(_today()))
        ids.append(instance.id)
    return ids


@dataclass
class Rate:
    clients: int
    per_second: float
    median_ms: float
    p95_ms: float


def measure(engine: ProcessEngine, server: Server, token: str, clients: int,
            label: str) -> Rate:
    cases = open_cases(engine, clients * CASES_PER_CLIENT, label)
    shares = [cases[n::clients] for n in range(clients)]
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(lambda share: Client(engine, server, token).run(share),
                                shares))
    times = [t for result in results for t in result]
    return Rate(clients, sum(len(r) / sum(r) for r in results),
                1000 * statistics.median(times), 1000 * percentile(times, 0.95))


def median_round(rates: list[Rate]) -> Rate:
    """The round whose completions per second are the median of the rounds."""
    return sorted(rates, key=lambda r: r.per_second)[len(rates) // 2]


def report(database: str, url: str) -> None:
    with engine_on(url) as engine:
        # The servers run on the system clock; cases start at the same time in the bench.
        engine.set_clock(datetime.now(UTC), rewind=True)
        engine.users.add(HTTP_USER, list(ROLES))
        token = engine.credentials.create_token(HTTP_USER, "bench", by=HTTP_USER).token
        with serving(url) as server:
            measure(engine, server, token, 2, "WARM")  # each process loads its specs
            runner = RawRunner()
            run_round(runner, 2, COMPLETIONS)  # warm-up
            raws, ones, fours = [], [], []
            for number in range(ROUNDS):  # interleaved: a busy moment hits all three alike
                times = run_round(runner, CASES_PER_CLIENT, COMPLETIONS)
                raws.append(len(times) / sum(times))
                ones.append(measure(engine, server, token, 1, f"ONE{number}"))
                fours.append(measure(engine, server, token, 4, f"FOUR{number}"))
    raw = statistics.median(raws)
    one, four = median_round(ones), median_round(fours)
    for rate in (one, four):
        print(f"http {database} {rate.clients} client{'s' if rate.clients > 1 else ''}, "
              f"2 web processes: {rate.per_second:.0f} completions/s, median "
              f"{rate.median_ms:.1f} ms, p95 {rate.p95_ms:.1f} ms")
    scaling, ratio = four.per_second / one.per_second, one.per_second / raw
    held = database == "postgresql"
    print(f"scaling {database} 4 clients / 1 client: {scaling:.2f} "
          f"({f'goal >= {SCALING_GOAL}' if held else 'one writer at a time: no goal'})")
    print(f"ratio http/raw {database}: {ratio:.2f} (raw spiffworkflow {raw:.0f} "
          f"completions/s in the same run; goal >= {RATIO_GOAL})")
    if held:
        goals.record(f"http scaling 4 clients / 1, {database}", scaling, SCALING_GOAL)
    goals.record(f"http completions / raw spiffworkflow, {database}", ratio, RATIO_GOAL)


def main(pg_url: str | None) -> None:
    print(f"completions over HTTP through varnapot serve: {CASES_PER_CLIENT} cases x "
          f"{COMPLETIONS} completions per client")
    with sqlite_url() as url:
        report("sqlite", url)
    if pg_url:
        with postgresql_url(pg_url) as url:
            report("postgresql", url)
    else:
        goals.not_measured("http scaling 4 clients / 1, postgresql", SCALING_GOAL,
                           "no PostgreSQL")


if __name__ == "__main__":
    main(postgresql_from_env())
