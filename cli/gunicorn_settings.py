"""gunicorn's settings for ``varnapot serve`` (``--config python:cli.gunicorn_settings``).

What the command line does not give: the worker class, the log format, and the
clean-up of a dead worker's metrics. Read by the gunicorn master when it starts.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import multiprocess

from web.common.metrics import MULTIPROCESS_DIRECTORY

worker_class = "gthread"
"""Threads in each process: a request that waits on the database does not hold the
process; the processes share the CPU cores."""
preload_app = False
"""Each web process builds its own engine after the fork: connections and the workflow
cache are never shared between processes."""
accesslog = None
"""The application writes one structured line per request (web.common.request_log)."""
forwarded_allow_ips = "127.0.0.1,::1"
control_socket_disable = True
"""No gunicornc socket in the home folder: two servers on one host would share it."""

_FORMATTER = {"json": "web.common.request_log.JsonLines",
              "text": "web.common.request_log.TextLines"}[os.environ.get(
                  "VARNAPOT_LOG_FORMAT", "json")]
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"lines": {"()": _FORMATTER}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "lines",
                            "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["stderr"],
                                   "propagate": False},
                "alembic": {"level": "WARNING"}},
}


def child_exit(server: Any, worker: Any) -> None:
    """A web process ended: its live figures no longer count (its totals still do)."""
    if os.environ.get(MULTIPROCESS_DIRECTORY):
        multiprocess.mark_process_dead(worker.pid)
