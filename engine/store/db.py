"""Connections and transactions for SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from engine.config import ensure_sqlite_folder
from engine.errors import Conflict
from engine.store.sqlite_turns import WriterTurns
from engine.store.unit_of_work import CommitHooks, UnitOfWork

MIGRATIONS = Path(__file__).parent / "migrations"
READS_ONLY = "varnapot_reads_only"
SQLITE_WAIT_SECONDS = 30
"""How long a SQLite writer waits for its turn before "database is locked"."""
SERIALIZATION_FAILURE = "40001"
"""PostgreSQL's answer to a unit that waited to lock or write a row another unit moved
to another partition meanwhile: an instance that closed (migration 0026)."""


def connect(url: str, *, write_wait: float = SQLITE_WAIT_SECONDS, **options: object) -> Engine:
    """Create a SQLAlchemy engine; SQLite gets WAL and foreign keys on every connection.

    SQLite transactions begin IMMEDIATE: a unit of work that reads and then writes would
    otherwise fail at once when another process wrote in between, instead of waiting its
    turn. Writers (the web server, a timer worker, the CLI) so take turns, one at a time
    (:mod:`engine.store.sqlite_turns`). Units that only read (``Database.reading``) begin
    DEFERRED: in WAL mode they read a snapshot alongside the writer instead of queueing
    behind it. ``write_wait`` is how long a SQLite writer waits for its turn.
    """
    ensure_sqlite_folder(url)
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": write_wait})
        options.setdefault("hide_parameters", True)
        engine = create_engine(url, **options)
        turns = WriterTurns(write_wait)
        turns.install(engine)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # BEGIN is ours, see _sqlite_begin
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):  # type: ignore[no-untyped-def]
            if connection.get_execution_options().get(READS_ONLY, False):
                connection.exec_driver_sql("BEGIN")
            else:
                turns.begin(connection.connection.dbapi_connection, connection.info)

        return engine
    # A failed statement's message would otherwise carry its values into a log.
    options.setdefault("hide_parameters", True)
    options.setdefault("pool_recycle", 1800)  # no pre-ping: it costs a round trip per unit of work
    return create_engine(url, **options)


CATALOGS = ("pg_class", "pg_attribute", "pg_attrdef", "pg_constraint", "pg_depend", "pg_index",
            "pg_sequence", "pg_trigger", "pg_type")
"""PostgreSQL's system catalogs that a schema's tables, indexes and truncations write to."""


def vacuum_catalogs(admin: Engine) -> None:
    """VACUUM PostgreSQL's system catalogs in the database ``admin`` connects to.

    Each schema created and dropped, and each TRUNCATE, leaves dead rows in them. A
    server's autovacuum clears those; one run with autovacuum off (a CI machine's) keeps
    them, and every catalog lookup, new connection and plan gets slower: after a day of
    test runs, ``pg_class`` held 148 live rows and 563,000 dead ones. The test suite and
    the benchmarks create and truncate tables by the thousand, so they clear the
    catalogs before they start. A user who may not vacuum a catalog gets a warning.
    """
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(
            "VACUUM " + ", ".join(f"pg_catalog.{name}" for name in CATALOGS))


class Database:
    """Owns the engine and hands out one :class:`UnitOfWork` per transaction."""

    def __init__(self, url: str, **options: object) -> None:
        self.url = url
        self.engine = connect(url, **options)
        self.hooks = CommitHooks()
        """Shared by every unit: the engine sets its clock and its timer listeners."""
        self.sessions = sessionmaker(self.engine, class_=UnitOfWork, expire_on_commit=False,
                                     hooks=self.hooks)
        self._read_only = self.engine.dialect.name == "postgresql"
        readers = (self.engine.execution_options(postgresql_readonly=True)
                   if self._read_only else self.engine.execution_options(**{READS_ONLY: True}))
        self._read_sessions = sessionmaker(readers, class_=UnitOfWork, expire_on_commit=False,
                                           hooks=self.hooks, reads_only=True)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """One unit of work: commit on success, roll back on any exception.

        A unit that lost its race to an instance closing meanwhile fails as a Conflict,
        as one that lost it to a revision check does (``lost_race_is_a_conflict``).
        """
        session = self.sessions()
        try:
            yield session
            session.commit()
        except DBAPIError as error:
            session.rollback()
            if getattr(error.orig, "sqlstate", None) == SERIALIZATION_FAILURE:
                raise Conflict("a process instance was closed by someone else at the same "
                               "moment; nothing was saved; reload and try again") from error
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """A unit of work that only reads.

        On PostgreSQL it runs as a READ ONLY transaction and ends with COMMIT: psycopg
        drops every prepared statement of the connection on ROLLBACK, so ending reads
        that way would have every following statement parsed and planned again.
        """
        session = self._read_sessions()
        try:
            yield session
            if self._read_only:
                session.commit()
        finally:
            session.rollback()
            session.close()

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` with Alembic."""
        config = _alembic_config()
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def schema_is_current(self) -> bool:
        """Whether the schema is at the newest migration this code knows: a server whose
        database is behind (an upgrade not yet run) must not take requests."""
        head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() == head

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
