"""The Flask application: ``create_app`` builds it around one ProcessEngine.

Blueprints per audience (DESIGN.md): ``auth`` (sign-in), ``worklist`` (actors),
``monitor`` (coordinators), ``deadlines`` (legal advisers), ``modeler`` (policy analysts)
and the REST ``api``. Every page needs a signed-in user; every action checks her roles.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, redirect, request, url_for
from sqlalchemy import text

from engine import EngineConfig, ProcessEngine

from . import api
from .common import (
    acting,
    bounds,
    form_fields,
    i18n,
    metrics,
    proxies,
    recorded,
    request_log,
    role_labels,
    security,
    training,
)
from .pages import (
    analytics,
    case_file,
    deadlines,
    decisions,
    modeler,
    monitor,
    people,
    sign_in,
    statistics,
    worklist,
)
from .pages import training as training_pages


def create_app(config: EngineConfig | None = None, engine: ProcessEngine | None = None,
               **settings: Any) -> Flask:
    """Application factory; pass an engine to share one with tests or the CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(security.DEFAULTS)
    app.config.update(settings)
    process_engine = app.extensions["varnapot"] = engine or ProcessEngine(config)
    request_log.init_app(app)  # first: its clock starts before any other hook runs
    training.init_app(app)  # next: a trainee's pages run on her group's engine
    if process_engine.clock.manual:
        app.before_request(reload_manual_clock)
    bounds.init_app(app)  # before any route: the converters bind when a rule is added
    security.init_app(app)
    proxies.init_app(app)
    metrics.init_app(app)
    acting.init_app(app)
    i18n.init_app(app)
    role_labels.init_app(app)  # a role as her case's jurisdiction calls it
    recorded.init_app(app)  # dates and values in the reader's words
    form_fields.init_app(app)  # the summary of a refused form
    for blueprint in (sign_in.bp, worklist.bp, monitor.bp, people.bp, case_file.bp,
                      deadlines.bp, modeler.bp, analytics.bp, decisions.bp,
                      statistics.bp, training_pages.bp):
        app.register_blueprint(blueprint)
    api.init_app(app)

    @app.get("/favicon.ico")
    def favicon() -> Any:
        """For a page that names no icon (a browser asks for this one by habit)."""
        return redirect(url_for("static", filename="favicon.svg"), 301)

    @app.get("/livez")
    def livez() -> Any:
        """Liveness: this process answers. Nothing else is checked, so a database outage
        does not make an orchestrator restart every web process."""
        return jsonify(status="alive")

    @app.get("/readyz")
    def readyz() -> Any:
        """Readiness: send this process requests only while the database answers and its
        schema is the one this code expects (not before ``varnapot db upgrade``)."""
        process_engine: ProcessEngine = app.extensions["varnapot"]
        try:
            current = process_engine.db.schema_is_current()
        except Exception:
            return jsonify(status="not ready", database="unreachable"), 503
        if not current:
            return jsonify(status="not ready", database="schema behind: run "
                           "`varnapot db upgrade`"), 503
        return jsonify(status="ready", database="ok")

    @app.get("/healthz")
    def healthz() -> Any:
        """Liveness, database reachability and when any timer scheduler last swept.

        A ``last_timer_sweep`` older than a minute or two means no scheduler is running:
        timers, reminders and escalations are not firing.
        """
        process_engine: ProcessEngine = app.extensions["varnapot"]
        try:
            with process_engine.db.reading() as session:
                session.execute(text("SELECT 1"))
        except Exception:
            return jsonify(status="error", database="unreachable"), 503
        last_sweep = process_engine.timers.last_sweep()
        return jsonify(status="ok", database="ok", clock=process_engine.clock.now().isoformat(),
                       last_timer_sweep=last_sweep.isoformat() if last_sweep else None)

    return app


PROBES = ("/livez", "/readyz", "/healthz")
"""Answered whatever the database does: they must not fail on a clock read first."""


def reload_manual_clock() -> None:
    """The manual clock, read again before a request: another web process, a worker or
    the command line may have moved it."""
    if request.path not in PROBES:
        process_engine: ProcessEngine = current_app.extensions["varnapot"]
        process_engine.reload_clock()

