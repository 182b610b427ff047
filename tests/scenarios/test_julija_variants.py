"""Variants of seed 000's case, Julija, through the top-level procedure with the manual clock.

Each test leaves the main path of test_julija.py at one point: the permit application is
filed after her stay ended, she withdraws her consent to the support plan, she chooses to
go home, the person found is an unaccompanied 15-year-old, and the legal adviser lists
her deadlines with the ``varnapot`` command. Each variant is its own test.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from forms import examples
from tests.conftest import PROCESSES
from tests.processes import identification_data as identification
from tests.processes import permit_steps as permit
from tests.processes import plan_steps as plan
from tests.processes import return_steps as voluntary
from tests.scenarios.case import STAY_GRANTED as GRANT
from tests.scenarios.case import Case
from tests.scenarios.conftest import JULIJA
from tests.scenarios.julija_variant_steps import identified_child


@pytest.fixture
def case(julija: Case) -> Case:
    """Julija identified, as the main path starts: plan consent and permitted stay open."""
    return julija


def draw_up_plan(case: Case) -> None:
    """Her consent on 2 March and the plan of 1 April (seed 000 table 1, seed 004)."""
    case.complete("ask_plan_consent", "coord", examples.PLAN_CONSENT, role="coordinator")
    case.at("2026-04-01")
    case.complete("draw_up_plan", "coord", examples.PLAN, role="coordinator")


def cooperates(case: Case, day: str) -> None:
    """She decides on ``day`` to cooperate as a witness; the prosecutor confirms it."""
    case.at(day)
    case.complete("record_decision", "coord", {"decision": "cooperate", "decision_date": day},
                  role="coordinator")
    case.complete("confirm_cooperation", "prosecutor",
                  {**permit.CONFIRMED, "cooperation_confirmed_on": day}, role="prosecutor")


def ever_opened(case: Case) -> set[str]:
    return {e.element_id for e in case.engine.history.events(instance_id=case.id,
                                                              event_type="task_created")}


def notices(case: Case) -> list[tuple[str, str]]:
    return [(n.role, n.subject) for n in case.engine.deadlines.notifications(instance_id=case.id)]


def test_the_application_is_filed_after_her_stay_ended(case):
    """Filed late she gets no certificate: the legal adviser must act on it at once."""
    case.complete("grant_permitted_stay", "officer", GRANT, role="police")
    cooperates(case, "2026-05-12")
    assert case.deadline("reflection_end").status == "met"
    due = case.deadline("permit_application_due")
    assert (str(due.legal_date), str(due.latest_safe_day)) == ("2026-05-31", "2026-05-29")
    assert str(case.task("file_application").due_date) == "2026-05-29"

    # The stay ended on Sunday 31 May; the application goes in on Wednesday 3 June.
    case.at("2026-06-03")
    case.complete("file_application", "lawyer",
                  {**permit.APPLICATION, "application_filed_on": "2026-06-03"},
                  role="legal_adviser")
    due = case.deadline("permit_application_due")
    assert (due.status, str(due.met_on)) == ("missed", "2026-06-03")
    assert case.task("handle_late_application").role == "legal_adviser"
    assert case.task("decide_permit").role == "admin_unit"
    assert "issue_certificate" not in ever_opened(case)
    assert {("legal_adviser", "Permit application filed late"),
            ("coordinator", "Permit application filed late")} <= set(notices(case))


def test_her_decision_after_the_warning_still_leads_to_the_permit(case):
    """Deciding in the last two weeks of the stay is common; the decision must not be lost."""
    case.complete("grant_permitted_stay", "officer", GRANT)
    case.at("2026-05-20")  # the warning came on 15 May
    assert case.task("review_expiring_stay").role == "legal_adviser"
    case.complete("record_decision", "coord", {"decision": "cooperate",
                                               "decision_date": "2026-05-20"})
    # Her decision settles the review: the prosecutor does not wait for the legal adviser.
    assert "review_expiring_stay" not in case.open_elements()
    assert case.task("confirm_cooperation").role == "prosecutor"
    assert case.deadline("permit_application_due").status == "open"


def test_she_withdraws_her_consent_to_the_plan(case):
    """Withdrawing consent ends the plan and its referrals, not her reflection period."""
    case.complete("grant_permitted_stay", "officer", GRANT)
    draw_up_plan(case)
    referrals = plan.to_services(case.engine, case.id)
    assert sorted(role for role, _ in referrals) == ["legal_adviser", "ngo_counsellor",
                                                     "social_work"]

    case.at("2026-04-09")
    case.complete("review_plan", "coord", {**examples.PLAN_REVIEW, "plan_consent_withdrawn": True,
                                           "plan_next_step": "close"}, role="coordinator")
    variables = case.instance.variables
    assert (variables["plan_status"], variables["plan_close_reason"]) == (
        "closed", "consent_withdrawn")
    assert variables["referrals_active"] is False
    assert plan.to_services(case.engine, case.id) == referrals
    closed = [d for d in case.deadlines() if d.kind in ("indicator_due", "plan_review_due")]
    assert sorted(d.ref for d in closed) == ["G1-1", "G2-1", "G3-1", "review-1"]
    assert {(d.status, d.cancel_reason) for d in closed} == {
        ("cancelled", "Plan closed on 2026-04-09: consent withdrawn")}

    # G1-1 was due on 10 April: no alert, no correction, no referral any more.
    case.at("2026-04-11")
    assert case.open_elements() == ["inform_of_permit", "record_decision"]
    assert plan.to_services(case.engine, case.id) == referrals
    assert case.deadline("reflection_end").status == "open"
    cooperates(case, "2026-05-12")
    assert case.deadline("reflection_end").status == "met"
    assert case.task("file_application").role == "legal_adviser"


def test_she_chooses_to_go_home(case):
    """Not cooperating and choosing return leads to the voluntary return, never a permit."""
    case.complete("grant_permitted_stay", "officer", GRANT)
    case.at("2026-05-12")
    case.complete("record_decision", "coord", {"decision": "not_cooperate",
                                               "decision_date": "2026-05-12"},
                  role="coordinator")
    assert case.deadline("reflection_end").status == "met"
    case.complete("plan_after_reflection", "coord",
                  {"next_step": "voluntary_return", "notes": "She wants to go to her mother."},
                  role="coordinator")

    case.complete("give_consent", "coord", {**voluntary.CONSENT, "consent_date": "2026-05-12"},
                  role="coordinator")
    case.at("2026-05-13")
    case.complete("assess_risk", "coord", {**voluntary.RISK, "assessed_on": "2026-05-13"},
                  role="coordinator")
    case.at("2026-05-14")
    case.complete("contact_partner", "coord",
                  {**voluntary.PARTNER, "contact_confirmed_on": "2026-05-14"},
                  role="coordinator")
    case.at("2026-05-15")
    case.complete("travel_documents", "iom",
                  {**voluntary.DOCUMENTS, "document_issued_on": "2026-05-15",
                   "document_valid_until": "2026-06-30"}, role="return_officer")
    case.at("2026-05-18")
    case.complete("plan_travel", "iom", {**voluntary.TRAVEL, "travel_date": "2026-05-25"},
                  role="return_officer")
    assert str(case.task("hand_over").due_date) == "2026-05-25"
    case.at("2026-05-25", hour=20)
    case.complete("hand_over", "iom", {**voluntary.HANDOVER, "arrived_on": "2026-05-25"},
                  role="return_officer")
    assert ("coordinator", "Voluntary return completed") in notices(case)

    # Follow-up contacts from 09:00, 30 days after her arrival and after the first one.
    case.at("2026-06-24", hour=8)
    assert "follow_up" not in case.open_elements()
    case.at("2026-06-24", hour=10)
    case.complete("follow_up", "coord", {**voluntary.FOLLOW_UP, "contacted_on": "2026-06-24",
                                         "further_follow_up": True}, role="coordinator")
    case.at("2026-07-24", hour=10)
    case.complete("follow_up", "coord", {**voluntary.FOLLOW_UP, "contacted_on": "2026-07-24"},
                  role="coordinator")

    variables = case.instance.variables
    assert (variables["stay_path"], variables["return_outcome"], variables["returned_on"],
            variables["follow_up_count"]) == ("return", "returned", "2026-05-25", 2)
    assert case.open_elements() == ["ask_plan_consent"] and case.instance.timers == []
    assert [(d.kind, d.status) for d in case.deadlines()] == [
        ("stay_decision_due", "met"), ("reflection_end", "met"), ("lawful_stay_end", "met")]
    assert not {"confirm_cooperation", "file_application"} & ever_opened(case)


def test_an_unaccompanied_minor_keeps_her_guardian_and_her_family_is_still_traced(engine,
                                                                                   case):
    """Art. 50(3): a child alone has a guardian and her family sought in the reflection
    period; what identification did (the guardian) is not asked again."""
    child = identified_child(engine)
    variables = child.instance.variables
    assert (variables["age_years"], variables["unaccompanied_minor"]) == (15, True)

    child.complete("grant_permitted_stay", "officer", GRANT, role="police")
    assert child.open_elements() == ["ask_plan_consent", "contact_family", "inform_of_permit",
                                     "record_decision"]
    (tracing,) = engine.tasks.tasks(role="social_work", instance_id=child.id)
    assert tracing.element_id == "contact_family"
    assert "Art. 50(3)" in tracing.documentation
    child.complete("contact_family", "social",
                   {"family_contact": "in_progress", "family_contact_on": "2026-03-02",
                    "notes": "Tracing through the Red Cross, with her guardian."},
                   role="social_work")
    assert engine.tasks.tasks(role="social_work", instance_id=child.id) == []
    coordinator = engine.tasks.tasks(role="coordinator", instance_id=child.id)
    assert sorted(t.element_id for t in coordinator) == ["ask_plan_consent", "record_decision"]
    assert child.deadline("reflection_end").status == "open"
    opened = [e.element_id for e in engine.history.events(instance_id=child.id,
                                                           event_type="task_created")]
    assert opened.count("appoint_guardian") == 1  # at identification only

    # Julija, 28, gets the same stay without the branch.
    case.complete("grant_permitted_stay", "officer", GRANT)
    assert case.open_elements() == ["ask_plan_consent", "inform_of_permit", "record_decision"]
    assert not {"appoint_guardian", "contact_family"} & ever_opened(case)


def test_a_child_is_offered_the_stay_before_her_family_is_reached(engine):
    """Tracing her family may take months: neither her stay nor her identification waits
    for it (CETS Arts. 10(2), 13; Art. 50(3) puts the tracing in the reflection period)."""
    engine.repository.deploy(PROCESSES)
    child = Case.open(engine, "SI-4N2R-8H5W")
    child.complete("record_preliminary", "sw", examples.CHILD)
    child.complete("appoint_guardian", "social", identification.GUARDIAN)
    assert child.open_elements() == ["formal_identification", "grant_permitted_stay"]
    child.complete("grant_permitted_stay", "officer", GRANT)
    assert child.task("contact_family").role == "social_work"
    assert "contact_family" not in {e.element_id for e in engine.history.events(
        instance_id=child.id, event_type="task_completed")}


def test_a_child_decides_while_her_family_is_still_being_traced(engine):
    """Tracing a family takes long; her decision must not wait for it, nor be lost."""
    child = identified_child(engine)
    child.complete("grant_permitted_stay", "officer", GRANT)
    child.at("2026-04-01")
    child.complete("record_decision", "coord", {"decision": "cooperate",
                                                "decision_date": "2026-04-01",
                                                "decided_with_guardian": True})
    # The permit procedure opens on her decision while her family is still sought.
    assert {"confirm_cooperation", "file_application", "assess_best_interests",
            "contact_family"} <= set(child.open_elements())
    assert child.deadline("permit_application_due").status == "open"
    child.at("2026-06-10")
    child.complete("contact_family", "social", {"family_contact": "family_contacted",
                                                "family_contact_on": "2026-06-10"})
    # Closing the reflection period does not open the permit procedure a second time.
    opened = [e.element_id for e in engine.history.events(instance_id=child.id,
                                                           event_type="task_created")]
    assert opened.count("file_application") == 1
    assert child.task("confirm_cooperation").role == "prosecutor"


def test_the_legal_adviser_lists_her_deadlines_with_the_command(case, database_url,
                                                                monkeypatch):
    """The command shows what the engine tracks, on the same database and clock."""
    case.complete("grant_permitted_stay", "officer", GRANT)
    draw_up_plan(case)
    case.at("2026-04-09")
    case.complete("review_plan", "coord", {**examples.PLAN_REVIEW, "indicators_reached": [
        {"indicator_id": "G1-1", "reached_on": "2026-04-08"}]})
    case.at("2026-05-12")
    case.complete("record_decision", "coord", {
        "decision": "extend", "decision_date": "2026-05-12",
        "reason": "She is still recovering from her injuries."})
    case.complete("decide_extension", "officer", {
        "extension_granted": True, "extension_decision_date": "2026-05-12",
        "extension_days": 60})
    cooperates(case, "2026-06-15")
    case.at("2026-06-17")
    case.complete("file_application", "lawyer",
                  {**permit.APPLICATION, "application_filed_on": "2026-06-17"})
    case.complete("issue_certificate", "clerk", {**permit.CERTIFICATE,
                                                 "certificate_issued_on": "2026-06-17"})
    case.at("2026-06-25")
    case.complete("decide_permit", "clerk", {**permit.ISSUED, "permit_issued_on": "2026-06-25",
                                             "expected_proceedings_months": 9})

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("VARNAPOT_CLOCK", "manual")
    result = CliRunner().invoke(main, ["deadlines", "--case", JULIJA, "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [(d["kind"], d["ref"], d["legal_date"], d["latest_safe_day"], d["status"])
            for d in listed] == [
        ("stay_decision_due", "", "2026-04-02", "2026-04-02", "met"),
        ("indicator_due", "G1-1", "2026-04-10", "2026-04-10", "met"),
        ("indicator_due", "G2-1", "2026-05-15", "2026-05-15", "missed"),
        ("extension_decision_due", "", "2026-05-31", "2026-05-29", "met"),
        ("plan_review_due", "review-1", "2026-06-30", "2026-06-30", "met"),
        ("plan_review_due", "review-2", "2026-07-08", "2026-07-08", "open"),
        ("cooperation_confirmation_due", "", "2026-07-15", "2026-07-15", "met"),
        ("reflection_end", "", "2026-07-30", "2026-07-30", "met"),
        ("permit_application_due", "", "2026-07-30", "2026-07-30", "met"),
        ("indicator_due", "G3-1", "2026-12-26", "2026-12-24", "open"),
        ("permit_expiry", "", "2027-03-25", "2027-03-25", "open"),
    ]
    owners = {d["kind"]: d["owner_role"] for d in listed}
    assert owners["permit_application_due"] == owners["permit_expiry"] == "legal_adviser"
    assert {d["kind"]: d["met_on"] for d in listed if not d["ref"]} == {
        "reflection_end": "2026-06-15", "permit_application_due": "2026-06-17",
        "cooperation_confirmation_due": "2026-06-15", "extension_decision_due": "2026-05-12",
        "permit_expiry": None, "stay_decision_due": "2026-03-02"}
    # Counted from 25 June 2026, the day the engine's clock shows.
    assert [d["days_left"] for d in listed if d["kind"] == "permit_expiry"] == [273]
