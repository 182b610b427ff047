"""``varnapot serve``: web processes under gunicorn, and timer workers beside them.

The command is a small supervisor. It starts two kinds of child process and stops them
together:

- one gunicorn master (``python -m gunicorn``), which forks ``workers`` web processes,
  each with ``threads`` threads and its own engine (:func:`application`), and replaces
  any that dies;
- ``timer_workers`` ``varnapot worker`` processes, which fire timers, reminders and
  escalations and send the e-mail outbox. The web processes never do: a slow sweep
  does not hold a request, and the workers can run on other hosts instead (0 here).

Why a supervisor and not gunicorn alone: gunicorn's master reaps every child it has,
so a timer worker started from it could die unnoticed. Here a worker that exits is
started again; if gunicorn exits, everything stops and the command exits with its code.

Every child writes its metrics into one ``PROMETHEUS_MULTIPROC_DIR`` made for the run
(emptied at start), so ``/metrics`` on any web process reports them all. The children
are new interpreters: each reads the variable when it first imports prometheus_client.

SIGTERM or SIGINT stops the children gracefully: gunicorn finishes the requests in
hand, a timer worker its sweep (whose claims are one transaction each, so a worker
killed mid-sweep loses nothing either).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from engine import EngineConfig, ProcessEngine
from web.common.metrics import MULTIPROCESS_DIRECTORY

from .common import settle_memory
from .product import with_procedures

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("varnapot.serve")

RESTART_PAUSE = 5.0
"""Seconds before a timer worker that died young is started again: a worker that cannot
start (a wrong database address) is not restarted in a tight loop."""


def application() -> Flask:
    """One web process's app and engine (gunicorn: ``cli.serving:application()``)."""
    from web import create_app

    app = create_app(engine=ProcessEngine(with_procedures(EngineConfig.from_env())))
    settle_memory()
    return app


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 2
    threads: int = 4
    timer_workers: int = 1
    sweep_seconds: float = 30.0
    timeout: int = 60
    log_format: str = "json"


@dataclass
class TimerWorker:
    number: int
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)


class Supervisor:
    """Starts the gunicorn master and the timer workers, and stops them together."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stopping = False
        self.web: subprocess.Popen[bytes] | None = None
        self.timer_workers: list[TimerWorker] = []
        self._metrics_folder: Path | None = None

    def run(self) -> int:
        """Serve until a signal, or until gunicorn exits; the exit status to return."""
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(number, self._stop)
        self._prepare_metrics()
        try:
            self.web = subprocess.Popen(self._web_command(), env=os.environ.copy())
            self.timer_workers = [self._start_timer_worker(n)
                                  for n in range(1, self.settings.timer_workers + 1)]
            while not self.stopping:
                if self.web.poll() is not None:
                    log.error("the web server exited with status %s", self.web.returncode)
                    break
                self._restart_dead_timer_workers()
                time.sleep(0.2)
        finally:
            self._stop_children()
            if self._metrics_folder is not None:
                shutil.rmtree(self._metrics_folder, ignore_errors=True)
        return self.web.returncode if self.web is not None and not self.stopping else 0

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def _prepare_metrics(self) -> None:
        folder = os.environ.get(MULTIPROCESS_DIRECTORY)
        if folder:
            path = Path(folder)
            path.mkdir(parents=True, exist_ok=True)
            for old in path.glob("*.db"):  # counts of an earlier run
                old.unlink()
        else:
            self._metrics_folder = Path(tempfile.mkdtemp(prefix="varnapot-metrics-"))
            os.environ[MULTIPROCESS_DIRECTORY] = str(self._metrics_folder)

    def _web_command(self) -> list[str]:
        s = self.settings
        os.environ["VARNAPOT_LOG_FORMAT"] = s.log_format
        return [sys.executable, "-m", "gunicorn", "--config", "python:cli.gunicorn_settings",
                "--bind", f"{s.host}:{s.port}", "--workers", str(s.workers),
                "--threads", str(s.threads), "--timeout", str(s.timeout),
                "--graceful-timeout", str(s.timeout), "--name", "varnapot",
                "cli.serving:application()"]

    def _start_timer_worker(self, number: int) -> TimerWorker:
        command = [sys.executable, "-m", "cli", "worker", "--sweep",
                   str(self.settings.sweep_seconds), "--log-format", self.settings.log_format]
        return TimerWorker(number, subprocess.Popen(command, env=os.environ.copy()))

    def _restart_dead_timer_workers(self) -> None:
        for index, worker in enumerate(self.timer_workers):
            status = worker.process.poll()
            if status is None:
                continue
            if time.monotonic() - worker.started < RESTART_PAUSE:
                continue  # died young: wait before starting it again
            log.warning("timer worker %s exited with status %s: starting it again",
                        worker.number, status)
            self.timer_workers[index] = self._start_timer_worker(worker.number)

    def _stop_children(self) -> None:
        children = [w.process for w in self.timer_workers]
        if self.web is not None:
            children.append(self.web)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.settings.timeout + 5
        for child in children:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
