"""The server's request log writes no secret: a token in a URL is logged as ``[redacted]``.

The development server (``varnapot run``) and gunicorn's access log write each request
line with its query string, and the calendar feed's URL carries her calendar token. A
log file or a log collector is read by more people than her cases are; what grants
access must not reach it.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")
REDACTED = "[redacted]"

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


def init_app() -> None:
    """Put the filter on the request loggers once, however many apps are made."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
