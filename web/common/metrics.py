"""Prometheus metrics at ``/metrics``: what an operator graphs and alerts on.

- requests by route and status, and their latency;
- task completions and timer firings, counted from what each commit recorded, in
  whichever process committed it;
- how late each timer fired, observed by the worker that fired it;
- the backlog waiting for the workers, read from the database at each scrape, so every
  web process reports the same.

Labels are route templates and event names, never a value from a request: no case code,
no name, no token reaches a metric. The endpoint needs no sign-in, as Prometheus
scrapes it; a deployment keeps it on the internal network (README).

Several processes: ``varnapot serve`` gives its web processes and timer workers one
``PROMETHEUS_MULTIPROC_DIR``, where each writes its counts, and ``/metrics`` adds them
up (prometheus_client's multiprocess mode). The variable must be set before
prometheus_client is first imported, which ``varnapot serve`` does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from flask import Flask, Response, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from engine import ProcessEngine
from engine.jobs.timers import Firing

from . import request_log

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter("varnapot_http_requests", "HTTP requests answered.",
                   ["method", "route", "status"], registry=None)
LATENCY = Histogram("varnapot_http_request_duration_seconds",
                    "Time from a request's arrival to its answer.", ["route"], registry=None,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
COMPLETIONS = Counter("varnapot_task_completions", "Tasks completed (committed).",
                      registry=None)
FIRINGS = Counter("varnapot_timers_fired", "Timers, reminders and escalations fired.",
                  registry=None)
INCIDENTS = Counter("varnapot_incidents", "Steps that failed and left an incident.",
                    registry=None)
LATENESS = Histogram("varnapot_timer_lateness_seconds",
                     "How long after its moment a timer fired (engine clock).", registry=None,
                     buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 3600))
OWN_METRICS = (REQUESTS, LATENCY, COMPLETIONS, FIRINGS, INCIDENTS, LATENESS)

_COUNTED_EVENTS = {"task_completed": COMPLETIONS, "timer_fired": FIRINGS,
                   "incident": INCIDENTS}


def count_events(event_types: list[str]) -> None:
    """A commit's recorded events (engine ``CommitHooks.event_listeners``)."""
    for event_type in event_types:
        counter = _COUNTED_EVENTS.get(event_type)
        if counter is not None:
            counter.inc()


def observe_firings(firings: Sequence[Firing]) -> None:
    """A sweep's firings (``TimerScheduler(on_fired=...)``)."""
    for firing in firings:
        LATENESS.observe(max(firing.lateness.total_seconds(), 0.0))


def watch(engine: ProcessEngine) -> None:
    """Count what the engine's commits record, once per engine."""
    listeners = engine.db.hooks.event_listeners
    if count_events not in listeners:
        listeners.append(count_events)


class Backlog(Collector):
    """The due timers and e-mails no worker has taken yet, read at each scrape."""

    def __init__(self, engine: ProcessEngine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        backlog = self.engine.timers.backlog()
        yield GaugeMetricFamily("varnapot_timers_due",
                                "Timers whose moment has passed and that have not fired.",
                                value=backlog.timers_due)
        yield GaugeMetricFamily("varnapot_timers_oldest_due_seconds",
                                "How long the oldest due timer has waited.",
                                value=backlog.oldest_due_seconds)
        yield GaugeMetricFamily("varnapot_emails_due", "E-mails due to be sent.",
                                value=backlog.emails_due)


def registry_for(engine: ProcessEngine) -> CollectorRegistry:
    """What one scrape reports: every process's counts, and the backlog."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_DIRECTORY):
        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in OWN_METRICS:
            registry.register(metric)
    registry.register(Backlog(engine))
    return registry


def serve_worker_metrics(engine: ProcessEngine, port: int) -> None:
    """A standalone timer worker's own ``/metrics`` on ``port`` (a thread of its own)."""
    start_http_server(port, registry=registry_for(engine))


def init_app(app: Flask) -> None:
    engine: ProcessEngine = app.extensions["varnapot"]
    watch(engine)

    @app.after_request
    def _measure(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(route).observe(request_log.elapsed())
        return response

    @app.get("/metrics")
    def metrics() -> Any:
        body = generate_latest(registry_for(engine))
        return Response(body, content_type=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})
