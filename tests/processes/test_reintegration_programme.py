"""The (re)integration programme (DOMAIN.md section 7, seed 001 section 3.2) through the engine.

Julija (seed 000) is presented the programme, thinks about it, goes through an intake in
sessions of at most 90 minutes, is admitted after a postponed team decision, signs her
contract after independent legal advice, and is followed by monthly reviews until she
reaches her goals. Other scenarios: she declines, she is not admitted, she leaves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.conftest import PROCESSES
from tests.processes.programme_steps import (
    ADMITTED,
    ANNEX,
    CONTRACT,
    ENTER,
    PLAN,
    PRESENT,
    REPORT,
    SESSION_1,
    SESSION_2,
    SIGN,
    complete,
    on,
    rejected,
    reviews,
)
from tests.processes.steps import ESCALATION, notices, only_task, open_elements

CASE = "SI-2026-0042"
DIAGRAM = PROCESSES / "reintegration_programme.bpmn"

REVIEW = {"language_progress": "in_progress", "schooling_progress": "not_started",
          "recognition_progress": "in_progress", "employment_progress": "not_in_plan",
          "social_network_progress": "in_progress",
          "her_view": "The course is hard but she likes it."}


@pytest.fixture
def engine_deployed(engine):
    engine.repository.deploy(DIAGRAM)
    engine.repository.deploy(ESCALATION)
    return engine


def start(engine):
    return engine.runtime.start("reintegration_programme", CASE, actor="counsellor").id


def through_intake(engine, iid):
    complete(engine, iid, "present_programme", PRESENT)
    complete(engine, iid, "record_entry_decision", ENTER)
    on(engine, "2026-03-10")
    complete(engine, iid, "intake_session", SESSION_1)
    on(engine, "2026-03-12")
    complete(engine, iid, "intake_session", SESSION_2)


def into_implementation(engine, iid, *, team=ADMITTED):
    through_intake(engine, iid)
    complete(engine, iid, "write_report", REPORT)
    on(engine, "2026-03-23")
    complete(engine, iid, "team_decision", team)
    complete(engine, iid, "prepare_plan", PLAN)
    complete(engine, iid, "prepare_contract", CONTRACT)
    complete(engine, iid, "sign_contract", SIGN)
    complete(engine, iid, "make_annex", ANNEX)
    only_task(engine, iid, "implement_plan")


def test_julija_completes_the_programme(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    present = only_task(engine, iid, "present_programme")
    assert present.role == "ngo_counsellor" and present.documentation
    complete(engine, iid, "present_programme", PRESENT)
    decision = only_task(engine, iid, "record_entry_decision")
    assert decision.due_date == date(2026, 3, 9)  # her time to think
    complete(engine, iid, "record_entry_decision", ENTER)

    on(engine, "2026-03-10")
    assert "at most 90 minutes" in rejected(engine, iid, "intake_session",
                                            {**SESSION_1, "session_minutes": 91},
                                            "session_minutes")
    complete(engine, iid, "intake_session", SESSION_1)
    on(engine, "2026-03-12")
    message = rejected(engine, iid, "intake_session",
                       {**SESSION_2, "topics_covered": ["risks"]}, "intake_complete")
    assert message.endswith("still missing: stage of recovery, suitability.")
    complete(engine, iid, "intake_session", SESSION_2)
    variables = engine.runtime.instance(iid).variables
    assert variables["intake_minutes_total"] == 150
    assert len(variables["intake_sessions"]) == 2
    assert variables["intake_topics_covered"] == ["reason", "circumstances", "resources",
                                                  "risks", "stage_of_recovery", "suitability"]

    complete(engine, iid, "write_report", REPORT)
    on(engine, "2026-03-16")
    rejected(engine, iid, "team_decision", {**ADMITTED, "team_decision": "postponed",
                                            "team_decided_on": "2026-03-16"}, "postponed_until")
    complete(engine, iid, "team_decision", {**ADMITTED, "team_decision": "postponed",
                                            "team_decided_on": "2026-03-16",
                                            "postponed_until": "2026-03-23"})
    assert engine.runtime.instance(iid).status == "waiting"
    # The team takes it up again on 23 March at 09:00 in Ljubljana (winter time: 08:00 UTC).
    engine.set_clock(datetime(2026, 3, 23, 7, 59, tzinfo=UTC))
    assert open_elements(engine, iid) == []
    engine.set_clock(datetime(2026, 3, 23, 8, 1, tzinfo=UTC))
    complete(engine, iid, "team_decision", ADMITTED)
    assert ("coordinator", "Admitted to the (re)integration programme") in notices(engine, iid)

    complete(engine, iid, "prepare_plan", PLAN)
    complete(engine, iid, "prepare_contract", {**CONTRACT, "legal_advice_wanted": True})
    advice = only_task(engine, iid, "legal_advice")
    assert advice.role == "legal_adviser"
    rejected(engine, iid, "legal_advice", {"advice_given_on": "2026-03-26",
                                           "advice_summary": "Fair contract.",
                                           "changes_recommended": True}, "recommended_changes")
    complete(engine, iid, "legal_advice", {"advice_given_on": "2026-03-26",
                                           "advice_summary": "Fair contract.",
                                           "changes_recommended": True,
                                           "recommended_changes": "Name a refund rule."})
    on(engine, "2026-03-27")
    message = rejected(engine, iid, "sign_contract",
                       {**SIGN, "contract_signed_on": "2026-03-25"}, "contract_signed_on")
    assert "before she received it" in message
    rejected(engine, iid, "sign_contract", SIGN, "changes_settled")
    complete(engine, iid, "sign_contract", {**SIGN, "changes_settled": True})

    message = rejected(engine, iid, "make_annex", {**ANNEX, "annex_steps": [
        {"step": "Course", "area": "language", "cost": "-5"}]}, "annex_steps.0.cost")
    assert message == "A cost cannot be negative; write 0 for a step without cost."
    complete(engine, iid, "make_annex", ANNEX)
    variables = engine.runtime.instance(iid).variables
    assert variables["annex_total_cost"] == "275.50"
    assert variables["annexes"][0]["total_cost"] == "275.50"

    # First review 30 days after signing: 26 April is a Sunday, so the last working day
    # before it is Friday 24 April.
    first = reviews(engine, iid)["reintegration-review-1"]
    assert (first.legal_date, first.latest_safe_day, first.status) == (
        date(2026, 4, 26), date(2026, 4, 24), "open")
    assert first.owner_role == "ngo_counsellor"
    implementation = only_task(engine, iid, "implement_plan")
    assert implementation.role == "ngo_counsellor"
    engine.set_clock(datetime(2026, 4, 26, 6, 59, tzinfo=UTC))
    assert open_elements(engine, iid) == ["implement_plan"]
    engine.set_clock(datetime(2026, 4, 26, 7, 1, tzinfo=UTC))
    review = only_task(engine, iid, "review_plan")
    assert review.due_date == date(2026, 4, 26)
    assert "implement_plan" not in open_elements(engine, iid)
    rejected(engine, iid, "review_plan", {**REVIEW, "reviewed_on": "2026-04-26",
                                          "goals_reached": True, "new_annex_needed": True},
             "new_annex_needed")
    complete(engine, iid, "review_plan", {**REVIEW, "reviewed_on": "2026-04-26",
                                          "new_annex_needed": True})
    assert reviews(engine, iid)["reintegration-review-1"].status == "met"
    on(engine, "2026-04-27")
    complete(engine, iid, "make_annex", {**ANNEX, "annex_agreed_on": "2026-04-27",
                                         "annex_steps": [{"step": "School fee",
                                                          "area": "schooling",
                                                          "cost": "120"}]})
    variables = engine.runtime.instance(iid).variables
    assert variables["annex_total_cost"] == "395.50" and len(variables["annexes"]) == 2
    second = reviews(engine, iid)["reintegration-review-2"]
    assert second.legal_date == date(2026, 5, 26)  # 30 days after the last review

    # Something changes: the counsellor brings the review forward.
    on(engine, "2026-05-10")
    rejected(engine, iid, "implement_plan", {}, "early_review_reason")
    complete(engine, iid, "implement_plan", {"early_review_reason": "She found a school."})
    complete(engine, iid, "review_plan", {**REVIEW, "reviewed_on": "2026-05-10"})
    assert reviews(engine, iid)["reintegration-review-2"].status == "met"
    third = reviews(engine, iid)["reintegration-review-3"]
    assert third.legal_date == date(2026, 6, 9)

    engine.set_clock(datetime(2026, 6, 9, 7, 1, tzinfo=UTC))
    complete(engine, iid, "review_plan", {**REVIEW, "reviewed_on": "2026-06-09",
                                          "language_progress": "achieved",
                                          "schooling_progress": "achieved",
                                          "goals_reached": True})
    done = engine.runtime.instance(iid)
    assert done.status == "completed"
    assert done.variables["reintegration_outcome"] == "completed"
    assert [r["reviewed_on"] for r in done.variables["reviews"]] == [
        "2026-04-26", "2026-05-10", "2026-06-09"]
    assert {d.status for d in reviews(engine, iid).values()} == {"met"}
    assert ("coordinator", "(Re)integration programme completed") in notices(engine, iid)


def test_she_declines_after_time_to_think(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    complete(engine, iid, "present_programme", PRESENT)
    decline = {"entry_decision": "decline", "entry_decision_date": "2026-03-06"}
    rejected(engine, iid, "record_entry_decision", decline, "told_she_may_enter_later")
    complete(engine, iid, "record_entry_decision", {**decline, "told_she_may_enter_later": True})
    done = engine.runtime.instance(iid)
    assert done.status == "completed"
    assert done.variables["reintegration_outcome"] == "declined"
    assert done.variables["declined_on"] == "2026-03-06"


def test_she_leaves_during_the_intake(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    complete(engine, iid, "present_programme", PRESENT)
    complete(engine, iid, "record_entry_decision", ENTER)
    on(engine, "2026-03-10")
    complete(engine, iid, "intake_session", SESSION_1)
    on(engine, "2026-03-12")
    complete(engine, iid, "intake_session", {"left_programme": True})
    done = engine.runtime.instance(iid)
    assert done.variables["reintegration_outcome"] == "declined"
    assert done.variables["declined_on"] == "2026-03-12"
    assert len(done.variables["intake_sessions"]) == 1


def test_not_admitted(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    through_intake(engine, iid)
    negative = {**REPORT, "opinion": "negative",
                "opinion_justification": "The prosecutor does not need her as a witness."}
    rejected(engine, iid, "write_report", negative, "negative_grounds")
    rejected(engine, iid, "write_report", {**REPORT, "opinion_justification": "  "},
             "opinion_justification")
    complete(engine, iid, "write_report", {**negative,
                                           "negative_grounds": "not_needed_as_witness"})
    on(engine, "2026-03-23")
    complete(engine, iid, "team_decision", {**ADMITTED, "team_decision": "not_admitted"})
    done = engine.runtime.instance(iid)
    assert done.status == "completed"
    assert done.variables["reintegration_outcome"] == "not_admitted"
    assert notices(engine, iid) == []


def test_she_leaves_between_reviews(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    into_implementation(engine, iid)
    on(engine, "2026-04-10")
    complete(engine, iid, "implement_plan", {"left_programme": True,
                                             "leaving_reason": "She moves to her cousin."})
    done = engine.runtime.instance(iid)
    assert done.status == "completed"
    assert done.variables["reintegration_outcome"] == "left"
    assert done.variables["left_on"] == "2026-04-10"
    review = reviews(engine, iid)["reintegration-review-1"]
    assert review.status == "cancelled"
    assert ("coordinator", "Left the (re)integration programme") in notices(engine, iid)
    assert done.timers == []


def test_she_leaves_at_a_review(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    into_implementation(engine, iid)
    engine.set_clock(datetime(2026, 4, 26, 8, 0, tzinfo=UTC))
    complete(engine, iid, "review_plan", {"left_programme": True, "left_on": "2026-04-26"})
    done = engine.runtime.instance(iid)
    assert done.variables["reintegration_outcome"] == "left"
    assert reviews(engine, iid)["reintegration-review-1"].status == "met"


@pytest.mark.parametrize("step", ["prepare_plan", "prepare_contract", "sign_contract",
                                  "make_annex"])
def test_she_may_leave_before_the_plan_starts(engine_deployed, step):
    engine = engine_deployed
    iid = start(engine)
    through_intake(engine, iid)
    complete(engine, iid, "write_report", REPORT)
    on(engine, "2026-03-23")
    complete(engine, iid, "team_decision", {**ADMITTED, "team_notice_consent": False})
    for done_step, data in [("prepare_plan", PLAN), ("prepare_contract", CONTRACT),
                            ("sign_contract", SIGN), ("make_annex", ANNEX)]:
        if done_step == step:
            break
        complete(engine, iid, done_step, data)
    complete(engine, iid, step, {"left_programme": True})
    done = engine.runtime.instance(iid)
    assert done.status == "completed"
    assert done.variables["reintegration_outcome"] == "left"
    assert done.variables["team_notified"] is False
    assert notices(engine, iid) == []  # she did not agree to the team being told
    assert reviews(engine, iid) == {}


def test_forms_reject_what_the_programme_excludes(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    rejected(engine, iid, "present_programme", {**PRESENT, "interpreter_used": False},
             "interpreter_used")
    rejected(engine, iid, "present_programme", {**PRESENT, "conditions_explained": False},
             "conditions_explained")
    rejected(engine, iid, "present_programme", {**PRESENT, "decision_expected_by": "2026-03-01"},
             "decision_expected_by")
    rejected(engine, iid, "present_programme", {**PRESENT, "presented_on": "2026-03-03"},
             "presented_on")
    complete(engine, iid, "present_programme", PRESENT)
    rejected(engine, iid, "record_entry_decision", {**ENTER, "intake_consent": False},
             "intake_consent")
    complete(engine, iid, "record_entry_decision", ENTER)
    on(engine, "2026-03-10")
    rejected(engine, iid, "intake_session", {**SESSION_1, "session_minutes": 0},
             "session_minutes")
    assert "confirm the notes" in rejected(engine, iid, "intake_session",
                                           {**SESSION_1, "notes_confirmed": False},
                                           "notes_confirmed")
    complete(engine, iid, "intake_session", SESSION_2 | {"session_date": "2026-03-10",
                                                         "topics_covered": list(
                                                             SESSION_2["topics_covered"]
                                                             + SESSION_1["topics_covered"])})
    complete(engine, iid, "write_report", REPORT)
    on(engine, "2026-03-23")
    rejected(engine, iid, "team_decision", {**ADMITTED, "team_decision": "postponed",
                                            "postponed_until": "2026-03-23"},
             "postponed_until")
    complete(engine, iid, "team_decision", ADMITTED)
    rejected(engine, iid, "prepare_plan", {**PLAN, "complaint_right_acknowledged": False},
             "complaint_right_acknowledged")
    rejected(engine, iid, "prepare_plan", {**PLAN, "plan_steps": []}, "plan_steps")
    rejected(engine, iid, "prepare_plan", {**PLAN, "long_term_goals": ""}, "long_term_goals")
    complete(engine, iid, "prepare_plan", PLAN)
    assert "translated" in rejected(engine, iid, "prepare_contract",
                                    {**CONTRACT, "translation_provided": False},
                                    "translation_provided")
    rejected(engine, iid, "prepare_contract", {**CONTRACT, "legal_advice_offered": False},
             "legal_advice_offered")
    complete(engine, iid, "prepare_contract", CONTRACT)
    rejected(engine, iid, "sign_contract", {**SIGN, "signed_by_both": False}, "signed_by_both")
    complete(engine, iid, "sign_contract", SIGN)
    rejected(engine, iid, "make_annex", {**ANNEX, "annex_steps": []}, "annex_steps")
    rejected(engine, iid, "make_annex", {**ANNEX, "within_means": False}, "within_means")
    rejected(engine, iid, "make_annex", {**ANNEX, "annex_steps": [
        {"step": "Course", "area": "language", "cost": "NaN"}]}, "annex_steps.0.cost")
    complete(engine, iid, "make_annex", ANNEX)
    on(engine, "2026-04-10")
    rejected(engine, iid, "implement_plan", {"left_programme": True, "left_on": "2026-04-11"},
             "left_on")
