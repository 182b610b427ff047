"""Her rights: a readable export of everything held about her, erasure by destroying her
key (refused under a legal hold), and the review of closed cases past retention."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cli import main
from engine.crypto.vault import CaseErased
from engine.errors import Conflict
from engine.protection.access import Reader
from engine.store.models import CaseRecord, HumanTask
from forms import examples
from tests.engine.raw_rows import raw_copy
from tests.scenarios.case import Case

CODE = "SI-7K3Q-9F2M"
COORDINATOR = Reader("coordinator", ("coordinator",), "127.0.0.1")
RECORD = {"identity_basis": "residence_procedure", "given_name": "Julija",
          "family_name": "Kovalenko",
          "narrative": "Her <b>own</b> account & more."}


@pytest.fixture
def julija(engine) -> Case:
    engine.repository.deploy(Path("processes"))
    case = Case.open(engine, CODE, process="identification")
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT)
    engine.people.write(COORDINATOR, CODE, RECORD, "test")
    return case


def test_the_export_holds_everything_about_her_and_is_itself_logged(julija, engine,
                                                                   tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", engine.config.database_url)
    engine.users.add("records-officer", ["coordinator"], by="tests")
    result = CliRunner().invoke(main, ["case", "export", CODE, "--out", str(tmp_path),
                                       "--as", "records-officer"])
    assert result.exit_code == 0, result.output
    exported = json.loads((tmp_path / f"{CODE}.json").read_text())
    assert exported["personal_record"]["family_name"] == "Kovalenko"
    (consent,) = exported["consents"]
    assert (consent["purpose"], consent["status"]) == ("referral", "given")
    (procedure,) = exported["procedures"]
    assert procedure["data"]["preliminary_observations"] == \
        examples.PRELIMINARY["preliminary_observations"]
    assert [t["status"] for t in procedure["tasks"]] == ["completed", "completed", "open"]
    assert {"task_completed", "instance_started"} <= {e["event"] for e in exported["history"]}
    page = (tmp_path / f"{CODE}.html").read_text()
    assert "Kovalenko" in page and "Her &lt;b&gt;own&lt;/b&gt; account &amp; more." in page
    for suffix in (".json", ".html"):
        assert stat.S_IMODE(os.stat(tmp_path / f"{CODE}{suffix}").st_mode) == 0o600
    (event,) = engine.access.events(case_code=CODE, limit=1)
    assert (event.username, event.roles, event.what) == (
        "records-officer", ["coordinator"], f"export of case {CODE}")
    assert {"family_name", "narrative", "preliminary_observations"} <= set(event.fields)


def test_erasure_is_refused_under_a_legal_hold_and_then_destroys_her_key(julija, engine):
    engine.rights.hold(CODE, True, "prosecutor")
    with pytest.raises(Conflict, match="legal hold"):
        engine.rights.erase(CODE, "records-officer")
    assert engine.people.read(COORDINATOR, CODE, "test").fields["family_name"] == "Kovalenko"
    assert julija.instance.status == "running"  # nothing was cancelled

    engine.rights.hold(CODE, False, "prosecutor")
    assert engine.rights.erase(CODE, "records-officer") == 1
    for read in (lambda: engine.runtime.instance(julija.id),
                 lambda: engine.people.read(COORDINATOR, CODE, "test"),
                 lambda: engine.rights.export(COORDINATOR, CODE)):
        with pytest.raises(CaseErased):
            read()
    with pytest.raises(CaseErased, match="new code"):
        engine.runtime.start("identification", CODE, actor="coordinator")
    with engine.db.reading() as session:
        record = session.get(CaseRecord, CODE)
        assert record.sealed_key is None and record.person is None
        assert set(session.scalars(select(HumanTask.status))) == {"completed", "cancelled"}
    assert b"Kovalenko" not in raw_copy(engine)
    assert engine.access.verify().intact  # the log of her case stays, by code


def test_the_instance_list_still_lists_an_erased_case_without_its_data(julija, engine,
                                                                      monkeypatch):
    other = Case.open(engine, "SI-OPEN-0001", process="identification")
    other.complete("record_preliminary", "officer", examples.PRELIMINARY)
    engine.rights.erase(CODE, "records-officer")

    listed = {view.case_code: view for view in engine.runtime.instances()}
    assert listed[CODE].status == "cancelled" and listed[CODE].variables == {}
    assert listed["SI-OPEN-0001"].variables == other.instance.variables != {}
    assert [t.element_id for t in listed["SI-OPEN-0001"].open_tasks] == \
        [t.element_id for t in other.instance.open_tasks]
    monkeypatch.setenv("DATABASE_URL", engine.config.database_url)
    result = CliRunner().invoke(main, ["instances", "--json"])
    assert result.exit_code == 0, result.output
    assert {item["case_code"] for item in json.loads(result.output)} == {CODE, "SI-OPEN-0001"}


def test_the_erase_command_asks_for_confirmation(julija, engine, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", engine.config.database_url)
    journal = tmp_path / "erased-cases"
    monkeypatch.setenv("VARNAPOT_ERASURE_JOURNAL", str(journal))
    runner = CliRunner()
    unconfirmed = runner.invoke(main, ["case", "erase", CODE])
    assert unconfirmed.exit_code == 1 and "--yes" in unconfirmed.output
    assert engine.people.read(COORDINATOR, CODE, "test").fields["given_name"] == "Julija"
    nobody = runner.invoke(main, ["case", "erase", CODE, "--yes", "--as", "records-officer"])
    assert nobody.exit_code == 1 and "user 'records-officer' does not exist" in nobody.output
    assert engine.people.read(COORDINATOR, CODE, "test").fields["given_name"] == "Julija"
    engine.users.add("records-officer", ["coordinator"], by="tests")
    assert not journal.exists()  # nothing erased yet, nothing written
    done = runner.invoke(main, ["case", "erase", CODE, "--yes", "--as", "records-officer"])
    assert done.exit_code == 0 and "erased" in done.output
    assert journal.read_text().split()[-1] == CODE  # kept apart from the database
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600


def test_closed_cases_past_retention_are_listed_for_review(julija, engine):
    Case.open(engine, "SI-OPEN-0001", process="identification")  # still running
    engine.runtime.cancel(julija.id, actor="coordinator", reason="she moved abroad")
    assert engine.rights.due_for_review() == []
    engine.set_clock(datetime(2036, 3, 3, 9, tzinfo=UTC))  # ten years and a day later
    (item,) = engine.rights.due_for_review()
    assert (item.case_code, item.closed_on.isoformat(), item.legal_hold) == \
        (CODE, "2026-03-02", False)
    engine.rights.hold(CODE, True, "prosecutor")
    assert engine.rights.due_for_review()[0].legal_hold is True
