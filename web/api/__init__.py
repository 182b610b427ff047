"""The REST API: flask-smorest resources, OpenAPI 3 at /api/openapi.json, docs at /api/docs.

Callers authenticate with ``Authorization: Bearer <token>`` (``varnapot users token``)
or, from our own pages, with the session cookie plus the page's CSRF token in an
``X-CSRFToken`` header. Every error is JSON ``{"error", "message", "fields"}``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template

from ..common.security import csrf
from . import (
    analytics,
    consents,
    deadlines,
    definitions,
    errors,
    instances,
    messages,
    migration,
    modeling,
    people,
    tasks,
)

SPEC = {
    "components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer",
                   "description": "A token from `varnapot users token NAME`."},
        "session": {"type": "apiKey", "in": "cookie", "name": "varnapot_session"},
    }},
    "security": [{"bearer": []}, {"session": []}],
}


def init_app(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "Varna pot")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = errors.VarnaApi(app, spec_kwargs=SPEC)
    blueprints = [tasks.blp, deadlines.blp, definitions.blp, instances.blp, people.blp,
                  consents.blp, messages.blp, modeling.blp, migration.blp,
                  analytics.blp]
    if instances.has_settable_clock(app):
        blueprints.append(instances.clock_blp)
    for blueprint in blueprints:
        csrf.exempt(blueprint)  # each checks cookie sessions itself: csrf_unless_token
        api.register_blueprint(blueprint)
    errors.init_app(app)

    @app.get("/api/docs")
    def api_docs() -> Any:
        """Swagger UI, served from our static folder (never a CDN)."""
        return render_template("api_docs.html")

