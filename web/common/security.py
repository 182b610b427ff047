"""Secret key, cookie flags, CSRF and the security headers of every response.

The people in these records can be hunted by those they escaped: pages are never
cached, framed or allowed to load code from anywhere but this server.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "varnapot_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
"""Inline styles only: bpmn-js sets them on the diagram's elements."""


class MissingSecret(RuntimeError):
    """Production without its own session key: refuse to start rather than invent one."""


def init_app(app: Flask) -> None:
    production = app.extensions["varnapot"].config.production
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = (os.environ.get("VARNAPOT_SECRET_KEY")
                                    or _secret_from_file()
                                    or (_refuse() if production else local_key(app)))
    https = production or os.environ.get("VARNAPOT_HTTPS", "").lower() in ("1", "true", "yes")
    if https:  # Flask's own default is False, so set it rather than default it
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    csrf.init_app(app)
    app.after_request(_headers)


def csrf_unless_token() -> None:
    """For API blueprints: a change made with the session cookie needs the CSRF token.

    A browser sends the cookie on its own, so a page elsewhere could make it act; a
    bearer token is never sent by the browser on its own, so it needs none.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if not current_user.is_authenticated or getattr(current_user, "by_token", False):
        return  # nobody signed in: the view answers 401; a bearer token needs no CSRF
    csrf.protect()


def _secret_from_file() -> str | None:
    """``VARNAPOT_SECRET_KEY_FILE``: the key in a mounted secret, as containers give it."""
    named = os.environ.get("VARNAPOT_SECRET_KEY_FILE")
    if not named:
        return None
    try:
        key = Path(named).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise MissingSecret(f"VARNAPOT_SECRET_KEY_FILE names {named}, which cannot be "
                            f"read: {exc.strerror}") from exc
    if len(key) < 32:
        raise MissingSecret(f"the key in {named} is too short: give at least 32 characters")
    return key


def _refuse() -> str:
    raise MissingSecret("VARNAPOT_SECRET_KEY or VARNAPOT_SECRET_KEY_FILE is required in "
                        "production (VARNAPOT_ENV=production): the server does not start "
                        "without it")


def local_key(app: Flask) -> str:
    """A key kept under ``instance/`` (0600) so sessions survive a restart on one machine.

    Several web processes start at once: each writes a key of its own aside and links it
    into place, which only the first can do, so all of them read the same key.
    """
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # 0600
        aside = Path(name)
        with os.fdopen(handle, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another process was first: its key is the one
        finally:
            aside.unlink()
    return path.read_text().strip()


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
