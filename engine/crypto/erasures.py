"""The erasure journal: every erased case, written down outside the database.

Erasing a case destroys her data key in the database (crypto-erasure). A backup taken
before that still holds the sealed key, and the master key would open it again: so each
erasure is also appended here, one line of the moment and the pseudonymous case code,
in a file kept beside the master key and never in a database backup. Restoring a backup
erases again every case the journal names (``engine.store.backup``), so she stays
unreadable however old the backup.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path


class ErasureJournal:
    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, code: str, at: datetime) -> None:
        """Append one erasure and force it to disk before the erasure is reported done."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, f"{at.isoformat()} {code}\n".encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def codes(self) -> list[str]:
        """Every case erased, in the order they were; none when there is no journal yet."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return list(dict.fromkeys(line.split(" ", 1)[1] for line in lines if " " in line))
