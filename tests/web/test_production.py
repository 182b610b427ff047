"""In production the server starts only with its own secrets, never with made-up ones."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask

from web import create_app
from web.common import security
from web.common.security import MissingSecret


def test_production_refuses_to_start_without_its_session_key(engine, monkeypatch, tmp_path):
    monkeypatch.delenv("VARNAPOT_SECRET_KEY", raising=False)
    monkeypatch.delenv("VARNAPOT_SECRET_KEY_FILE", raising=False)
    engine.config.production = True
    with pytest.raises(MissingSecret, match="VARNAPOT_SECRET_KEY or VARNAPOT_SECRET_KEY_FILE"):
        create_app(engine=engine)

    # A mounted secret, as a container gets it: too short or missing, it is refused.
    secret = tmp_path / "secret_key"
    monkeypatch.setenv("VARNAPOT_SECRET_KEY_FILE", str(secret))
    with pytest.raises(MissingSecret, match="cannot be read"):
        create_app(engine=engine)
    secret.write_text("short\n")
    with pytest.raises(MissingSecret, match="too short"):
        create_app(engine=engine)
    secret.write_text("a long random key from a mounted secret file\n")
    assert create_app(engine=engine).config["SECRET_KEY"] == \
        "a long random key from a mounted secret file"
    monkeypatch.delenv("VARNAPOT_SECRET_KEY_FILE")

    monkeypatch.setenv("VARNAPOT_SECRET_KEY", "a long random key from the deployment")
    app = create_app(engine=engine)
    assert app.config["SECRET_KEY"] == "a long random key from the deployment"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_web_processes_starting_together_share_one_session_key(tmp_path):
    """Without VARNAPOT_SECRET_KEY, the first start makes one under instance/; web
    processes that start at the same moment must not each make their own, or a session
    signed by one would be refused by the others."""
    apps = [Flask(__name__, instance_path=str(tmp_path)) for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as starting:
        keys = set(starting.map(security.local_key, apps))
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
