"""Two whole cases walked with the settable clock, each told as a timeline of who did what
when, compared with the expected file in ``timelines/`` (see ``timeline.py``; rewrite the
files with ``VARNAPOT_UPDATE_TIMELINES=1`` and read the difference before committing).

Julija (seed 000): labour exploitation, her passport held by the employer, found by a
police officer on a routine check with no papers, so her stay status is unknown. She is
offered the permitted stay on reasonable grounds before the formal identification ends,
the NGO tells her of the permit, she decides to cooperate, the application is filed while
the prosecutor confirms, the permit is refused, her appeal is upheld and the permit issued;
schooling starts beside the proceedings, the permit is renewed (the school deadline
follows it), she is enrolled, the proceedings end and she files for a further permit on
education before the permit expires.

An unaccompanied girl of 16, found begging: a guardian and her family traced at once, the
permitted stay offered on reasonable grounds, formal identification, the reflection period
with the guardian and family tasks, her decision taken with her guardian, and the permit
procedure as far as it goes for her: her best interests assessed beside the application,
the permit, schooling and enrolment, the end of the proceedings and a further permit on
education.

Both leave the protection plan at the coordinator's request for her consent (the plan is
walked in test_julija.py): its reviews would fill the timeline without telling this story.
"""

from __future__ import annotations

from datetime import date, timedelta

from forms import examples
from tests.conftest import PROCESSES
from tests.processes import identification_data as identification
from tests.processes.school_steps import STEPS as SCHOOL_STEPS
from tests.scenarios.case import Case
from tests.scenarios.timeline import assert_timeline, clock_to, timeline

USERS = {"ngo_counsellor": "counsellor", "school": "teacher"}
JULIJA = "SI-7K3Q-9F2M"
GIRL = "SI-5C8H-2L7D"


def on(case: Case, day: str, hour: int = 9) -> Case:
    clock_to(case.engine, day, hour)
    return case


def school_steps(case: Case, first_day: str, child: bool = False) -> None:
    """The preparation of her schooling, a step a week from ``first_day`` (a Monday); a
    child's guardian decides with her on the schooling."""
    for week, (element_id, data) in enumerate(SCHOOL_STEPS):
        day = (date.fromisoformat(first_day) + timedelta(weeks=week)).isoformat()
        on(case, day)
        data = {k: day if isinstance(v, str) and v[:5] == "2026-" else v
                for k, v in data.items()}
        if child and element_id == "agree_schooling":
            data["decided_with_guardian"] = True
        case.complete(element_id, USERS[case.task(element_id).role], data)


def test_julija_timeline(engine):
    engine.repository.deploy(PROCESSES)
    case = Case.open(engine, JULIJA)
    # Monday 2 March 2026: a routine check; no papers, so her stay status is unknown.
    case.complete("record_preliminary", "officer",
                  {**examples.PRELIMINARY, "observed_on": "2026-03-02",
                   "stay_status": "unknown",
                   "preliminary_indicators": ["no_identity_documents",
                                              "documents_held_by_others",
                                              "signs_of_distress", "controlled_movement"]},
                  role="first_line")
    on(case, "2026-03-02", 10).complete(
        "ask_referral_consent", "officer",
        {**examples.REFERRAL_CONSENT, "referral_consent_date": "2026-03-02"}, role="first_line")
    # Referred on reasonable grounds: the stay is offered before identification ends.
    on(case, "2026-03-02", 15).complete(
        "grant_permitted_stay", "inspector",
        {"stay_decision": "granted", "stay_decision_date": "2026-03-02",
         "victim_category": "trafficking", "informed_of_permit": True,
         "interpreter_provided": True}, role="police")
    on(case, "2026-03-04").complete(
        "formal_identification", "coord",
        {**examples.FORMAL, "identification_date": "2026-03-04"}, role="coordinator")
    on(case, "2026-03-10").complete(
        "inform_of_permit", "counsellor",
        {"informed_on": "2026-03-10", "she_understood": True,
         "information_interpreter_used": True}, role="ngo_counsellor")

    # Monday 20 April: she will cooperate as a witness. Filing and confirmation side by side.
    on(case, "2026-04-20").complete("record_decision", "coord",
                                    {"decision": "cooperate", "decision_date": "2026-04-20"},
                                    role="coordinator")
    on(case, "2026-04-22").complete(
        "file_application", "lawyer", {"application_filed_on": "2026-04-22", "no_means": True,
                                       "interpreter_used": True}, role="legal_adviser")
    on(case, "2026-04-23").complete(
        "issue_certificate", "clerk", {"certificate_issued_on": "2026-04-23",
                                       "fees_waived": True}, role="admin_unit")
    on(case, "2026-05-06").complete(
        "confirm_cooperation", "prosecutor",
        {"cooperation_confirmed": True, "cooperation_basis": "witness_in_criminal_proceedings",
         "cooperation_confirmed_on": "2026-05-06"}, role="prosecutor")

    # Refused on 20 May, served on 22 May; she appeals; the appeal is upheld in July.
    on(case, "2026-05-22").complete(
        "decide_permit", "clerk", {"permit_decision": "refused", "refused_on": "2026-05-20",
                                   "refusal_served_on": "2026-05-22",
                                   "refusal_ground": "contact_with_suspect"},
        role="admin_unit")
    on(case, "2026-05-27").complete("consider_appeal", "lawyer",
                                    {"appeal_filed": True, "appeal_filed_on": "2026-05-27"},
                                    role="legal_adviser")
    on(case, "2026-07-08").complete(
        "decide_appeal", "clerk", {"appeal_decision": "upheld", "appeal_decided_on": "2026-07-01",
                                   "appeal_decision_served_on": "2026-07-06"},
        role="admin_unit")
    on(case, "2026-07-15").complete(
        "decide_permit", "clerk", {"permit_decision": "issued", "permit_issued_on": "2026-07-15",
                                   "expected_proceedings_months": 9}, role="admin_unit")

    # Schooling starts beside the proceedings; the permit is renewed; she is enrolled.
    on(case, "2026-07-20").complete("follow_proceedings", "lawyer",
                                    {"next_step": "plan_schooling"}, role="legal_adviser")
    school_steps(case, "2026-09-07")
    on(case, "2027-01-11").complete("follow_proceedings", "lawyer",
                                    {"next_step": "apply_for_renewal"}, role="legal_adviser")
    case.complete("file_renewal", "lawyer", {"renewal_filed_on": "2027-01-11"},
                  role="legal_adviser")
    on(case, "2027-01-25").complete(
        "decide_renewal", "clerk", {"renewal_decision": "renewed",
                                    "renewal_decided_on": "2027-01-25", "renewal_months": 12},
        role="admin_unit")
    on(case, "2027-09-01").complete("record_enrolment", "teacher",
                                    {"enrolled_on": "2027-09-01"}, role="school")
    on(case, "2027-10-04").complete("report_progress", "teacher",
                                    {"progress_report_on": "2027-10-04",
                                     "school_progress": "some_difficulties",
                                     "programme_status": "continuing"}, role="school")

    # The proceedings end; the further permit on education is filed before expiry.
    on(case, "2027-11-15").complete(
        "follow_proceedings", "lawyer", {"next_step": "proceedings_ended",
                                         "proceedings_ended_on": "2027-11-10"},
        role="legal_adviser")
    on(case, "2027-11-22").complete(
        "file_further_permit", "lawyer", {"further_permit_basis": "education",
                                          "further_permit_filed_on": "2027-11-22"},
        role="legal_adviser")
    on(case, "2028-05-01")

    text = timeline(engine, JULIJA)
    print(text)
    assert_timeline(text, "julija")


def test_unaccompanied_minor_timeline(engine):
    engine.repository.deploy(PROCESSES)
    case = Case.open(engine, GIRL)
    # Monday 2 March 2026: a street worker finds a girl of 16 begging, alone.
    case.complete("record_preliminary", "outreach",
                  {**examples.CHILD, "observed_on": "2026-03-02",
                   "date_of_birth": "2009-09-14"}, role="first_line")
    on(case, "2026-03-02", 11).complete(
        "appoint_guardian", "social", {**identification.GUARDIAN,
                                       "guardian_appointed_on": "2026-03-02"},
        role="social_work")
    on(case, "2026-03-03").complete(
        "grant_permitted_stay", "inspector",
        {"stay_decision": "granted", "stay_decision_date": "2026-03-03",
         "victim_category": "trafficking", "informed_of_permit": True,
         "interpreter_provided": True}, role="police")
    on(case, "2026-03-05").complete(
        "formal_identification", "coord",
        {**examples.FORMAL, "identification_date": "2026-03-05",
         "indicators_confirmed": ["child_working_or_begging", "isolation"],
         "exploitation_forms": ["forced_begging"]}, role="coordinator")
    on(case, "2026-03-09").complete(
        "inform_of_permit", "counsellor",
        {"informed_on": "2026-03-09", "she_understood": True,
         "information_interpreter_used": True}, role="ngo_counsellor")
    on(case, "2026-03-16").complete(
        "contact_family", "social", {"family_contact": "family_contacted",
                                     "family_contact_on": "2026-03-16"}, role="social_work")

    # She decides with her guardian; her best interests are assessed beside the filing.
    on(case, "2026-04-15").complete(
        "record_decision", "coord", {"decision": "cooperate", "decision_date": "2026-04-15",
                                     "decided_with_guardian": True}, role="coordinator")
    on(case, "2026-04-16").complete(
        "file_application", "lawyer", {"application_filed_on": "2026-04-16", "no_means": True,
                                       "interpreter_used": True, "guardian_signed": True},
        role="legal_adviser")
    on(case, "2026-04-17").complete(
        "issue_certificate", "clerk", {"certificate_issued_on": "2026-04-17",
                                       "fees_waived": True}, role="admin_unit")
    on(case, "2026-04-24").complete(
        "assess_best_interests", "social",
        {"best_interests_assessed_on": "2026-04-24", "child_heard": True,
         "best_interests_outcome": "permit_in_her_best_interests"}, role="social_work")
    on(case, "2026-04-29").complete(
        "confirm_cooperation", "prosecutor",
        {"cooperation_confirmed": True, "cooperation_basis": "witness_in_criminal_proceedings",
         "cooperation_confirmed_on": "2026-04-29"}, role="prosecutor")
    on(case, "2026-05-08").complete(
        "decide_permit", "clerk", {"permit_decision": "issued", "permit_issued_on": "2026-05-08",
                                   "expected_proceedings_months": 12}, role="admin_unit")

    # Schooling beside the proceedings; enrolled in September.
    on(case, "2026-05-11").complete("follow_proceedings", "lawyer",
                                    {"next_step": "plan_schooling"}, role="legal_adviser")
    school_steps(case, "2026-05-18", child=True)
    on(case, "2026-09-01").complete("record_enrolment", "teacher",
                                    {"enrolled_on": "2026-09-01"}, role="school")
    on(case, "2026-10-05").complete("report_progress", "teacher",
                                    {"progress_report_on": "2026-10-05",
                                     "school_progress": "good",
                                     "programme_status": "continuing"}, role="school")

    # The proceedings end; the further permit on education is filed before expiry.
    on(case, "2027-03-01").complete(
        "follow_proceedings", "lawyer", {"next_step": "proceedings_ended",
                                         "proceedings_ended_on": "2027-02-22"},
        role="legal_adviser")
    on(case, "2027-03-08").complete(
        "file_further_permit", "lawyer", {"further_permit_basis": "education",
                                          "further_permit_filed_on": "2027-03-08",
                                          "guardian_signed": True},
        role="legal_adviser")
    on(case, "2027-06-01")

    text = timeline(engine, GIRL)
    print(text)
    assert_timeline(text, "unaccompanied_minor")
