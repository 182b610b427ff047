"""Behind a reverse proxy: whose address a request comes from.

Without a trusted proxy every request seems to come from the proxy, so one brake on
sign-in from that address would stop the whole organisation, and the access log would
name the proxy as the reader. ``VARNAPOT_TRUSTED_PROXIES`` says how many proxies stand
in front of the server; Werkzeug's ``ProxyFix`` then takes the client's address and
scheme from that many ``X-Forwarded-For`` / ``X-Forwarded-Proto`` hops. Unset or 0, those
headers are ignored: anyone can send them.
"""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

SETTING = "VARNAPOT_TRUSTED_PROXIES"


class BadProxySetting(ValueError):
    """A number of proxies that is not a number: refuse to start rather than guess."""


def trusted_proxies(app: Flask) -> int:
    """The setting from the app's config (tests) or the environment; 0 when unset."""
    raw = app.config.get("TRUSTED_PROXIES", os.environ.get(SETTING, ""))
    text = str(raw).strip()
    if not text:
        return 0
    if not text.isdigit():
        raise BadProxySetting(f"{SETTING} is the number of reverse proxies in front of the "
                              f"server (0, 1, 2...), not {text!r}")
    return int(text)


def init_app(app: Flask) -> None:
    hops = trusted_proxies(app)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
