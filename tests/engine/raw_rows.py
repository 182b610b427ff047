"""Every byte the database holds, to prove that what she said is in none of it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import func, inspect, select, table

from engine import ProcessEngine


def raw_copy(engine: ProcessEngine) -> bytes:
    """Every byte the database keeps, as a thief with the disk or a backup would see it."""
    url = engine.config.database_url
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    options = unquote(parse_qs(urlsplit(url).query)["options"][0])
    schema = options.split("search_path=")[1]
    dump = subprocess.run(["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-n", schema,
                           "test"], capture_output=True, check=True, timeout=120)
    return dump.stdout


def live_rows(engine: ProcessEngine) -> dict[str, int]:
    """Every table of the database with its number of rows: what a training, which keeps
    to databases of its own, must leave as it found it."""
    with engine.db.reading() as session:
        names = inspect(session.connection()).get_table_names()
        return {name: session.scalar(select(func.count()).select_from(table(name)))
                for name in names}
