"""The backup drill as an operator runs it: copy with a manifest, restore and prove it.

``take`` copies the database (``engine.store.backup``) and writes ``<file>.json`` beside
it: the schema's migration, how many cases, instances, tasks, deadlines, timers,
access-log events and audit events it holds, and the access log's head. ``bring_back``
loads a copy into an empty database, upgrades its schema to this release, erases again
every case the erasure journal names (she was erased after the copy was made), and
checks that the access log still holds the head the manifest filed and that nothing
counted is missing.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, table

from engine.config import EngineConfig
from engine.crypto.erasures import ErasureJournal
from engine.errors import Conflict
from engine.process_engine import ProcessEngine
from engine.protection.access import head_line
from engine.store import backup as copies
from engine.store.models import CaseRecord

COUNTED = ("case_record", "process_instance", "human_task", "legal_deadline", "timer",
           "access_event", "audit_event")
"""What a restore must bring back, every row of it."""


@dataclass(frozen=True)
class Restored:
    counts: dict[str, int]
    erased_again: list[str]
    access_head: str


def holdings(engine: ProcessEngine) -> dict[str, int]:
    with engine.db.reading() as session:
        return {name: session.scalar(select(func.count()).select_from(table(name))) or 0
                for name in COUNTED}


def take(engine: ProcessEngine, target: Path) -> dict[str, Any]:
    """Copy the engine's database to ``target`` and write its manifest beside it."""
    check = engine.access.verify()
    if not check.intact:
        raise Conflict(f"the access log was tampered with ({check.problem}): no backup "
                       "is taken of it; investigate first")
    counts = holdings(engine)
    copies.backup(engine.config.database_url, target)
    with engine.db.engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    manifest = {"taken_at": datetime.now(UTC).isoformat(), "revision": revision,
                "counts": counts, "access_log_head": head_line(check)}
    manifest_path(target).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def bring_back(config: EngineConfig, source: Path) -> Restored:
    """Load ``source`` into the empty database of ``config`` and prove it whole."""
    try:
        manifest = json.loads(manifest_path(source).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Conflict(f"{manifest_path(source)} is missing: a backup is restored with "
                       "the manifest written beside it") from None
    copies.restore(config.database_url, source)
    engine = ProcessEngine(dataclasses.replace(config, clock="system"))
    try:
        engine.upgrade_database()
        journal = ErasureJournal(config.erasure_journal) if config.erasure_journal else None
        erased = []
        for code in journal.codes() if journal else []:
            with engine.db.reading() as session:
                record = session.get(CaseRecord, code)
                readable = record is not None and record.sealed_key is not None
            if readable:
                engine.rights.erase(code, "restore", again=True)
                erased.append(code)
        counts = holdings(engine)
        missing = {name: (had, counts[name]) for name, had in manifest["counts"].items()
                   if counts.get(name, 0) < had}
        if missing:
            raise Conflict(f"the restored database lacks rows: {missing}")
        check = engine.access.verify(manifest["access_log_head"])
        if not check.intact:
            raise Conflict(f"the restored access log does not hold the filed head: "
                           f"{check.problem}")
        return Restored(counts=counts, erased_again=erased, access_head=head_line(check))
    finally:
        engine.close()


def manifest_path(copy: Path) -> Path:
    return copy.with_name(copy.name + ".json")
