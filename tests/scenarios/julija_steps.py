"""Julija's whole case, walked with the manual clock: her own test runs it, and the tests
of what a whole case leaves in logs and text columns run it too."""

from __future__ import annotations

from forms import examples
from tests.processes import school_steps as school
from tests.scenarios.case import STAY_GRANTED

GRANT = STAY_GRANTED


def walk_the_whole_case(case):
    """From the permitted stay to a further permit on education, checking each step."""
    case.complete("grant_permitted_stay", "officer", GRANT, role="police")
    stay = case.deadline("reflection_end")
    # 90 days from 2 March end on Sunday 31 May: act by Friday 29 May.
    assert (str(stay.legal_date), str(stay.latest_safe_day)) == ("2026-05-31", "2026-05-29")

    # The support plan with goals and indicators (seed 000 table 1, seed 004).
    case.complete("ask_plan_consent", "coord", examples.PLAN_CONSENT, role="coordinator")
    case.at("2026-04-01")
    case.complete("draw_up_plan", "coord", examples.PLAN)
    assert str(case.deadline("indicator_due", "G2-1").legal_date) == "2026-05-15"
    case.at("2026-04-09")
    case.complete("review_plan", "coord", examples.PLAN_REVIEW)

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
