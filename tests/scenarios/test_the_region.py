"""A Serbian and a Bosnian case walked from identification to the plan, each on its own
law and calendar: a citizen of Serbia returned home from abroad, and a foreign victim in
Republika Srpska (the state's law, the entity's holidays). The Slovene scenarios run
unchanged beside them."""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from forms import examples
from tests.conftest import PROCESSES
from tests.scenarios.case import Case

SERBIA = "RS-2026-0001"
BOSNIA = "BA-2026-0001"


@pytest.fixture
def deployed(engine):
    engine.repository.deploy(PROCESSES)
    return engine


def identify(case: Case, on: str, stay_status: str) -> None:
    """The first-line officer's and the coordinator's identification, on ``on``."""
    case.complete("record_preliminary", "officer", {
        **examples.PRELIMINARY, "observed_on": on, "stay_status": stay_status},
        role="first_line")
    case.complete("ask_referral_consent", "officer", {
        **examples.REFERRAL_CONSENT, "referral_consent_date": on}, role="first_line")
    case.complete("formal_identification", "coord", {
        **examples.FORMAL, "identification_date": on}, role="coordinator")


def test_a_citizen_of_serbia_returned_from_abroad_is_received_identified_and_planned_for(
        deployed):
    case = Case(deployed, deployed.runtime.start("returning_victim_rs", SERBIA, {
        "referred_by": "iom", "returning_from": "Germany", "expected_arrival": "2026-03-06",
        "is_child": False}, actor="coordinator", jurisdiction="RS"))
    reception = case.task("prepare_reception")
    assert (reception.role, str(reception.due_date)) == ("coordinator", "2026-03-06")
    case.complete("prepare_reception", "centre", {
        "arrival_crossing": "Belgrade airport", "stay_place": "shelter",
        "arranged": ["meeting_at_border", "medical_care", "psychological_support"]})
    assert str(case.task("receive_her").due_date) == "2026-03-06"
    case.at("2026-03-06")
    case.complete("receive_her", "border", {"arrived_on": "2026-03-06", "handed_over": True},
                  role="police")
    identify(case, "2026-03-06", "national")
    case.complete("assess", "centre", {
        "risk_level": "medium", "risks": "The recruiter knows her family.",
        "strengths": "Her sister supports her.", "needs": ["safety", "health", "financial"],
        "assessed_on": "2026-03-06"}, role="coordinator")

    # The Centre's individual protection plan: which support, what change, who, when.
    case.complete("ask_plan_consent", "centre", {**examples.PLAN_CONSENT,
                                                 "plan_consent_date": "2026-03-06"})
    case.at("2026-04-01")
    case.complete("draw_up_plan", "centre", examples.PLAN)
    first = case.deadline("indicator_due", "G1-1")
    # 10 April 2026 is Orthodox Good Friday: a holiday in Serbia, not in Slovenia.
    assert (str(first.legal_date), str(first.latest_safe_day)) == ("2026-04-10", "2026-04-09")
    review = case.deadline("plan_review_due", "review-1")
    assert str(review.legal_date) == "2026-06-30"  # rs.toml: reviewed every 90 days
    assert {d.jurisdiction for d in case.deadlines()} == {"RS"}
    assert all(d.unconfirmed_basis == [] for d in case.deadlines())  # dates set by people
    assert case.open_elements() == ["review_plan"]


def test_a_foreign_victim_in_republika_srpska_follows_bosnian_law_and_holidays(deployed):
    deployed.users.add("monitor", ["monitoring_team"])
    case = Case(deployed, deployed.runtime.start("protection_ba", BOSNIA, {
        "reasonable_grounds_on": "2026-03-02", "is_child": False}, actor="coordinator",
        jurisdiction="BA-SRP"))
    decision = case.deadline("stay_decision_due")
    assert (str(decision.legal_date), decision.owner_role) == ("2026-04-02", "admin_unit")
    assert decision.unconfirmed_basis == ["reflection.decision_months"]
    identify(case, "2026-03-02", "foreigner_without_lawful_stay")
    assert "draw_up" in case.open_elements()

    # The Service for Foreigners' Affairs grants the period: 30 days (ba.toml, not yet
    # confirmed in the Rulebook's text) end on Orthodox Good Friday, a holiday in
    # Republika Srpska, so the application is due the Thursday before.
    case.at("2026-03-11")
    case.complete("decide_stay", "service", {"stay_decision": "granted",
                                             "stay_decision_date": "2026-03-11"},
                  role="admin_unit")
    end = case.deadline("reflection_end")
    assert (str(end.legal_date), str(end.latest_safe_day)) == ("2026-04-10", "2026-04-09")
    assert (end.owner_role, end.unconfirmed_basis) == ("legal_adviser", ["reflection.days"])
    assert str(case.task("apply_residence").due_date) == "2026-04-09"

    # The plan by phases: an indicator due on Labour Day is watched from the day before.
    case.complete("draw_up", "counsellor", PLAN_BY_PHASES, role="ngo_counsellor")
    indicator = case.deadline("indicator_due", "R-1")
    assert (str(indicator.legal_date), str(indicator.latest_safe_day)) == ("2026-05-01",
                                                                            "2026-04-30")
    assert (indicator.owner_role, indicator.unconfirmed_basis) == ("ngo_counsellor", [])
    assert str(case.deadline("phase_due", "rehabilitation").legal_date) == "2026-06-30"
    # 14 January is the Orthodox New Year, a holiday in Republika Srpska alone.
    later = case.deadline("indicator_due", "S-1")
    assert (str(later.legal_date), str(later.latest_safe_day)) == ("2027-01-14", "2027-01-13")
    federation = deployed.ctx.jurisdiction_of("BA-FBIH")
    assert str(federation.latest_safe_day(later.legal_date)) == "2027-01-14"

    case.at("2026-04-01")
    case.complete("apply_residence", "lawyer", {"residence_application": "filed",
                                                "residence_filed_on": "2026-04-01"})
    assert case.deadline("reflection_end").status == "met"
    case.at("2026-04-21")
    case.complete("decide_residence", "service", {
        "residence_decision": "granted", "residence_decided_on": "2026-04-20",
        "residence_served_on": "2026-04-21", "residence_months": 9})
    expiry = case.deadline("permit_expiry")
    assert str(expiry.legal_date) == "2027-01-20"
    assert "permit.max_months" in expiry.unconfirmed_basis

    # R-1 not reached by 1 May: the monitoring team hears of it the next morning.
    case.at("2026-05-02", hour=9)
    [alert] = [n for n in deployed.inbox.inbox("monitor") if n.case_code == BOSNIA]
    assert alert.role == "monitoring_team" and "R-1" in alert.body
    correct = case.task("correct")
    assert correct.role == "monitoring_team"
    with pytest.raises(ValidationFailed):  # every missed indicator needs its correction
        case.complete("correct", "monitor", {"reviewed_on": "2026-05-02",
                                             "problem": "No psychologist.", "corrections": []})
    case.complete("correct", "monitor", {
        "reviewed_on": "2026-05-02", "problem": "The psychologist was on leave.",
        "corrections": [{"indicator_id": "R-1", "action": "reschedule",
                         "target_date": "2026-05-29"}]})
    assert str(case.deadline("indicator_due", "R-1").legal_date) == "2026-05-29"
    assert case.open_elements() == ["report"]
    case.at("2026-05-20")
    case.complete("report", "counsellor", {
        "report_date": "2026-05-20", "phase": "rehabilitation",
        "indicators_reached": [{"indicator_id": "R-1", "reached_on": "2026-05-19"}],
        "services_provided": "Weekly sessions with the psychologist.",
        "plan_next_step": "continue"})
    assert case.deadline("indicator_due", "R-1").status == "met"
    assert {d.jurisdiction for d in case.deadlines()} == {"BA-SRP"}


def test_a_foreign_victim_in_serbia_who_chooses_to_go_home_is_helped_to_return(deployed):
    """Her period to recover does not wait for cooperation; when she chooses to go home,
    nothing is left to file and the Centre coordinates her voluntary return."""
    case = Case(deployed, deployed.runtime.start("protection_rs", "RS-2026-0002", {
        "reasonable_grounds_on": "2026-03-02"}, actor="coordinator", jurisdiction="RS"))
    case.complete("decide_stay", "police", {"stay_decision": "granted",
                                            "stay_decision_date": "2026-03-02"},
                  role="admin_unit")
    end = case.deadline("reflection_end")
    assert str(end.legal_date) == "2026-04-01" and end.unconfirmed_basis == ["reflection.days"]
    case.complete("apply_residence", "lawyer", {"residence_application": "she_returns"},
                  role="legal_adviser")
    assert case.deadline("reflection_end").status == "cancelled"
    assert "give_consent" in case.open_elements()


def test_a_procedure_of_another_countrys_law_is_refused_and_nothing_starts(deployed):
    with pytest.raises(ValidationFailed) as refused:
        deployed.runtime.start("reflection_period", "BA-2026-0002", jurisdiction="BA-SRP")
    assert "law of Slovenia" in refused.value.fields["process_key"][0]
    with pytest.raises(ValidationFailed):
        deployed.runtime.start("protection_ba", "SI-2026-0002",
                               {"reasonable_grounds_on": "2026-03-02"})
    assert deployed.cases.jurisdictions(["BA-2026-0002", "SI-2026-0002"]) == {
        "BA-2026-0002": "SI", "SI-2026-0002": "SI"}  # no record: neither case was opened


PLAN_BY_PHASES = {
    "plan_date": "2026-03-11",
    "phases": [
        {"phase": "rehabilitation", "goal": "She is safe and recovers.",
         "services": "Shelter, health care, weekly psychological support.",
         "provider_role": "ngo_counsellor", "target_date": "2026-06-30",
         "indicators": [{"id": "R-1", "description": "Attends counselling weekly.",
                         "target_date": "2026-05-01"}]},
        {"phase": "resocialisation", "goal": "She rebuilds her daily life.",
         "services": "Language course, social activities.", "provider_role": "social_work",
         "target_date": "2027-01-29",
         "indicators": [{"id": "S-1", "description": "Completes the course.",
                         "target_date": "2027-01-14"}]},
    ],
}


def test_an_appeal_follows_the_projects_rule_and_a_refused_one_changes_nothing(deployed):
    """A refused stay is appealed on a day not before it was decided, or not at all with
    her reason; anything else is refused and the deadline stays open."""
    case = Case(deployed, deployed.runtime.start("protection_ba", "BA-2026-0003", {
        "reasonable_grounds_on": "2026-03-02"}, actor="coordinator", jurisdiction="BA-SRP"))
    case.at("2026-03-05")
    case.complete("decide_stay", "service", {
        "stay_decision": "refused", "stay_decision_date": "2026-03-04",
        "stay_refusal_reasons": "A danger to public order, as the decision says."})
    due = case.deadline("appeal_due", "stay")
    assert (str(due.legal_date), due.status, due.unconfirmed_basis) == (
        "2026-03-12", "open", ["appeal.days"])  # 8 days from the day after, unconfirmed
    for refused in ({"appeal_filed": True, "appeal_filed_on": "2026-03-03"},
                    {"appeal_filed": True},
                    {"appeal_filed": False}):
        with pytest.raises(ValidationFailed):
            case.complete("appeal", "lawyer", refused)
        assert case.deadline("appeal_due", "stay").status == "open"
        assert "appeal" in case.open_elements()
    case.complete("appeal", "lawyer", {"appeal_filed": True, "appeal_filed_on": "2026-03-05"})
    assert case.deadline("appeal_due", "stay").status == "met"
