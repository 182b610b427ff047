"""Seed 000's case, Julija, end to end through the top-level procedure with the manual clock.

She is found by a police officer on a routine check, identified, given a permitted stay
that is extended, decides to cooperate, gets the Art. 50 permit, a support plan with
indicators, is enrolled in school before the permit expires and files for a further
permit on education before it expires. Each variant is its own test.
"""

from __future__ import annotations

from tests.conftest import PROCESSES
from tests.processes import identification_data as identification
from tests.processes import test_protection_plan as plan
from tests.processes import test_school_enrolment as school
from tests.scenarios.case import STAY_GRANTED, Case

GRANT = STAY_GRANTED


def test_julija_from_identification_to_a_further_permit_on_education(julija):
    case = julija
    case.complete("grant_permitted_stay", "officer", GRANT, role="police")
    stay = case.deadline("reflection_end")
    # 90 days from 2 March end on Sunday 31 May: act by Friday 29 May.
    assert (str(stay.legal_date), str(stay.latest_safe_day)) == ("2026-05-31", "2026-05-29")

    # The support plan with goals and indicators (seed 000 table 1, seed 004).
    case.complete("ask_plan_consent", "coord", plan.CONSENT, role="coordinator")
    case.at("2026-04-01")
    case.complete("draw_up_plan", "coord", plan.PLAN)
    assert str(case.deadline("indicator_due", "G2-1").legal_date) == "2026-05-15"
    case.at("2026-04-09")
    case.complete("review_plan", "coord", plan.REVIEW)

    # She needs more time: the police extend the stay once, by 60 days.
    case.at("2026-05-12")
    case.complete("record_decision", "coord", {
        "decision": "extend", "decision_date": "2026-05-12",
        "reason": "She is still recovering from her injuries."})
    case.complete("decide_extension", "officer", {
        "extension_granted": True, "extension_decision_date": "2026-05-12",
        "extension_days": 60}, role="police")
    stay = case.deadline("reflection_end")
    assert (str(stay.legal_date), str(stay.latest_safe_day)) == ("2026-07-30", "2026-07-30")

    # She decides to cooperate; the prosecutor confirms; the application is filed in time.
    case.at("2026-06-15")
    case.complete("record_decision", "coord", {"decision": "cooperate",
                                               "decision_date": "2026-06-15"})
    assert case.deadline("reflection_end").status == "met"
    due = case.deadline("permit_application_due")
    assert (str(due.legal_date), due.owner_role) == ("2026-07-30", "legal_adviser")
    case.complete("confirm_cooperation", "prosecutor", {
        "cooperation_confirmed": True, "cooperation_basis": "witness_in_criminal_proceedings",
        "cooperation_confirmed_on": "2026-06-15"}, role="prosecutor")
    case.at("2026-06-17")
    case.complete("file_application", "lawyer", {
        "application_filed_on": "2026-06-17", "no_means": True, "interpreter_used": True},
        role="legal_adviser")
    assert case.deadline("permit_application_due").status == "met"
    case.complete("issue_certificate", "clerk", {"certificate_issued_on": "2026-06-17",
                                                 "fees_waived": True}, role="admin_unit")
    case.at("2026-06-25")
    case.complete("decide_permit", "clerk", {"permit_decision": "issued",
                                             "permit_issued_on": "2026-06-25",
                                             "expected_proceedings_months": 9})
    expiry = case.deadline("permit_expiry")
    assert str(expiry.legal_date) == "2027-03-25"  # 9 months: within 6-12

    # School enrolment before the permit expires.
    case.complete("follow_proceedings", "lawyer", {"next_step": "plan_schooling"})
    assert str(case.deadline("school_enrolment_due").legal_date) == "2027-03-25"
    case.at("2026-07-01")
    for element_id, data in school.STEPS:
        data = {k: "2026-07-01" if isinstance(v, str) and v[:5] == "2026-" else v
                for k, v in data.items()}
        case.complete(element_id, "counsellor", data)
    case.at("2026-09-01")
    case.complete("record_enrolment", "counsellor", {"enrolled_on": "2026-09-01"})
    assert case.deadline("school_enrolment_due").status == "met"

    # The proceedings end; a further permit on education is filed before expiry.
    case.at("2027-01-20")
    case.complete("follow_proceedings", "lawyer", {"next_step": "proceedings_ended",
                                                   "proceedings_ended_on": "2027-01-15"})
    further = case.deadline("further_permit_application_due")
    assert str(further.legal_date) == "2027-03-25"
    case.complete("file_further_permit", "lawyer", {"further_permit_basis": "education",
                                                    "further_permit_filed_on": "2027-01-20"})
    assert case.deadline("further_permit_application_due").status == "met"
    kinds = {d.kind: d.status for d in case.deadlines() if not d.ref}
    assert kinds["reflection_end"] == "met" and kinds["permit_application_due"] == "met"
    assert kinds["school_enrolment_due"] == "met"


def test_the_stay_runs_out_undecided(julija):
    case = julija
    case.complete("grant_permitted_stay", "officer", GRANT)
    case.at("2026-05-15", hour=7)
    assert "review_expiring_stay" not in case.open_elements()
    case.at("2026-05-15", hour=9)  # two weeks before the latest safe day, 29 May
    assert case.task("review_expiring_stay").role == "legal_adviser"
    alerted = {n.role for n in case.engine.deadlines.notifications(instance_id=case.id)}
    assert {"coordinator", "legal_adviser"} <= alerted
    case.at("2026-06-01")  # the stay ended on 31 May
    assert case.task("handle_expired_stay").role == "coordinator"
    assert case.deadline("reflection_end").status == "missed"


def test_an_indicator_misses_its_target_date(julija):
    case = julija
    case.complete("ask_plan_consent", "coord", plan.CONSENT)
    case.at("2026-04-01")
    case.complete("draw_up_plan", "coord", plan.PLAN)
    case.at("2026-04-11", hour=7)
    assert "correct_plan" not in case.open_elements()
    case.at("2026-04-11", hour=9)  # G1-1 was due on 10 April
    assert case.task("correct_plan").role == "coordinator"
    assert case.deadline("indicator_due", "G1-1").status == "missed"
    subjects = [n.subject for n in case.engine.deadlines.notifications(role="coordinator")]
    assert subjects


def test_an_unaccompanied_minor_gets_a_guardian_and_family_contact(engine):
    engine.repository.deploy(PROCESSES)
    case = Case.open(engine, "SI-3M8D-2C7Q")
    case.complete("record_preliminary", "sw", identification.CHILD)
    assert case.open_elements()
    elements = case.open_elements()
    assert any("guardian" in e for e in elements), elements
