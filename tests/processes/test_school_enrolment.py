"""School enrolment before the permit expires (DOMAIN.md section 4, seed 001 3.3), walked
through the engine with the manual clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.processes import steps
from tests.processes.school_steps import (
    CERTIFICATES,
    CHOICE,
    CONSENT,
    CONTRACT,
    INTRODUCTION,
    LANGUAGE,
    MANAGEMENT,
    PERMIT_END,
    RECOGNITION,
    STEPS,
    deploy,
)
from tests.processes.steps import only_task, procedure_notices, rejected

CASE = "SI-2026-0042"


@pytest.fixture
def started(engine):
    deploy(engine)
    instance = engine.runtime.start("school_enrolment", CASE,
                                    data={"permit_valid_until": PERMIT_END}, actor="counsellor")
    return engine, instance


def open_elements(engine, instance_id):
    return sorted(steps.open_elements(engine, instance_id))


def complete(engine, instance_id, element_id, data, user="counsellor"):
    steps.complete(engine, instance_id, element_id, data, user)


def walk_to_enrolment(engine, instance_id):
    for element_id, data in STEPS:
        complete(engine, instance_id, element_id, data)


def deadline(engine, instance_id, kind):
    (found,) = engine.deadlines.deadlines(instance_id=instance_id, kind=kind)
    return found


def test_enrolled_in_time_then_monthly_reports_until_she_completes(started):
    engine, instance = started
    assert open_elements(engine, instance.id) == ["agree_schooling", "watch_deadline"]
    watch = only_task(engine, instance.id, "watch_deadline")
    assert watch.role == "legal_adviser"
    assert watch.due_date.isoformat() == "2026-12-24"
    due = deadline(engine, instance.id, "school_enrolment_due")
    assert (due.legal_date.isoformat(), due.latest_safe_day.isoformat(), due.status) == (
        "2026-12-26", "2026-12-24", "open")
    assert due.owner_role == "ngo_counsellor"

    walk_to_enrolment(engine, instance.id)
    enrol = only_task(engine, instance.id, "record_enrolment")
    assert enrol.role == "school"
    engine.tasks.complete(enrol.id, "school", {"enrolled_on": "2026-03-02"})

    # The enrolment closes the legal adviser's watch; no warning will come.
    state = engine.runtime.instance(instance.id)
    assert state.open_tasks == [] and [t.element_id for t in state.timers] == ["wait_report"]
    assert state.variables["school_enrolled"] is True
    assert deadline(engine, instance.id, "school_enrolment_due").status == "met"

    engine.set_clock(datetime(2026, 4, 2, 5, 59, tzinfo=UTC))  # 07:59 in Ljubljana
    assert open_elements(engine, instance.id) == []
    engine.advance_clock(timedelta(minutes=2))
    report = only_task(engine, instance.id, "report_progress")
    assert report.role == "school"
    engine.tasks.complete(report.id, "school", {"progress_report_on": "2026-04-02",
                                                "school_progress": "some_difficulties",
                                                "programme_status": "continuing"})
    engine.set_clock(datetime(2026, 5, 2, 6, 1, tzinfo=UTC))
    complete(engine, instance.id, "report_progress",
             {"progress_report_on": "2026-05-02", "school_progress": "good",
              "programme_status": "school_year_ended"}, user="school")
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert done.variables["enrolled_on"] == "2026-03-02"
    assert done.variables["school_enrolled"] is True
    assert done.variables["enrolment_late"] is False


def test_warning_before_the_latest_safe_day_when_not_enrolled(started):
    engine, instance = started
    complete(engine, instance.id, "agree_schooling", CONSENT)
    # 56 days before 24 December, at 08:00 local time (CET).
    engine.set_clock(datetime(2026, 10, 29, 6, 59, tzinfo=UTC))
    assert "act_on_warning" not in open_elements(engine, instance.id)
    engine.advance_clock(timedelta(minutes=2))
    warning = only_task(engine, instance.id, "act_on_warning")
    assert warning.role == "legal_adviser"
    assert "watch_deadline" in open_elements(engine, instance.id)  # the watch stays
    notices = procedure_notices(engine, role="legal_adviser", instance_id=instance.id)
    assert [n.subject for n in notices] == ["School enrolment not yet done"]
    complete(engine, instance.id, "act_on_warning",
             {"warning_action": "enrolment_speeded_up"}, user="lawyer")


def test_late_enrolment_is_recorded_as_missed_and_alerts_the_legal_adviser(engine):
    deploy(engine)
    instance = engine.runtime.start("school_enrolment", CASE,
                                    data={"permit_valid_until": "2026-04-30"})
    walk_to_enrolment(engine, instance.id)
    engine.set_clock(datetime(2026, 5, 5, 8, 0, tzinfo=UTC))
    complete(engine, instance.id, "record_enrolment", {"enrolled_on": "2026-05-04"},
             user="school")
    state = engine.runtime.instance(instance.id)
    assert state.variables["enrolment_late"] is True
    assert state.variables["school_enrolled"] is True
    assert "handle_late_enrolment" in open_elements(engine, instance.id)
    due = deadline(engine, instance.id, "school_enrolment_due")
    assert (due.status, due.met_on.isoformat()) == ("missed", "2026-05-04")
    subjects = [n.subject for n in procedure_notices(engine, role="legal_adviser",
                                                                  instance_id=instance.id)]
    assert "Enrolled after the permit expired" in subjects
    complete(engine, instance.id, "handle_late_enrolment",
             {"late_enrolment_action": "other_permit_basis"}, user="lawyer")


def test_she_does_not_want_schooling_now(started):
    engine, instance = started
    complete(engine, instance.id, "agree_schooling",
             {"schooling_consent": "refused", "schooling_consent_date": "2026-03-02"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert done.variables["school_enrolled"] is False
    assert done.variables["enrolled_on"] is None
    due = deadline(engine, instance.id, "school_enrolment_due")
    assert due.status == "cancelled" and due.cancel_reason


def test_another_school_then_she_withdraws(started):
    engine, instance = started
    for element_id, data in STEPS[:4]:
        complete(engine, instance.id, element_id, data)
    complete(engine, instance.id, "meet_school_management",
             {"management_meeting_on": "2026-03-02", "management_outcome": "try_another_school"})
    complete(engine, instance.id, "choose_school", {**CHOICE, "school_name": "Other school"})
    complete(engine, instance.id, "meet_school_management",
             {"management_meeting_on": "2026-03-02", "management_outcome": "she_withdrew"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed" and done.variables["school_enrolled"] is False


def test_she_may_refuse_the_meeting_and_no_recognition_is_needed(started):
    engine, instance = started
    for element_id, data in STEPS[:2]:
        complete(engine, instance.id, element_id, data)
    complete(engine, instance.id, "collect_certificates",
             {"education_level": "primary", "certificates_status": "obtained",
              "collected_through": "herself"})
    for element_id, data in STEPS[3:6]:
        complete(engine, instance.id, element_id, data)
    complete(engine, instance.id, "introduction_meeting",
             {"meeting_consent": "refused", "meeting_consent_date": "2026-03-02",
              "status_not_disclosed": True})
    assert "record_enrolment" in open_elements(engine, instance.id)


def test_forms_refuse_what_the_procedure_excludes(started):
    engine, instance = started
    assert "recovery shows progress" in rejected(
        engine, instance.id, "agree_schooling",
        {**CONSENT, "recovery_progress_seen": False}, "recovery_progress_seen")
    complete(engine, instance.id, "agree_schooling", CONSENT)
    complete(engine, instance.id, "arrange_language_course", LANGUAGE)
    assert "power of attorney" in rejected(
        engine, instance.id, "collect_certificates",
        {**CERTIFICATES, "power_of_attorney_given": False}, "power_of_attorney_given")
    complete(engine, instance.id, "collect_certificates", CERTIFICATES)
    assert "together with her" in rejected(
        engine, instance.id, "choose_school", {**CHOICE, "chosen_with_her": False},
        "chosen_with_her")
    complete(engine, instance.id, "choose_school", CHOICE)
    assert "refunded" in rejected(
        engine, instance.id, "meet_school_management",
        {**MANAGEMENT, "refund_if_she_leaves": None}, "refund_if_she_leaves")
    complete(engine, instance.id, "meet_school_management", MANAGEMENT)
    complete(engine, instance.id, "sign_contract", CONTRACT, user="school")
    assert "not disclosed" in rejected(
        engine, instance.id, "introduction_meeting",
        {**INTRODUCTION, "status_not_disclosed": False}, "status_not_disclosed")
    complete(engine, instance.id, "introduction_meeting", INTRODUCTION)
    complete(engine, instance.id, "recognise_education", RECOGNITION)
    assert rejected(engine, instance.id, "record_enrolment", {"enrolled_on": "2026-03-03"},
                    "enrolled_on") == "The date cannot be in the future."


def test_without_the_permit_end_the_start_is_an_incident(engine):
    deploy(engine)
    instance = engine.runtime.start("school_enrolment", CASE)
    assert instance.status == "incident"
    assert "permit_valid_until" in instance.incident_message
