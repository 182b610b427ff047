"""The request log: one structured line per request, and no secret in any line.

A log file or a log collector is read by more people than her cases are. So the line
``varnapot serve`` writes for each request (logger ``varnapot.requests``, JSON through
:class:`JsonLines`) names the route's template and the numeric ids in the path, never
the path itself, its query string or a header: a case code, a name typed into a search
or a token cannot reach it. Who acted is the staff member's user name.

The development server (``varnapot run``) and gunicorn's own access log, when someone
turns it on, write each request line with its query string, and the calendar feed's URL
carries her calendar token: :class:`RedactSecrets` writes it as ``[redacted]``.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from flask import Flask, Response, g, request

REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")
REDACTED = "[redacted]"
log = logging.getLogger("varnapot.requests")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_SECRET_PARAMETER = re.compile(r"((?:^|[?&;\s\"'])token=)[^&;\s\"']*", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with the value of every ``token`` query parameter replaced, however its
    name is percent-encoded (``%74oken=`` opens the feed as ``token=`` does)."""
    decoded = unquote(text)
    cleaned = _SECRET_PARAMETER.sub(rf"\g<1>{REDACTED}", decoded)
    return cleaned if cleaned != decoded else text


class RedactSecrets(logging.Filter):
    """Rewrites a record whose message carries a token; every record still goes out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line, for a log collector: time, level, logger, message, the
    record's ``fields`` (a request's), and the exception's type and trace if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
            "pid": record.process,
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextLines(logging.Formatter):
    """The same records for a person at a terminal: time, level, message, then the
    fields as ``name=value``."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        fields = getattr(record, "fields", {})
        tail = " ".join(f"{name}={value}" for name, value in fields.items()
                        if value not in (None, {}, False))
        line = (f"{moment} {record.process} {record.levelname.lower()} "
                f"{redact(record.getMessage())} {tail}")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line.rstrip()


def log_to_stderr(form: str) -> None:
    """A command's log on standard error, as JSON lines (``json``) or for a person."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if form == "json" else TextLines())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per wake-up


def elapsed() -> float:
    """Seconds since this request arrived (0 outside one, or before the app saw it)."""
    started = g.get("request_started")
    return time.perf_counter() - started if started is not None else 0.0


def _request_id() -> str:
    """The proxy's ``X-Request-ID`` when it is a plain token, else one of our own."""
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _begin() -> None:
    g.request_started = time.perf_counter()
    g.request_id = _request_id()


def _log(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id") or _request_id()
    if log.isEnabledFor(logging.INFO):
        log.info("request", extra={"fields": _fields(response)})
    return response


def _fields(response: Response) -> dict[str, Any]:
    user = g.get("_login_user")  # only if the request loaded her: no query for the log
    return {
        "request_id": response.headers["X-Request-ID"],
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule is not None else None,
        "ids": {name: value for name, value in (request.view_args or {}).items()
                if isinstance(value, int)},
        "status": response.status_code,
        "duration_ms": round(1000 * elapsed(), 2),
        "bytes": response.content_length,
        "user": getattr(user, "username", None),
        "by_token": bool(getattr(user, "by_token", False)),
    }


def init_app(app: Flask) -> None:
    """Time and log every request; put the filter on the request loggers once, however
    many apps are made."""
    app.before_request(_begin)
    app.after_request(_log)
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
