"""A case paused while she is missing: which procedures wait, which go on, and what a
resume touches. The disappearance procedure pauses and resumes through its handlers'
effects (``ctx.pause_case`` / ``ctx.resume_case``); the engine applies them in the unit
of work that ran the handler, as ``RuntimeService.suspend`` / ``resume`` would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.kit.jurisdiction import JURISDICTIONS, JurisdictionError, jurisdiction
from engine.store.models import AuditEvent
from tests.conftest import PROCESSES
from tests.processes import permit_steps as permit
from tests.scenarios.case import LJUBLJANA, Case

CASE = "SI-9T2K-4H6N"


def at(engine, day: str, hour: int = 10) -> None:
    local = datetime.fromisoformat(day).replace(hour=hour, tzinfo=LJUBLJANA)
    engine.set_clock(local.astimezone(UTC))


def missing(engine, day: str) -> Case:
    """She is found missing on ``day``, last seen the day before; the search starts."""
    at(engine, day)
    seen = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    return Case.open(engine, CASE, "disappearance", {
        "last_seen_on": seen, "found_missing_on": day, "noticed_by": "ngo_counsellor"})


def back(search: Case, day: str) -> None:
    at(search.engine, day)
    search.complete("record_search_status", "coord", {
        "search_checked_on": day, "search_status": "reappeared", "reappeared_on": day})


@pytest.fixture
def deployed(engine):
    engine.repository.deploy(PROCESSES)
    return engine


def test_escalations_of_legal_deadlines_are_not_paused(deployed):
    engine = deployed
    her_permit = Case.open(engine, CASE, "residence_permit_art50", permit.START)
    at(engine, "2026-04-02")  # the prosecutor's confirmation was due on 1 April
    (escalation,) = engine.runtime.instances(process_key="deadline_escalation")
    assert escalation.status == "running"

    search = missing(engine, "2026-04-02")
    assert her_permit.instance.status == "suspended"
    assert engine.runtime.instance(escalation.id).status == "running"
    assert search.instance.status == "running"


def test_a_timer_that_came_due_while_she_was_missing_fires_when_she_reappears(deployed):
    engine = deployed
    school = Case.open(engine, CASE, "school_enrolment", {"permit_valid_until": "2026-06-30"})
    search = missing(engine, "2026-04-20")
    assert school.instance.status == "suspended"
    at(engine, "2026-05-10")  # the enrolment warning was due on 5 May (56 days before)
    warned = [n.subject for n in engine.deadlines.notifications(instance_id=school.id,
                                                               source="procedure")]
    assert "School enrolment not yet done" not in warned
    assert "act_on_warning" not in school.open_elements()

    back(search, "2026-05-11")
    assert school.instance.status == "running"
    assert "act_on_warning" in school.open_elements()
    warned = [n.subject for n in engine.deadlines.notifications(instance_id=school.id,
                                                               source="procedure")]
    assert "School enrolment not yet done" in warned


def test_a_procedure_resumed_or_suspended_by_hand_is_left_as_its_actor_left_it(deployed):
    engine = deployed
    by_hand = Case.open(engine, CASE, "residence_permit_art50", permit.START)
    engine.runtime.suspend(by_hand.id, actor="coord", reason="she asked for a pause")
    paused = Case.open(engine, CASE, "school_enrolment", {"permit_valid_until": "2026-06-30"})
    search = missing(engine, "2026-03-10")
    assert paused.instance.status == "suspended"
    # A coordinator lets the school enrolment go on, then stops it for another reason.
    engine.runtime.resume(paused.id, actor="coord", reason="her school asked for it")
    engine.runtime.suspend(paused.id, actor="coord", reason="a meeting with the school")

    back(search, "2026-03-12")
    assert by_hand.instance.status == "suspended"
    assert paused.instance.status == "suspended"
    (resumed,) = engine.history.events(instance_id=search.id, event_type="case_resumed")
    assert resumed.detail == "no other procedure"


def test_the_pause_and_its_reason_are_in_each_procedure_history_sealed(deployed):
    engine = deployed
    her_permit = Case.open(engine, CASE, "residence_permit_art50", permit.START)
    search = missing(engine, "2026-03-10")
    (event,) = engine.history.events(instance_id=her_permit.id,
                                     event_type="instance_suspended")
    assert event.actor == "coordinator"
    assert event.detail == ("She is missing since 2026-03-10: her procedures wait until she "
                            f"reappears (disappearance, instance {search.id})")
    (paused,) = engine.history.events(instance_id=search.id, event_type="case_paused")
    assert paused.detail == f"residence_permit_art50 instance {her_permit.id}"
    with engine.ctx.db.reading() as session:
        stored = session.scalar(select(AuditEvent.detail).where(
            AuditEvent.instance_id == her_permit.id,
            AuditEvent.event_type == "instance_suspended"))
    assert "missing" not in stored  # sealed with the case's key, like a typed reason


def _with(replace: str, by: str) -> str:
    text = (JURISDICTIONS / "si.toml").read_text(encoding="utf-8")
    assert replace in text
    return text.replace(replace, by)


@pytest.mark.parametrize(("replace", "by", "key"), [
    ("\nreview_days = 7 ", "\nreview_days = 0 ", "missing.review_days"),
    ("\nreview_days = 7 ", "\nreview_days = 1.5 ", "missing.review_days"),
    ("deadline_notice_days = 42 ", "", "missing.deadline_notice_days"),
])
def test_a_bad_missing_section_names_the_key(tmp_path: Path, replace, by, key):
    (tmp_path / "xx.toml").write_text(_with(replace, by), encoding="utf-8")
    with pytest.raises(JurisdictionError, match=key):
        jurisdiction("xx", tmp_path)


def test_slovenia_checks_the_search_weekly():
    si = jurisdiction("si")
    assert (si.missing_review_days, si.missing_deadline_notice_days) == (7, 42)
