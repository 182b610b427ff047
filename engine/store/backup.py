"""Backups that are proven to restore.

``backup`` copies the database consistently while it runs: SQLite through its online
backup API, PostgreSQL with ``pg_dump --format=custom`` (only the schema the URL's
``search_path`` names, when it names one). ``restore`` refuses a database that already
holds tables, then loads the copy (``pg_restore`` for PostgreSQL). The CLI around them
(``varnapot backup``, ``varnapot restore``) writes and checks a manifest beside the copy:
the schema's migration, the counts of what it holds and the access log's head.

What is never in a backup, and must be kept apart: the master key (without it nothing
sealed can be read) and the erasure journal (``engine.crypto.erasures``): a case erased
after the backup was taken is erased again when it is restored.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import create_engine, inspect

from engine.errors import Conflict, EngineError


class BackupFailed(EngineError):
    """A copy or a load that did not finish; the message says what the tool said."""

    code = "backup_failed"


def backup(url: str, target: Path) -> None:
    """A consistent copy of the database at ``url`` in the file ``target``."""
    if target.exists():
        raise Conflict(f"{target} exists: name a new file, a backup never overwrites one")
    target.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite(url):
        with sqlite3.connect(_sqlite_path(url)) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return
    schema = _schema(url)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
          f"--file={target}", *([f"--schema={schema}"] if schema else []), _libpq(url)],
         "pg_dump")


def restore(url: str, source: Path) -> None:
    """Load the copy ``source`` into the empty database at ``url``."""
    if not source.is_file():
        raise Conflict(f"{source}: no such backup file")
    engine = create_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise Conflict("the database to restore into is not empty "
                       f"({len(tables)} tables): restore into a new, empty one")
    if _is_sqlite(url):
        path = Path(_sqlite_path(url))
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as copy, sqlite3.connect(path) as database:
            copy.backup(database)
        return
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
          f"--dbname={_libpq(url)}", str(source)], "pg_restore")


def _run(command: list[str], tool: str) -> None:
    if shutil.which(tool) is None:
        raise BackupFailed(f"{tool} is not installed: install PostgreSQL's client tools")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupFailed(f"{tool} failed: {done.stderr.strip()[-500:]}")


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def _sqlite_path(url: str) -> str:
    path = url.split("///", 1)[1] if "///" in url else ""
    if not path or path == ":memory:":
        raise Conflict("an in-memory database cannot be backed up")
    return path


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as libpq reads it (``postgresql://``, without the driver)."""
    scheme, _, rest = url.partition("://")
    return f"postgresql://{rest}" if scheme.startswith("postgresql") else url


def _schema(url: str) -> str | None:
    """The schema ``options=-csearch_path=...`` names, if the URL gives one."""
    for option in parse_qs(urlsplit(url).query).get("options", []):
        for part in unquote(option).split():
            if part.startswith("-csearch_path="):
                return part.split("=", 1)[1].split(",")[0].strip('"') or None
    return None
