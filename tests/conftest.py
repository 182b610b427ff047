"""Fixtures: every engine test runs on SQLite, and on PostgreSQL when its URL is set.

``VARNAPOT_TEST_DATABASE_URL`` names a PostgreSQL database; the tests use a schema of
their own in it and drop it afterwards. With ``VARNAPOT_REQUIRE_POSTGRESQL=1`` (CI) the
run fails if the PostgreSQL half could not run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from engine import ProcessEngine
from engine.crypto.keys import encode_key, new_key
from engine.identity import credentials
from engine.store.db import Database, vacuum_catalogs
from engine.store.models import Base
from tests.product import product_config

# One master key for the whole run, in the environment so that the CLI and the servers
# the browser tests start read it as a deployment would.
os.environ.setdefault("VARNAPOT_MASTER_KEY", encode_key(new_key()))
# Passwords hashed in tests take half a millisecond instead of a tenth of a second: the
# cost protects a stolen database, which tests do not have. Sign-in still verifies.
credentials._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PG_URL = os.environ.get("VARNAPOT_TEST_DATABASE_URL")
REQUIRE_PG = os.environ.get("VARNAPOT_REQUIRE_POSTGRESQL") == "1"
ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

_postgresql_runs = 0

pytest_plugins = ("tests.web_app",)
"""The web application and its signed-in clients, for the web and scenario tests."""


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "varnapot.db"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("VARNAPOT_REQUIRE_POSTGRESQL=1 but VARNAPOT_TEST_DATABASE_URL is not set")
        pytest.skip("VARNAPOT_TEST_DATABASE_URL is not set")
    schema = f"varnapot_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    try:
        vacuum_catalogs(admin)  # every test truncates its tables: dead catalog rows
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - unreachable server
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at VARNAPOT_TEST_DATABASE_URL is not usable: {exc}")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "varnapot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgresql_url")
    database = Database(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    database.dispose()
    return url


@pytest.fixture
def make_engine(database_url: str) -> Iterator[Callable[..., ProcessEngine]]:
    """Build engines on this test's database, with a manual clock at ``START``."""
    engines: list[ProcessEngine] = []

    def build(**options: object) -> ProcessEngine:
        engine = ProcessEngine(product_config(database_url=database_url, clock="manual",
                                            **options))  # type: ignore[arg-type]
        if not engines:
            engine.set_clock(START, rewind=True)
        engines.append(engine)
        return engine

    yield build
    for engine in engines:
        engine.close()


@pytest.fixture
def engine(make_engine: Callable[..., ProcessEngine]) -> ProcessEngine:
    return make_engine()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    global _postgresql_runs
    if report.when == "call" and "postgresql" in report.keywords and not report.skipped:
        _postgresql_runs += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Counted where every report arrives: in the only process, or in the controller of
    the pytest-xdist workers (a worker may have run SQLite tests only)."""
    if hasattr(session.config, "workerinput"):
        return
    if REQUIRE_PG and _postgresql_runs == 0 and exitstatus == 0:
        print("\nerror: no test ran on PostgreSQL, but VARNAPOT_REQUIRE_POSTGRESQL=1")
        session.exitstatus = 1
