"""One deployment serves several jurisdictions: a case is opened in one, and its
deadlines, calendar and form limits follow that one's file, not the deployment's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.errors import Conflict, ValidationFailed
from engine.kit.jurisdiction import JURISDICTIONS
from engine.store.models import CaseRecord, LegalDeadline, ProcessInstance
from tests.conftest import PROCESSES

OWN = re.compile(r"own = \[[^\]]*\]")
GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-02",
         "victim_category": "trafficking", "informed_of_permit": True,
         "interpreter_provided": True}


@pytest.fixture
def engine(make_engine, tmp_path):
    """Slovenia, the deployment's own, beside XT: Slovenia's file with a 30-day
    reflection period, Serbia's holidays and closed cases kept three years."""
    folder = tmp_path / "jurisdictions"
    folder.mkdir()
    slovenia = (JURISDICTIONS / "si.toml").read_text(encoding="utf-8")
    (folder / "si.toml").write_text(slovenia, encoding="utf-8")
    (folder / "xt.toml").write_text(
        slovenia.replace('code = "SI"', 'code = "XT"')
        .replace('holiday_calendar = "SI"', 'holiday_calendar = "RS"')
        .replace("\ndays = 90 ", "\ndays = 30 ")
        .replace("retention_years = 10 ", "retention_years = 3 "), encoding="utf-8")
    built = make_engine(jurisdiction="si", jurisdiction_folder=folder)
    built.repository.deploy(PROCESSES)
    return built


def decision_due(engine, case: str, **start: str):
    instance = engine.runtime.start("reflection_period", case, actor="coord", **start)
    [grant] = [t for t in instance.open_tasks if t.element_id == "grant_permitted_stay"]
    engine.tasks.complete(grant.id, "officer", GRANT)
    [decision] = [t for t in engine.runtime.instance(instance.id).open_tasks
                  if t.element_id == "record_decision"]
    return decision


def places(engine, case: str) -> tuple[str | None, set[str]]:
    with engine.db.reading() as session:
        return (session.get(CaseRecord, case).jurisdiction,
                set(session.scalars(select(LegalDeadline.jurisdiction)
                                   .where(LegalDeadline.case_code == case))))


def test_each_case_follows_the_law_and_calendar_of_its_jurisdiction(engine):
    slovene = decision_due(engine, "SI-2026-0001")
    other = decision_due(engine, "XT-2026-0001", jurisdiction="XT")
    assert slovene.legal_date.isoformat() == "2026-05-31"  # 90 days from 2 March
    assert other.legal_date.isoformat() == "2026-04-01"  # XT's 30 days
    assert places(engine, "SI-2026-0001") == ("SI", {"SI"})
    assert places(engine, "XT-2026-0001") == ("XT", {"XT"})

    # A second procedure of the case follows the case, without being told.
    engine.runtime.start("school_enrolment", "XT-2026-0001", {"is_child": True})
    assert places(engine, "XT-2026-0001")[0] == "XT"


def test_a_case_keeps_its_jurisdiction_once_a_deadline_was_computed(engine):
    decision_due(engine, "XT-2026-0002", jurisdiction="xt")
    with engine.db.reading() as session:
        before = session.scalar(select(func.count()).select_from(ProcessInstance))
    with pytest.raises(Conflict, match="follows the law of XT"):
        engine.runtime.start("reflection_period", "XT-2026-0002", jurisdiction="SI")
    with pytest.raises(ValidationFailed) as caught:
        engine.runtime.start("reflection_period", "XT-2026-0003", jurisdiction="QQ")
    assert "not a jurisdiction of this deployment" in caught.value.fields["jurisdiction"][0]
    with engine.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == before
        assert session.get(CaseRecord, "XT-2026-0003") is None


def test_a_closed_case_comes_up_for_review_after_its_own_jurisdictions_years(engine):
    for case, place in (("SI-2026-0009", "SI"), ("XT-2026-0009", "XT")):
        instance = engine.runtime.start("reflection_period", case, jurisdiction=place)
        engine.runtime.cancel(instance.id, actor="coord", reason="opened by mistake")
    engine.advance_clock(timedelta(days=3 * 366), fire=False)
    assert [item.case_code for item in engine.rights.due_for_review()] == ["XT-2026-0009"]


def test_a_recorded_transfer_moves_the_case_and_counts_its_deadlines_again(engine):
    """Granted on 14 March under XT, her stay ends on Monday 13 April: Orthodox Easter
    Monday, after Good Friday, on XT's (Serbia's) calendar, so she must act by Thursday
    9 April. Moved to Slovenia, the legal date stands and 13 April is a working day."""
    engine.advance_clock(timedelta(days=12))
    instance = engine.runtime.start("reflection_period", "XT-2026-0004", jurisdiction="XT")
    [grant] = [t for t in instance.open_tasks if t.element_id == "grant_permitted_stay"]
    engine.tasks.complete(grant.id, "officer", {**GRANT, "stay_decision_date": "2026-03-14"})

    def stay_end() -> tuple[str, str, str]:
        [end] = [d for d in engine.deadlines.deadlines(case_code="XT-2026-0004")
                 if d.kind == "reflection_end"]
        return end.legal_date.isoformat(), end.latest_safe_day.isoformat(), end.jurisdiction

    assert stay_end() == ("2026-04-13", "2026-04-09", "XT")
    with pytest.raises(ValidationFailed, match="not transferred"):
        engine.transfers.transfer("XT-2026-0004", "SI", reason=" ")
    with pytest.raises(Conflict, match="already follows XT"):
        engine.transfers.transfer("XT-2026-0004", "XT", reason="no move")
    assert stay_end() == ("2026-04-13", "2026-04-09", "XT")

    moved = engine.transfers.transfer("XT-2026-0004", "SI", actor="coord",
                                      reason="She moved to Ljubljana.")
    assert (moved.source, moved.target) == ("XT", "SI")
    assert stay_end() == ("2026-04-13", "2026-04-13", "SI")
    assert places(engine, "XT-2026-0004")[0] == "SI"
    [event] = engine.history.events(event_type="case_transferred")
    assert event.detail.endswith("XT -> SI: She moved to Ljubljana.")
    assert any("reflection_end: latest safe day 2026-04-09 -> 2026-04-13" in e.detail
               for e in engine.history.events(event_type="deadline_recomputed"))
    # From now on its steps follow Slovenia: another procedure of the case starts there.
    engine.runtime.start("school_enrolment", "XT-2026-0004", {"is_child": True})
    assert places(engine, "XT-2026-0004")[0] == "SI"


def test_a_procedure_of_one_countrys_law_is_refused_for_a_case_of_another(make_engine,
                                                                          tmp_path):
    """Slovenia's Art. 50 permit is not what a case of XT applies for, when XT names its
    own procedures; nothing is started and no case is opened."""
    folder = tmp_path / "own"
    folder.mkdir()
    slovenia = (JURISDICTIONS / "si.toml").read_text(encoding="utf-8")
    (folder / "si.toml").write_text(slovenia, encoding="utf-8")
    (folder / "xt.toml").write_text(
        slovenia.replace('code = "SI"', 'code = "XT"').replace('name = "Slovenia"',
                                                               'name = "Testland"')
        .replace(OWN.search(slovenia).group(), 'own = ["voluntary_return"]'), encoding="utf-8")
    engine = make_engine(jurisdiction="si", jurisdiction_folder=folder)
    engine.repository.deploy(PROCESSES)
    with engine.db.reading() as session:
        before = session.scalar(select(func.count()).select_from(ProcessInstance))
    with pytest.raises(ValidationFailed) as caught:
        engine.runtime.start("reflection_period", "XT-2026-0021", jurisdiction="XT")
    [message] = caught.value.fields["process_key"]
    assert "procedure of the law of Slovenia" in message and "case of Testland" in message
    with pytest.raises(ValidationFailed, match="nothing was started"):
        engine.runtime.start("voluntary_return", "SI-2026-0021")
    with engine.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == before
        assert session.get(CaseRecord, "XT-2026-0021") is None
        assert session.get(CaseRecord, "SI-2026-0021") is None
    # A procedure no jurisdiction claims serves both.
    engine.runtime.start("identification", "XT-2026-0022", jurisdiction="XT")
    assert places(engine, "XT-2026-0022")[0] == "XT"


def test_a_case_whose_jurisdiction_left_the_deployment_still_lists(engine, make_engine,
                                                                  tmp_path):
    """An operator removed XT's file: its cases' deadlines still list, with nothing said
    of a legal basis the engine can no longer read."""
    decision_due(engine, "XT-2026-0031", jurisdiction="XT")
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "si.toml").write_text((JURISDICTIONS / "si.toml").read_text(encoding="utf-8"),
                                   encoding="utf-8")
    after = make_engine(jurisdiction="si", jurisdiction_folder=alone)
    listed = after.deadlines.deadlines(case_code="XT-2026-0031")
    assert [(d.jurisdiction, d.unconfirmed_basis) for d in listed] == [("XT", [])] * len(listed)
    assert listed
