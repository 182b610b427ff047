"""Every byte the database holds, to prove that what she said is in none of it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

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
