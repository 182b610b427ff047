"""What every benchmark shares: the databases it runs on and the engine set up on them."""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

from engine import EngineConfig, ProcessEngine
from engine.crypto.keys import encode_key, new_key
from engine.kit.clock import ManualClock
from engine.store.db import vacuum_catalogs
from forms import FORMS
from forms.person import PersonRecord
from handlers import HANDLERS

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
TIMEZONE = ZoneInfo("Europe/Ljubljana")
START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
"""The manual clock: after every date the forms are given, before every timer is due."""
USER = "bench"
PG_URL_VARIABLES = ("VARNAPOT_BENCH_DATABASE_URL", "VARNAPOT_TEST_DATABASE_URL")


def postgresql_from_env() -> str | None:
    """The PostgreSQL server to measure on, if one is named."""
    return next((os.environ[v] for v in PG_URL_VARIABLES if os.environ.get(v)), None)


@dataclass
class Child:
    """A process the benchmark started, and the file its log goes to."""

    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def tail(self, lines: int = 20) -> str:
        """The last lines it wrote to its log, for an error message."""
        self.log.flush()
        self.log.seek(0)
        return b"".join(self.log.readlines()[-lines:]).decode(errors="replace")


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value at or above ``share`` of them."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@contextlib.contextmanager
def engine_on(url: str) -> Iterator[ProcessEngine]:
    """A migrated engine with ``processes/`` deployed and the manual clock at ``START``.

    The bench databases are thrown away, so a key of the run's own seals their cases;
    it is put in the environment for the workers the timer bench starts.
    """
    os.environ.setdefault("VARNAPOT_MASTER_KEY", encode_key(new_key()))
    engine = ProcessEngine(EngineConfig(database_url=url, clock="manual",
                                        timezone=TIMEZONE.key, forms=FORMS,
                                        handlers=HANDLERS, person_record=PersonRecord))
    try:
        engine.upgrade_database()
        clock = engine.clock
        assert isinstance(clock, ManualClock)
        clock.set(START)  # set() directly: the clock starts at wall time, later than START
        engine.repository.deploy(PROCESSES, actor=USER)
        yield engine
    finally:
        engine.close()


@contextlib.contextmanager
def sqlite_url() -> Iterator[str]:
    """A fresh SQLite file in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="varnapot-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'varnapot.db'}"


@contextlib.contextmanager
def postgresql_url(base_url: str) -> Iterator[str]:
    """``base_url`` pointed at a schema created for this run and dropped afterwards."""
    schema = f"varnapot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url)
    try:
        vacuum_catalogs(admin)  # as a server's autovacuum would have, before measuring
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base_url else "?"
        yield f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

