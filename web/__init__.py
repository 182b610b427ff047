"""The Flask application: ``create_app`` builds it around one ProcessEngine.

Blueprints per audience (DESIGN.md): ``auth`` (sign-in), ``worklist`` (actors),
``monitor`` (coordinators), ``deadlines`` (legal advisers), ``modeler`` (policy analysts)
and the REST ``api``. Every page needs a signed-in user; every action checks her roles.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text

from engine import EngineConfig, ProcessEngine

from . import api
from .common import acting, bounds, form_fields, i18n, proxies, recorded, request_log, security
from .pages import (
    case_file,
    deadlines,
    decisions,
    modeler,
    monitor,
    people,
    sign_in,
    worklist,
)


def create_app(config: EngineConfig | None = None, engine: ProcessEngine | None = None,
               **settings: Any) -> Flask:
    """Application factory; pass an engine to share one with tests or the CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(security.DEFAULTS)
    app.config.update(settings)
    app.extensions["varnapot"] = engine or ProcessEngine(config)
    bounds.init_app(app)  # before any route: the converters bind when a rule is added
    security.init_app(app)
    proxies.init_app(app)
    request_log.init_app()
    acting.init_app(app)
    i18n.init_app(app)
    recorded.init_app(app)  # dates and values in the reader's words
    form_fields.init_app(app)  # the summary of a refused form
    for blueprint in (sign_in.bp, worklist.bp, monitor.bp, people.bp, case_file.bp,
                      deadlines.bp, modeler.bp, decisions.bp):
        app.register_blueprint(blueprint)
    api.init_app(app)

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

