"""Writers on one SQLite file take turns without sleeping through them.

SQLite lets one transaction write at a time, and a writer that finds the file locked
waits in SQLite's own busy handler, which sleeps 1, 2, 5, ... up to 100 ms between
tries whatever happens meanwhile. A completion that holds the lock for 10 ms so often
keeps the next writer asleep for far longer: with two web processes and four clients,
the p95 of a completion rose from 16 to 127 ms and four clients got 1.3 times what one
got.

So a unit that writes first queues behind the other threads of its process on a lock
that hands over the moment the previous unit's connection goes back to the pool, then
the one thread at the front tries ``BEGIN IMMEDIATE`` against the other processes
every ``POLL_SECONDS``. Units that only read take no turn. Either wait ends after
``timeout`` seconds with SQLite's own "database is locked", as the busy handler's did.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

POLL_SECONDS = 0.0005
TURN = "varnapot_writer_turn"
"""Marks a pooled connection that holds its process's turn until it is checked in."""


class WriterTurns:
    """The turns of one engine's writers (see the module docstring)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def install(self, engine: Engine) -> None:
        """Hand the turn back whenever a connection leaves use, however it left."""
        event.listen(engine.pool, "checkin", self._checked_in)
        event.listen(engine.pool, "invalidate", self._invalidated)

    def begin(self, dbapi_connection: sqlite3.Connection, info: dict[str, Any]) -> None:
        """Take this process's turn, unless the connection holds it, then BEGIN IMMEDIATE.

        Refused as SQLAlchemy's ``OperationalError``, as a failed statement would be.
        """
        deadline = time.monotonic() + self.timeout
        try:
            if not info.get(TURN):
                if not self._process_lock().acquire(timeout=self.timeout):
                    raise sqlite3.OperationalError(
                        f"database is locked: no turn to write in {self.timeout:g} s")
                info[TURN] = True
            _begin_immediate(dbapi_connection, deadline, self.timeout)
        except sqlite3.OperationalError as error:
            self._hand_back(info)
            raise OperationalError("BEGIN IMMEDIATE", None, error) from error
        except BaseException:
            self._hand_back(info)
            raise

    def _process_lock(self) -> threading.Lock:
        if os.getpid() != self._pid:  # a forked child never waits on its parent's holder
            self._pid, self._lock = os.getpid(), threading.Lock()
        return self._lock

    def _hand_back(self, info: dict[str, Any]) -> None:
        if info.pop(TURN, False) and os.getpid() == self._pid:
            self._lock.release()

    def _checked_in(self, _dbapi_connection: Any, record: Any) -> None:
        self._hand_back(record.info)

    def _invalidated(self, _dbapi_connection: Any, record: Any, _exception: Any) -> None:
        self._hand_back(record.info)


def _begin_immediate(dbapi_connection: sqlite3.Connection, deadline: float,
                     timeout: float) -> None:
    """BEGIN IMMEDIATE, tried again every ``POLL_SECONDS`` while another process writes."""
    dbapi_connection.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or (
                        time.monotonic() >= deadline):
                    raise
            time.sleep(POLL_SECONDS)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
