"""The backup drill: a database after a whole case is copied, restored into an empty
one, and proven whole: every case, deadline, timer and access-log entry is back and the
access log holds the head filed with the copy. A case erased after the copy stays
unreadable after the restore: the erasure journal, kept apart, erases her again."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text

from engine import ProcessEngine
from engine.crypto.vault import CaseErased
from engine.errors import Conflict
from engine.protection.access import Reader
from engine.services import backups
from tests.conftest import PG_URL, PROCESSES
from tests.scenarios.case import identified

JULIJA, ERASED = "SI-7K3Q-9F2M", "SI-4D2W-8H1N"
COORDINATOR = Reader("coordinator", ("coordinator",), "127.0.0.1")
RECORD = {"identity_basis": "residence_procedure", "given_name": "Julija",
          "family_name": "Kovalenko", "narrative": "Her own account."}


@pytest.fixture
def empty_database(database_url: str, tmp_path: Path):
    """A new, empty database on the same server: another file, or another PostgreSQL
    database reached with the same options (the tests' schema)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    assert PG_URL is not None
    name = f"varnapot_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    parts = urlsplit(database_url)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_backup_restores_whole_and_an_erased_case_stays_erased(make_engine, tmp_path,
                                                                  empty_database):
    journal = tmp_path / "keys" / "erased-cases"
    engine = make_engine(erasure_journal=journal)
    engine.repository.deploy(PROCESSES)
    for code in (JULIJA, ERASED):
        identified(engine, code, stay_granted=True)
        engine.people.write(COORDINATOR, code, RECORD, "intake")
        engine.people.read(COORDINATOR, code, "case review")
    deadlines = sorted((d.case_code, d.kind, str(d.legal_date), d.status)
                       for d in engine.deadlines.deadlines())
    timers = len(engine.timers.timers())
    assert deadlines and timers

    copy = tmp_path / "backups" / "varnapot.backup"
    manifest = backups.take(engine, copy)
    assert manifest["counts"]["access_event"] >= 4
    with pytest.raises(Conflict, match="never overwrites"):
        backups.take(engine, copy)

    engine.rights.erase(ERASED, "records-officer")  # after the copy was made
    assert journal.read_text().split()[-1] == ERASED

    config = dataclasses.replace(engine.config, database_url=empty_database)
    restored_once = backups.bring_back(config, copy)
    assert restored_once.erased_again == [ERASED]
    assert restored_once.counts["access_event"] >= manifest["counts"]["access_event"]
    with pytest.raises(Conflict, match="not empty"):
        backups.bring_back(config, copy)  # the restored database is left as it is

    restored = ProcessEngine(config)
    try:
        back = sorted((d.case_code, d.kind, str(d.legal_date), d.status)
                      for d in restored.deadlines.deadlines())
        assert [d for d in back if d[0] == JULIJA] == [d for d in deadlines if d[0] == JULIJA]
        # Her procedures were cancelled when she was erased again: so were her deadlines.
        assert {d[3] for d in back if d[0] == ERASED} <= {"cancelled", "met"}
        assert len(back) == len(deadlines)
        assert len(restored.timers.timers()) <= timers  # her cancelled ones are gone
        assert restored.people.read(COORDINATOR, JULIJA, "after restore").fields[
            "family_name"] == "Kovalenko"
        with pytest.raises(CaseErased):
            restored.people.read(COORDINATOR, ERASED, "after restore")
        check = restored.access.verify(manifest["access_log_head"])
        assert check.intact
        assert {i.case_code for i in restored.runtime.instances()} == {JULIJA, ERASED}
    finally:
        restored.close()


def test_a_restore_without_its_manifest_is_refused_and_writes_nothing(engine, tmp_path,
                                                                      empty_database):
    engine.repository.deploy(PROCESSES)
    copy = tmp_path / "copy.backup"
    backups.take(engine, copy)
    backups.manifest_path(copy).unlink()
    config = dataclasses.replace(engine.config, database_url=empty_database)
    with pytest.raises(Conflict, match="manifest"):
        backups.bring_back(config, copy)
    probe = create_engine(empty_database)
    try:
        with probe.connect() as connection:
            assert not connection.dialect.get_table_names(connection)
    finally:
        probe.dispose()
