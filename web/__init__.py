"""The Flask application: ``create_app`` builds it around one ProcessEngine."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text

from engine import EngineConfig, ProcessEngine


def create_app(config: EngineConfig | None = None, engine: ProcessEngine | None = None,
               **settings: Any) -> Flask:
    """Application factory; pass an engine to share one with tests or the CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(settings)
    app.extensions["varnapot"] = engine or ProcessEngine(config)

    @app.get("/healthz")
    def healthz() -> Any:
        """Liveness and database reachability, for load balancers and `make run` checks."""
        process_engine: ProcessEngine = app.extensions["varnapot"]
        try:
            with process_engine.db.reading() as session:
                session.execute(text("SELECT 1"))
        except Exception:
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok", clock=process_engine.clock.now().isoformat())

    return app
