"""What actors write about a person is sealed with her case's key at rest.

A raw copy of the database (the SQLite file with its write-ahead log, or a pg_dump)
holds none of it; an altered ciphertext is refused with a clear integrity error; the
engine refuses to start with no master key, a malformed one or another one.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select, text, update

from cli import main
from engine import ProcessEngine
from engine.crypto.keys import MasterKeyError, decode_key, encode_key, new_key
from engine.crypto.sealing import SealBroken
from engine.crypto.vault import ERASED
from engine.services.history import HIDDEN
from engine.store.db import Database
from engine.store.models import CaseRecord, HumanTask, ProcessDefinition, ProcessInstance
from forms import examples
from tests.engine.raw_rows import raw_copy
from tests.product import product_config
from tests.scenarios.case import Case

SECRET = "Kovalenko"
"""A family name an officer should not have written, but did."""
OBSERVED = {**examples.PRELIMINARY,
            "preliminary_observations": f"Julija {SECRET} from Kharkiv, passport taken."}


def test_a_name_written_in_a_narrative_is_nowhere_in_the_database(engine):
    engine.repository.deploy(Path("processes"))
    case = Case.open(engine, "SI-7K3Q-9F2M", process="identification")
    case.complete("record_preliminary", "officer", OBSERVED)
    assert engine.runtime.instance(case.id).variables["preliminary_observations"] \
        == OBSERVED["preliminary_observations"]  # the engine reads it back

    copy = raw_copy(engine)
    assert b"SI-7K3Q-9F2M" in copy  # the copy is real: the pseudonymous code is there
    assert SECRET.encode() not in copy and b"Kharkiv" not in copy


def test_each_case_has_its_own_key_and_a_seal_moved_to_another_case_does_not_open(engine):
    engine.repository.deploy(Path("processes"))
    first = Case.open(engine, "SI-AAAA-AAAA", process="identification")
    second = Case.open(engine, "SI-BBBB-BBBB", process="identification")
    with engine.db.transaction() as session:
        keys = session.scalars(select(CaseRecord.sealed_key)).all()
        assert len(set(keys)) == 2
        stolen = session.get(ProcessInstance, first.id).state
        session.execute(update(ProcessInstance).where(ProcessInstance.id == second.id)
                        .values(state=stolen, revision=ProcessInstance.revision + 1))
    with pytest.raises(SealBroken, match="state of case SI-BBBB-BBBB failed its integrity"):
        second.complete("record_preliminary", "officer", OBSERVED)
    assert first.task("record_preliminary")  # the first case is untouched


def test_an_altered_ciphertext_is_refused_and_nothing_is_shown_or_changed(engine):
    engine.repository.deploy(Path("processes"))
    case = Case.open(engine, "SI-CCCC-CCCC", process="identification")
    case.complete("record_preliminary", "officer", OBSERVED)
    with engine.db.transaction() as session:
        row = session.get(ProcessInstance, case.id)
        flipped = bytearray(row.variables)
        flipped[-20] ^= 0x01
        row.variables = bytes(flipped)
        revision = row.revision + 1
    with pytest.raises(SealBroken) as refused:
        engine.runtime.instance(case.id)
    assert "variables of case SI-CCCC-CCCC failed its integrity check" in refused.value.message
    assert SECRET not in refused.value.message
    with engine.db.reading() as session:
        assert session.get(ProcessInstance, case.id).revision == revision


def test_the_engine_refuses_another_master_key_and_a_malformed_one(engine, database_url):
    engine.repository.deploy(Path("processes"))
    Case.open(engine, "SI-DDDD-DDDD", process="identification")
    with pytest.raises(MasterKeyError, match="not the one this database was sealed with"):
        ProcessEngine(product_config(database_url=database_url, master_key=new_key()))
    with pytest.raises(MasterKeyError, match="not 32 bytes"):
        decode_key("too short", "VARNAPOT_MASTER_KEY")
    same = ProcessEngine(product_config(database_url=database_url))  # the key it was sealed with
    assert same.runtime.instances()[0].case_code == "SI-DDDD-DDDD"
    same.close()


def test_production_needs_the_key_from_its_environment(database_url, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VARNAPOT_MASTER_KEY")
    CliRunner().invoke(main, ["keys", "create"])  # instance/master.key, as make run does
    development = ProcessEngine(product_config(database_url=database_url))
    development.close()
    with pytest.raises(MasterKeyError, match="instance/master.key is not read"):
        ProcessEngine(product_config(database_url=database_url, production=True))


def test_keys_create_writes_a_key_only_its_owner_reads_and_never_overwrites_it(tmp_path):
    path = tmp_path / "instance" / "master.key"
    runner = CliRunner()
    made = runner.invoke(main, ["keys", "create", "--file", str(path)])
    assert made.exit_code == 0 and "Keep a copy somewhere safe" in made.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = decode_key(path.read_text(), str(path))
    again = runner.invoke(main, ["keys", "create", "--file", str(path)])
    assert again.exit_code == 1 and "every sealed case unreadable" in again.output
    assert decode_key(path.read_text(), str(path)) == key
    assert encode_key(key) in path.read_text()


def test_upgrading_a_database_seals_the_instances_it_already_holds(engine, tmp_path):
    """A database made before sealing: its plain JSON state and variables get sealed."""
    if not engine.config.database_url.startswith("sqlite"):
        pytest.skip("the upgrade is exercised on a SQLite file made at the older schema")
    engine.repository.deploy(Path("processes"))
    case = Case.open(engine, "SI-EEEE-EEEE", process="identification")
    case.complete("record_preliminary", "officer", OBSERVED)
    with engine.db.reading() as session:
        row = session.get(ProcessInstance, case.id)
        plain = {c.name: getattr(row, c.key) for c in ProcessInstance.__table__.columns}
        plain["state"] = engine.ctx.vault.open(session, row.case_code, "state", row.state)
        plain["variables"] = engine.ctx.vault.open(session, row.case_code, "variables",
                                                   row.variables)
        definitions, tasks = ([{c.name: getattr(r, c.key) for c in r.__table__.columns}
                               for r in session.scalars(select(model))]
                              for model in (ProcessDefinition, HumanTask))
    for task in tasks:  # columns added after 0007
        del task["legal_date"]
    for definition in definitions:
        del definition["change_note"]

    url = f"sqlite:///{tmp_path / 'before.db'}"
    older = Database(url)
    older.upgrade("0007")
    with older.engine.begin() as connection:
        connection.execute(insert(ProcessDefinition.__table__), definitions)
        connection.execute(text(
            "INSERT INTO process_instance (id, definition_id, process_key, case_code, status,"
            " revision, state, variables, started_at, started_by, updated_at, bindings) VALUES"
            " (:id, :definition_id, :process_key, :case_code, :status, :revision, :state,"
            " :variables, :started_at, :started_by, :updated_at, :bindings)"),
            {**plain, "state": json.dumps(plain["state"]),
             "variables": json.dumps(plain["variables"]),
             "bindings": json.dumps(plain["bindings"])})
        connection.execute(insert(HumanTask.__table__), tasks)
    older.upgrade()
    older.dispose()
    assert SECRET.encode() not in (tmp_path / "before.db").read_bytes()  # old pages zeroed

    upgraded = ProcessEngine(product_config(database_url=url, clock="manual"))
    try:
        view = upgraded.runtime.instance(case.id)
        assert view.variables["preliminary_observations"] == OBSERVED["preliminary_observations"]
        assert [t.element_id for t in view.open_tasks] == ["ask_referral_consent"]
        upgraded.tasks.complete(view.open_tasks[0].id, "officer", examples.REFERRAL_CONSENT)
    finally:
        upgraded.close()


def test_a_typed_reason_is_sealed_in_the_history_and_shown_by_need_to_know(engine):
    engine.repository.deploy(Path("processes"))
    case = Case.open(engine, "SI-FFFF-FFFF", process="identification")
    engine.runtime.suspend(case.id, actor="coordinator",
                           reason="Her trafficker Petrova called the shelter")
    assert b"Petrova" not in raw_copy(engine)
    (event,) = engine.history.events(instance_id=case.id, event_type="instance_suspended")
    assert event.detail == "Her trafficker Petrova called the shelter"
    (hidden,) = engine.history.events(instance_id=case.id, event_type="instance_suspended",
                                      reveal=False)
    assert hidden.detail == HIDDEN
    engine.rights.erase("SI-FFFF-FFFF", "records-officer")
    (erased,) = engine.history.events(instance_id=case.id, event_type="instance_suspended")
    assert erased.detail == ERASED
