"""Deadlines derived from the Art. 50 permit follow it when it is renewed: the school
enrolment deadline (seed 001, 3.3.2: enrolled before the permit expires) is the case's
permit expiry, not a copy taken when schooling started."""

from __future__ import annotations

from tests.processes import permit_steps as permit
from tests.processes.school_steps import STEPS as SCHOOL_STEPS
from tests.processes.steps import at, complete, only_task, open_elements, procedure_notices

RENEWED = {"renewal_decision": "renewed", "renewal_decided_on": "2026-06-10",
           "renewal_months": 12}


def _schooling_then_renewal(engine):
    """Permit to 10 December 2026, schooling started, then renewed to 10 December 2027."""
    instance = permit.start(engine)
    permit.issue_permit(engine, instance.id)
    complete(engine, instance.id, "follow_proceedings", {"next_step": "plan_schooling"})
    assert str(permit.deadline(engine, instance.id, "school_enrolment_due").legal_date) \
        == "2026-12-10"
    complete(engine, instance.id, "follow_proceedings", {"next_step": "apply_for_renewal"})
    complete(engine, instance.id, "file_renewal", {"renewal_filed_on": "2026-06-10"})
    complete(engine, instance.id, "decide_renewal", RENEWED, user="clerk")
    return instance


def test_the_school_deadline_follows_the_renewed_permit(engine):
    instance = _schooling_then_renewal(engine)
    school = permit.deadline(engine, instance.id, "school_enrolment_due")
    assert (str(school.legal_date), str(school.latest_safe_day), school.status) == (
        "2027-12-10", "2027-12-10", "open")
    watch = only_task(engine, instance.id, "watch_deadline")
    assert (watch.role, str(watch.due_date)) == ("legal_adviser", "2027-12-10")
    subjects = [n.subject for n in procedure_notices(engine, role="ngo_counsellor",
                                                     instance_id=instance.id)]
    assert "School enrolment deadline moved with the permit" in subjects


def test_no_false_warning_escalation_or_missed_after_a_renewal(engine):
    instance = _schooling_then_renewal(engine)
    # The old warning moment (56 days before 10 Dec 2026) and the old last day pass quietly.
    at(engine, "2026-12-14")
    assert "act_on_warning" not in open_elements(engine, instance.id)
    school = permit.deadline(engine, instance.id, "school_enrolment_due")
    assert school.status == "open"
    escalated = [n.subject for n in engine.deadlines.notifications(instance_id=instance.id)
                 if n.subject.startswith("Deadline passed without action: Enrol her")]
    assert escalated == []
    # She is enrolled in January 2027, after the old date, before the renewed one.
    for element_id, data in SCHOOL_STEPS:
        data = {k: "2026-12-14" if isinstance(v, str) and v[:4] == "2026" else v
                for k, v in data.items()}
        complete(engine, instance.id, element_id, data)
    assert str(only_task(engine, instance.id, "record_enrolment").due_date) == "2027-12-10"
    at(engine, "2027-01-15")
    complete(engine, instance.id, "record_enrolment", {"enrolled_on": "2027-01-15"})
    assert permit.deadline(engine, instance.id, "school_enrolment_due").status == "met"
    late = [n for n in procedure_notices(engine, instance_id=instance.id)
            if n.subject == "Enrolled after the permit expired"]
    assert late == []


def test_the_school_warning_comes_before_the_renewed_expiry(engine):
    instance = _schooling_then_renewal(engine)
    # 56 days before Friday 10 December 2027 is 15 October 2027, 08:00 in Ljubljana.
    at(engine, "2027-10-15", hour_utc=5)
    assert "act_on_warning" not in open_elements(engine, instance.id)
    at(engine, "2027-10-15", hour_utc=7)
    assert "act_on_warning" in open_elements(engine, instance.id)
