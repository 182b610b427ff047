"""In production the server starts only with its own secrets, never with made-up ones."""

from __future__ import annotations

import pytest

from web import create_app
from web.common.security import MissingSecret


def test_production_refuses_to_start_without_its_session_key(engine, monkeypatch):
    monkeypatch.delenv("VARNAPOT_SECRET_KEY", raising=False)
    engine.config.production = True
    with pytest.raises(MissingSecret, match="VARNAPOT_SECRET_KEY is required in production"):
        create_app(engine=engine)

    monkeypatch.setenv("VARNAPOT_SECRET_KEY", "a long random key from the deployment")
    app = create_app(engine=engine)
    assert app.config["SECRET_KEY"] == "a long random key from the deployment"
    assert app.config["SESSION_COOKIE_SECURE"] is True
