"""The temporary residence permit (Art. 50(4)-(9) ZTuj-2, DOMAIN.md section 3) walked
through the engine with the manual clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.errors import ValidationFailed
from tests.processes import steps
from tests.processes.permit_steps import (
    APPLICATION,
    CERTIFICATE,
    CONFIRMED,
    ISSUED,
    START,
    deadline,
    issue_permit,
    start,
)
from tests.processes.school_steps import STEPS as SCHOOL_STEPS
from tests.processes.steps import complete, only_task, procedure_notices, rejected


def open_elements(engine, instance_id):
    return sorted(steps.open_elements(engine, instance_id))


def test_application_deadline_follows_the_end_of_the_permitted_stay(engine):
    instance = start(engine)
    due = deadline(engine, instance.id, "permit_application_due")
    assert (due.legal_date.isoformat(), due.latest_safe_day.isoformat()) == (
        "2026-05-30", "2026-05-29")
    assert (due.status, due.owner_role) == ("open", "legal_adviser")
    confirm = only_task(engine, instance.id, "confirm_cooperation")
    assert confirm.role == "prosecutor"
    complete(engine, instance.id, "confirm_cooperation", CONFIRMED, user="prosecutor")
    application = only_task(engine, instance.id, "file_application")
    assert application.role == "legal_adviser"
    assert application.due_date.isoformat() == "2026-05-29"


def test_issued_renewed_then_a_further_permit_for_education(engine):
    instance = start(engine)
    complete(engine, instance.id, "confirm_cooperation", CONFIRMED, user="prosecutor")
    complete(engine, instance.id, "file_application", APPLICATION, user="lawyer")
    assert deadline(engine, instance.id, "permit_application_due").status == "met"
    certificate = only_task(engine, instance.id, "issue_certificate")
    assert certificate.role == "admin_unit"
    engine.tasks.complete(certificate.id, "clerk", CERTIFICATE)
    engine.set_clock(datetime(2026, 6, 10, 8, 0, tzinfo=UTC))
    complete(engine, instance.id, "decide_permit", ISSUED, user="clerk")

    state = engine.runtime.instance(instance.id)
    assert state.variables["permit_outcome"] == "issued"
    assert state.variables["permit_issued_on"] == "2026-06-10"
    assert state.variables["permit_valid_until"] == "2026-12-10"  # 3 months -> the minimum 6
    expiry = deadline(engine, instance.id, "permit_expiry")
    assert (expiry.legal_date.isoformat(), expiry.owner_role) == ("2026-12-10", "legal_adviser")
    follow = only_task(engine, instance.id, "follow_proceedings")
    assert follow.role == "legal_adviser" and follow.due_date.isoformat() == "2026-12-10"
    subjects = [n.subject for n in procedure_notices(engine, role="coordinator",
                                                                  instance_id=instance.id)]
    assert "Permit issued: assistance from social work" in subjects

    complete(engine, instance.id, "follow_proceedings", {"next_step": "apply_for_renewal"})
    renewal_due = deadline(engine, instance.id, "renewal_application_due", "renewal-1")
    assert renewal_due.legal_date.isoformat() == "2026-12-10"
    complete(engine, instance.id, "file_renewal", {"renewal_filed_on": "2026-06-10"})
    assert deadline(engine, instance.id, "renewal_application_due", "renewal-1").status == "met"
    decide = only_task(engine, instance.id, "decide_renewal")
    assert decide.role == "admin_unit"
    renewed = {"renewal_decision": "renewed", "renewal_decided_on": "2026-06-10",
               "renewal_months": 13}
    assert "at most 12 months" in rejected(engine, instance.id, "decide_renewal", renewed,
                                           "renewal_months")
    complete(engine, instance.id, "decide_renewal", {**renewed, "renewal_months": 12})
    state = engine.runtime.instance(instance.id)
    assert state.variables["permit_valid_until"] == "2027-12-10"
    assert deadline(engine, instance.id, "permit_expiry").legal_date.isoformat() == "2027-12-10"

    engine.set_clock(datetime(2027, 9, 1, 8, 0, tzinfo=UTC))
    complete(engine, instance.id, "follow_proceedings",
             {"next_step": "proceedings_ended", "proceedings_ended_on": "2027-08-30"})
    further = deadline(engine, instance.id, "further_permit_application_due")
    assert (further.legal_date.isoformat(), further.latest_safe_day.isoformat()) == (
        "2027-12-10", "2027-12-10")
    complete(engine, instance.id, "file_further_permit",
             {"further_permit_basis": "education", "further_permit_filed_on": "2027-09-01"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert done.variables["further_permit_filed_on"] == "2027-09-01"
    assert done.variables["further_permit_late"] is False
    assert deadline(engine, instance.id, "further_permit_application_due").status == "met"
    assert deadline(engine, instance.id, "permit_expiry").status == "met"


def test_expected_proceedings_beyond_a_year_give_the_maximum(engine):
    instance = start(engine)
    issue_permit(engine, instance.id, {**ISSUED, "expected_proceedings_months": 20})
    assert engine.runtime.instance(instance.id).variables["permit_valid_until"] == "2027-06-10"


def test_a_validity_outside_six_to_twelve_months_is_refused(engine):
    instance = start(engine)
    complete(engine, instance.id, "confirm_cooperation", CONFIRMED)
    complete(engine, instance.id, "file_application", APPLICATION)
    complete(engine, instance.id, "issue_certificate", CERTIFICATE)
    engine.set_clock(datetime(2026, 6, 10, 8, 0, tzinfo=UTC))
    for months in (5, 13):
        message = rejected(engine, instance.id, "decide_permit",
                           {**ISSUED, "validity_months": months}, "validity_months")
        assert message == "The permit is issued for at least 6 and at most 12 months " \
                          "(Art. 50(7))."
    complete(engine, instance.id, "decide_permit", {**ISSUED, "validity_months": 9})
    assert engine.runtime.instance(instance.id).variables["permit_valid_until"] == "2027-03-10"


def test_late_application_is_recorded_missed_and_handled(engine):
    instance = start(engine, {**START, "reflection_end": "2026-02-27"})
    complete(engine, instance.id, "confirm_cooperation", CONFIRMED)
    complete(engine, instance.id, "file_application", APPLICATION)
    state = engine.runtime.instance(instance.id)
    assert state.variables["late_filing"] is True
    due = deadline(engine, instance.id, "permit_application_due")
    assert (due.status, due.met_on.isoformat()) == ("missed", "2026-03-02")
    # No certificate for a late application; the legal adviser acts and the unit decides.
    assert open_elements(engine, instance.id) == ["decide_permit", "handle_late_application"]
    assert only_task(engine, instance.id, "handle_late_application").role == "legal_adviser"
    complete(engine, instance.id, "handle_late_application",
             {"late_application_action": "awaiting_decision"})
    complete(engine, instance.id, "decide_permit",
             {"permit_decision": "refused", "refused_on": "2026-03-02",
              "refusal_served_on": "2026-03-02", "refusal_ground": "conditions_not_met"})
    assert only_task(engine, instance.id, "consider_appeal").role == "legal_adviser"


def test_refused_permit(engine):
    instance = start(engine)
    complete(engine, instance.id, "confirm_cooperation", CONFIRMED)
    complete(engine, instance.id, "file_application", APPLICATION)
    complete(engine, instance.id, "issue_certificate", CERTIFICATE)
    refused = {"permit_decision": "refused", "refused_on": "2026-03-02",
               "refusal_served_on": "2026-03-02"}
    assert rejected(engine, instance.id, "decide_permit", refused,
                    "refusal_ground") == "Give the ground of the refusal."
    assert "Choose one of" in rejected(engine, instance.id, "decide_permit",
                                       {**refused, "refusal_ground": "no_money"},
                                       "refusal_ground")
    complete(engine, instance.id, "decide_permit",
             {**refused, "refusal_ground": "contact_with_suspect"})
    complete(engine, instance.id, "consider_appeal",
             {"appeal_filed": False, "reason_not_appealed": "She will return home."})
    complete(engine, instance.id, "plan_after_refusal",
             {"next_step_without_permit": "voluntary_return"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed" and done.variables["permit_outcome"] == "refused"


def test_another_lawful_stay_is_asked_for_when_there_was_no_permitted_stay(engine):
    instance = start(engine, {"victim_category": "domestic_violence",
                              "cooperation_decided_on": "2026-03-02"})
    task = only_task(engine, instance.id, "record_lawful_stay")
    assert task.role == "legal_adviser"
    assert engine.deadlines.deadlines(instance_id=instance.id) == []
    complete(engine, instance.id, "record_lawful_stay",
             {"lawful_stay_end": "2026-11-01", "lawful_stay_basis": "other_permit"})
    due = deadline(engine, instance.id, "permit_application_due")
    assert (due.legal_date.isoformat(), due.latest_safe_day.isoformat()) == (
        "2026-11-01", "2026-10-30")
    assert open_elements(engine, instance.id) == ["confirm_cooperation", "file_application"]


def test_labour_lawsuit_counts_only_for_illegal_employment(engine):
    lawsuit = {**CONFIRMED, "cooperation_basis": "labour_lawsuit_confirmed_by_court"}
    instance = start(engine)
    refusal = rejected(engine, instance.id, "confirm_cooperation", lawsuit,
                       "cooperation_basis")
    assert "only: As a witness" in refusal and "labour lawsuit" not in refusal
    other = start(engine, {**START, "victim_category": "illegal_employment"})
    complete(engine, other.id, "confirm_cooperation", lawsuit)
    assert open_elements(engine, other.id) == ["file_application"]  # the answer is in


def test_forms_refuse_future_dates_and_unpaid_fees(engine):
    instance = start(engine)
    assert rejected(engine, instance.id, "confirm_cooperation",
                    {**CONFIRMED, "cooperation_confirmed_on": "2026-03-03"},
                    "cooperation_confirmed_on") == "The date cannot be in the future."
    complete(engine, instance.id, "confirm_cooperation", CONFIRMED)
    assert rejected(engine, instance.id, "file_application",
                    {**APPLICATION, "application_filed_on": "2026-03-03"},
                    "application_filed_on") == "The date cannot be in the future."
    complete(engine, instance.id, "file_application", APPLICATION)
    assert "exempts her" in rejected(engine, instance.id, "issue_certificate",
                                     {**CERTIFICATE, "fees_waived": False}, "fees_waived")


def test_warning_before_expiry_replaces_the_follow_up(engine):
    instance = start(engine)
    issue_permit(engine, instance.id)
    # Six weeks before 10 December 2026, at 08:00 in Ljubljana (CET).
    engine.set_clock(datetime(2026, 10, 29, 6, 59, tzinfo=UTC))
    assert open_elements(engine, instance.id) == ["follow_proceedings"]
    engine.advance_clock(timedelta(minutes=2))
    assert open_elements(engine, instance.id) == ["act_before_expiry"]
    subjects = [n.subject for n in procedure_notices(engine, role="legal_adviser",
                                                                  instance_id=instance.id)]
    assert "Art. 50 permit expires soon" in subjects
    complete(engine, instance.id, "act_before_expiry",
             {"next_step": "proceedings_ended", "proceedings_ended_on": "2026-10-28"})
    assert open_elements(engine, instance.id) == ["file_further_permit"]


def test_further_permit_filed_after_expiry_is_recorded_missed(engine):
    instance = start(engine)
    issue_permit(engine, instance.id)
    complete(engine, instance.id, "follow_proceedings",
             {"next_step": "proceedings_ended", "proceedings_ended_on": "2026-06-10"})
    engine.set_clock(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    complete(engine, instance.id, "file_further_permit",
             {"further_permit_basis": "employment", "further_permit_filed_on": "2026-12-14"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert done.variables["further_permit_late"] is True
    due = deadline(engine, instance.id, "further_permit_application_due")
    assert (due.status, due.met_on.isoformat()) == ("missed", "2026-12-14")


def test_refused_renewal_leads_to_the_further_permit(engine):
    instance = start(engine)
    issue_permit(engine, instance.id)
    complete(engine, instance.id, "follow_proceedings", {"next_step": "apply_for_renewal"})
    complete(engine, instance.id, "file_renewal", {"renewal_filed_on": "2026-06-10"})
    complete(engine, instance.id, "decide_renewal",
             {"renewal_decision": "refused", "renewal_decided_on": "2026-06-10",
              "renewal_refusal_ground": "proceedings_ended"})
    assert open_elements(engine, instance.id) == ["file_further_permit"]
    complete(engine, instance.id, "file_further_permit",
             {"further_permit_basis": "none", "reason_not_filed": "She chose to return."})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed" and done.variables["further_permit_filed_on"] is None
    assert deadline(engine, instance.id, "further_permit_application_due").status == "cancelled"


def test_schooling_runs_beside_the_proceedings(engine):
    instance = start(engine)
    issue_permit(engine, instance.id)
    complete(engine, instance.id, "follow_proceedings", {"next_step": "plan_schooling"})
    assert open_elements(engine, instance.id) == ["agree_schooling", "follow_proceedings",
                                                  "watch_deadline"]
    assert only_task(engine, instance.id, "agree_schooling").role == "ngo_counsellor"
    school_due = deadline(engine, instance.id, "school_enrolment_due")
    assert school_due.legal_date.isoformat() == "2026-12-10"
    assert "already started" in rejected(engine, instance.id, "follow_proceedings",
                                         {"next_step": "plan_schooling"}, "next_step")

    complete(engine, instance.id, "agree_schooling",
             {"schooling_consent": "refused", "schooling_consent_date": "2026-06-10"})
    assert open_elements(engine, instance.id) == ["follow_proceedings"]
    complete(engine, instance.id, "follow_proceedings",
             {"next_step": "proceedings_ended", "proceedings_ended_on": "2026-06-10"})
    complete(engine, instance.id, "file_further_permit",
             {"further_permit_basis": "employment", "further_permit_filed_on": "2026-06-10"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert done.variables["school_enrolled"] is False
    assert done.variables["further_permit_filed_on"] == "2026-06-10"
    assert done.variables["permit_outcome"] == "issued"


def test_an_unknown_victim_category_stops_at_the_start(engine):
    """Started alone, the start form asks for it; nothing is started without it."""
    for data in ({"reflection_end": "2026-05-30", "cooperation_decided_on": "2026-03-02"},
                 {**START, "victim_category": "burglary"}):
        with pytest.raises(ValidationFailed) as caught:
            start(engine, data)
        assert "victim_category" in caught.value.fields
    assert engine.runtime.instances() == []


def test_schooling_outlasting_the_procedure_keeps_the_renewed_validity(engine):
    instance = start(engine)
    issue_permit(engine, instance.id)
    complete(engine, instance.id, "follow_proceedings", {"next_step": "plan_schooling"})
    for element_id, data in SCHOOL_STEPS:
        data = {k: "2026-06-10" if isinstance(v, str) and v[:4] == "2026" else v
                for k, v in data.items()}
        complete(engine, instance.id, element_id, data)
    complete(engine, instance.id, "record_enrolment", {"enrolled_on": "2026-06-10"})
    assert deadline(engine, instance.id, "school_enrolment_due").status == "met"

    complete(engine, instance.id, "follow_proceedings", {"next_step": "apply_for_renewal"})
    complete(engine, instance.id, "file_renewal", {"renewal_filed_on": "2026-06-10"})
    complete(engine, instance.id, "decide_renewal",
             {"renewal_decision": "renewed", "renewal_decided_on": "2026-06-10",
              "renewal_months": 12})
    complete(engine, instance.id, "follow_proceedings",
             {"next_step": "proceedings_ended", "proceedings_ended_on": "2026-06-10"})
    complete(engine, instance.id, "file_further_permit",
             {"further_permit_basis": "education", "further_permit_filed_on": "2026-06-10"})
    assert engine.runtime.instance(instance.id).status == "waiting"  # schooling goes on

    engine.set_clock(datetime(2026, 7, 10, 7, 0, tzinfo=UTC))
    complete(engine, instance.id, "report_progress",
             {"progress_report_on": "2026-07-10", "school_progress": "good",
              "programme_status": "programme_completed"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert {k: done.variables[k] for k in ("permit_outcome", "permit_issued_on",
                                           "permit_valid_until", "further_permit_filed_on",
                                           "enrolled_on", "school_enrolled")} == {
        "permit_outcome": "issued", "permit_issued_on": "2026-06-10",
        "permit_valid_until": "2027-12-10", "further_permit_filed_on": "2026-06-10",
        "enrolled_on": "2026-06-10", "school_enrolled": True}
