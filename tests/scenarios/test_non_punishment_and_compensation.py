"""Non-punishment for offences she was compelled to commit (CETS Art. 26, Directive
2011/36/EU Art. 8) and her compensation claims (CETS Art. 15, Directive Art. 17), walked
with Julija's case (seed 000) and the manual clock.

Julija worked for an employer who held her passport; she worked without papers, and the
labour inspectorate fined her for working without a permit. The legal adviser asks that
she not be punished for it; the authority's answer has a deadline of the case. Her claim
for the unpaid wages is its own procedure, tracked to the judgment and the payment.
Each test is named after the rule it proves.
"""

from __future__ import annotations

from datetime import date

import pytest

from engine.errors import Forbidden, ValidationFailed
from engine.protection.access import Reader
from tests.processes.steps import procedure_notices, rejected
from tests.scenarios.case import Case
from tests.scenarios.conftest import JULIJA

PROSECUTOR = Reader("prosecutor", ("prosecutor",), "127.0.0.1")
COORDINATOR = Reader("coordinator", ("coordinator",), "127.0.0.1")

ACCOUNT = ("The employer kept my passport and said the police would deport me if I stopped "
           "working for him.")
OFFENCE = {"offence_kind": "work_without_permit", "offence_proceedings": "misdemeanour",
           "offence_reference": "IRSD 0612-17/2026", "offence_authority":
           "Labour inspectorate, Ljubljana regional unit", "offence_committed_on": "2026-02-20",
           "compulsion_account": ACCOUNT, "account_disclosure_agreed": True,
           "offence_notes": "She cried when the fine was mentioned; counselling goes on weekly."}
SUBMISSION = {"submission_outcome": "submitted", "submission_date": "2026-03-02",
              "submission_grounds": ["cets_art_26", "directive_art_8"],
              "submission_reference": "0612-17/2026-3"}
NOT_PUNISHED = {"np_decision": "proceedings_dropped", "np_decided_on": "2026-03-20",
                "np_decision_ground": "compelled_offence",
                "np_decision_reason": "She worked under the control of the employer who "
                                      "held her passport."}
CONTINUED = {"np_decision": "continued", "np_decided_on": "2026-04-10",
             "np_decision_ground": "public_interest",
             "np_decision_reason": "The misdemeanour court is to decide on the fine."}


def non_punishment(julija: Case, data: dict | None = None) -> Case:
    """The procedure started on its own for Julija's case, identified as a victim."""
    return Case(julija.engine, julija.engine.runtime.start(
        "non_punishment", julija.code, data=data or {"np_victim_status": "identified"},
        actor="coordinator"))


def submitted(julija: Case) -> Case:
    """Her fine recorded and the submission sent on Monday 2 March 2026."""
    case = non_punishment(julija)
    case.complete("record_offence", "lawyer", OFFENCE, role="legal_adviser")
    case.complete("prepare_submission", "lawyer", SUBMISSION, role="legal_adviser")
    return case


def subjects(engine, instance_id: int, role: str, source: str | None = None) -> list[str]:
    return [n.subject for n in engine.deadlines.notifications(role=role, instance_id=instance_id,
                                                             source=source)]


# --- non-punishment --------------------------------------------------------------------------


def test_the_prosecutor_decides_on_non_punishment_by_a_deadline_and_the_coordinator_is_told(
        julija):
    case = submitted(julija)
    engine = case.engine
    task = case.task("decide_non_punishment")
    # Only the prosecutor's role holds the task; 30 days from 2 March end on 1 April.
    assert task.role == "prosecutor" and task.due_date == date(2026, 4, 1)
    assert [t.id for t in engine.tasks.tasks(roles=["prosecutor"])] == [task.id]
    assert engine.tasks.own_task(task.id, ["prosecutor"]).id == task.id
    with pytest.raises(Forbidden):
        engine.tasks.own_task(task.id, ["legal_adviser"])
    due = case.deadline("non_punishment_answer_due")
    assert (due.legal_date, due.latest_safe_day, due.owner_role, due.status) == (
        date(2026, 4, 1), date(2026, 4, 1), "prosecutor", "open")

    case.at("2026-03-20")
    case.complete("decide_non_punishment", "prosecutor", NOT_PUNISHED, role="prosecutor")
    assert case.deadline("non_punishment_answer_due").status == "met"
    assert case.instance.status == "completed"
    assert case.instance.variables["np_punishment_averted"] is True
    told = [n for n in procedure_notices(engine, instance_id=case.id, role="coordinator")]
    assert [n.subject for n in told] == ["Decision on non-punishment recorded"]
    assert "2026-03-20" in told[0].body and "were dropped" in told[0].body
    assert "Decision on non-punishment recorded" in subjects(engine, case.id, "legal_adviser")


def test_a_late_answer_is_reminded_and_escalated_then_a_remedy_is_decided_with_her(julija):
    case = submitted(julija)
    engine = case.engine
    case.at("2026-03-18")  # 14 days before the latest safe day, 1 April
    assert any(s.startswith("Decide whether to prosecute or punish her")
               for s in subjects(engine, case.id, "prosecutor", source="reminder"))
    assert not engine.runtime.instances(process_key="deadline_escalation")

    case.at("2026-04-02")  # the day after the latest safe day, still no answer
    assert case.deadline("non_punishment_answer_due").status == "missed"
    assert any(s.startswith("Deadline passed without action: Decide whether to prosecute")
               for s in subjects(engine, case.id, "coordinator", source="escalation"))
    (escalation,) = engine.runtime.instances(process_key="deadline_escalation")
    assert escalation.case_code == JULIJA
    assert "decide_non_punishment" in case.open_elements()

    # The answer comes late, and the proceedings continue: the remedy is hers to choose.
    case.at("2026-04-10")
    case.complete("decide_non_punishment", "prosecutor", CONTINUED, role="prosecutor")
    answer = case.deadline("non_punishment_answer_due")
    assert (answer.status, answer.met_on) == ("missed", date(2026, 4, 10))
    assert case.open_elements() == ["decide_remedy"]
    case.complete("decide_remedy", "lawyer", {
        "np_remedy": "request_for_judicial_protection", "np_remedy_decided_with_her": True,
        "np_remedy_filed_on": "2026-04-10"}, role="legal_adviser")
    assert case.instance.status == "completed"
    told = procedure_notices(engine, instance_id=case.id, role="coordinator")
    assert [n.subject for n in told] == ["Decision on non-punishment recorded",
                                         "Remedy against the continued proceedings"]
    assert "request for judicial protection" in told[1].body


def test_the_prosecutor_reads_what_she_disclosed_and_never_her_counselling_notes(julija):
    case = submitted(julija)
    engine = case.engine
    shown = engine.disclosure.instance(PROSECUTOR, case.id, "test").variables
    assert shown["compulsion_account"] == ACCOUNT
    assert shown["offence_reference"] == "IRSD 0612-17/2026"
    assert shown["offence_authority"].startswith("Labour inspectorate")
    assert "offence_notes" not in shown
    # Her identification, read through the same door: the case data, not her story.
    protection = engine.disclosure.instance(PROSECUTOR, julija.id, "test").variables
    assert protection["identification_outcome"] == "victim"
    assert not {"her_view", "current_state_and_needs", "exploitation_how_created"} & set(
        protection)
    # The coordinator, who works with her account, reads all of it.
    assert "offence_notes" in engine.disclosure.instance(COORDINATOR, case.id, "test").variables


def test_she_may_decline_the_submission_and_the_coordinator_is_told(julija):
    case = non_punishment(julija)
    case.complete("record_offence", "lawyer", {**OFFENCE, "compulsion_account": None,
                                               "account_disclosure_agreed": False})
    case.complete("prepare_submission", "lawyer", {"submission_outcome": "she_declined",
                                                   "submission_date": "2026-03-02"})
    assert case.instance.status == "completed"
    assert case.engine.deadlines.deadlines(instance_id=case.id) == []
    assert [n.subject for n in procedure_notices(case.engine, instance_id=case.id)] == [
        "Non-punishment submission not made"]


def test_non_punishment_refuses_bad_data_and_changes_nothing(julija):
    engine = julija.engine
    before = len(engine.runtime.instances())
    with pytest.raises(ValidationFailed) as caught:
        engine.runtime.start("non_punishment", JULIJA, data={"np_victim_status": "suspect"},
                             actor="coordinator")
    assert "np_victim_status" in caught.value.fields
    assert len(engine.runtime.instances()) == before

    case = non_punishment(julija)
    message = rejected(engine, case.id, "record_offence",
                       {**OFFENCE, "account_disclosure_agreed": False},
                       "account_disclosure_agreed")
    assert "only when she agreed to disclose" in message
    rejected(engine, case.id, "record_offence",
             {k: v for k, v in OFFENCE.items() if k != "offence_reference"}, "offence_reference")
    case.complete("record_offence", "lawyer", OFFENCE)
    assert "CETS Art. 26" in rejected(engine, case.id, "prepare_submission",
                                      {**SUBMISSION, "submission_grounds": []},
                                      "submission_grounds")
    assert "before the offence" in rejected(engine, case.id, "prepare_submission",
                                            {**SUBMISSION, "submission_date": "2026-02-01"},
                                            "submission_date")
    case.complete("prepare_submission", "lawyer", SUBMISSION)
    case.at("2026-03-20")
    assert "give the ground" in rejected(
        engine, case.id, "decide_non_punishment",
        {**CONTINUED, "np_decided_on": "2026-03-20", "np_decision_ground": "compelled_offence"},
        "np_decision_ground")
    assert "before the submission" in rejected(
        engine, case.id, "decide_non_punishment",
        {**NOT_PUNISHED, "np_decided_on": "2026-03-01"}, "np_decided_on")
    assert case.deadline("non_punishment_answer_due").status == "open"


def test_a_child_decides_on_non_punishment_with_her_guardian(julija):
    case = non_punishment(julija, {"np_victim_status": "reasonable_grounds", "is_child": True})
    assert "guardian" in rejected(julija.engine, case.id, "record_offence", OFFENCE,
                                  "guardian_involved")
    case.complete("record_offence", "lawyer", {**OFFENCE, "guardian_involved": True})
    assert case.open_elements() == ["prepare_submission"]


# --- compensation claims ---------------------------------------------------------------------

ASSESSED = {"claim_assessed_on": "2026-03-02", "claim_informed": True,
            "claim_interpreter_used": True, "claim_wanted": "file",
            "claim_respondent": "employer", "claim_amount_eur": 4800,
            "claim_filing_due": "2026-06-30",
            "claim_filing_due_basis": "Advice of her lawyer on the wages due since 2025",
            "claim_legal_aid": "granted",
            "claim_notes": "She wants the wages she earned, nothing more."}
FILED = {"claim_filed_on": "2026-03-10", "claim_filed_with": "Labour and Social Court in "
         "Ljubljana", "claim_reference": "I Pd 245/2026", "claim_filed_eur": 4800}


def claim(julija: Case, kind: str = "wage_lawsuit") -> Case:
    return Case(julija.engine, julija.engine.runtime.start(
        "compensation_claim", julija.code, data={"claim_kind": kind}, actor="coordinator"))


def test_a_wage_claim_against_the_employer_is_tracked_to_judgment_and_payment(julija):
    case = claim(julija)
    engine = case.engine
    case.complete("assess_claim", "lawyer", ASSESSED, role="legal_adviser")
    due = case.deadline("compensation_filing_due")
    # 30 June 2026 is a Tuesday: the latest safe day is the legal date itself.
    assert (due.legal_date, due.latest_safe_day, due.owner_role) == (
        date(2026, 6, 30), date(2026, 6, 30), "legal_adviser")
    assert case.task("file_claim").due_date == date(2026, 6, 30)

    case.at("2026-03-10")
    case.complete("file_claim", "lawyer", FILED, role="legal_adviser")
    assert case.deadline("compensation_filing_due").status == "met"

    # The court grants her wages; the employer appeals, and the task waits for the appeal.
    case.at("2026-09-15")
    case.complete("record_decision", "lawyer", {
        "claim_decision": "granted", "claim_decided_on": "2026-09-15",
        "claim_awarded_eur": 4800, "claim_appeal_filed": True}, role="legal_adviser")
    assert case.open_elements() == ["record_decision"]
    case.at("2027-01-20")
    case.complete("record_decision", "lawyer", {
        "claim_decision": "granted", "claim_decided_on": "2027-01-20",
        "claim_awarded_eur": 4800})
    # Paid in part: the payment task comes back until she is paid in full.
    case.at("2027-02-15")
    case.complete("record_payment", "lawyer", {
        "claim_payment": "paid_in_part", "claim_paid_on": "2027-02-15", "claim_paid_eur": 2000,
        "claim_enforcement_filed_on": "2027-02-10"}, role="legal_adviser")
    assert case.open_elements() == ["record_payment"]
    assert case.instance.status == "running"
    case.at("2027-03-31")
    case.complete("record_payment", "lawyer", {
        "claim_payment": "paid_in_full", "claim_paid_on": "2027-03-31", "claim_paid_eur": 4800})

    done = case.instance
    assert done.status == "completed" and done.variables["claim_outcome"] == "paid_in_full"
    told = procedure_notices(engine, instance_id=case.id, role="coordinator")
    assert [n.subject for n in told] == ["Compensation claim closed"]
    assert "paid in full on 2027-03-31" in told[0].body
    assert "Unpaid wages paid" in subjects(engine, case.id, "legal_adviser")


def test_a_filing_deadline_entered_late_shows_missed_at_once_and_a_late_filing_is_told(julija):
    case = claim(julija, "criminal_proceedings_claim")
    case.complete("assess_claim", "lawyer", {**ASSESSED, "claim_respondent": "accused",
                                             "claim_filing_due": "2026-02-27"})
    assert case.deadline("compensation_filing_due").status == "missed"
    case.complete("file_claim", "lawyer", {**FILED, "claim_filed_on": "2026-03-02"})
    assert case.deadline("compensation_filing_due").status == "missed"
    assert case.instance.variables["claim_filed_late"] is True
    assert "Compensation claim filed after its time limit" in subjects(
        case.engine, case.id, "coordinator")


def test_a_claim_without_a_time_limit_has_no_filing_deadline(julija):
    case = claim(julija, "damages_lawsuit")
    case.complete("assess_claim", "lawyer", {**ASSESSED, "claim_filing_due": None})
    assert case.engine.deadlines.deadlines(instance_id=case.id) == []
    assert case.task("file_claim").due_date is None
    case.at("2026-03-10")
    case.complete("file_claim", "lawyer", FILED)
    assert case.open_elements() == ["record_decision"]


def test_she_may_decide_not_to_claim_now_and_the_coordinator_is_told(julija):
    case = claim(julija, "state_compensation")
    case.complete("assess_claim", "lawyer", {**ASSESSED, "claim_wanted": "not_now",
                                             "claim_respondent": None})
    assert case.instance.status == "completed"
    assert case.engine.deadlines.deadlines(instance_id=case.id) == []
    (told,) = procedure_notices(case.engine, instance_id=case.id, role="coordinator")
    assert "decided not to file this claim now" in told.body


def test_an_award_that_cannot_be_enforced_points_to_state_compensation(julija):
    case = claim(julija)
    case.complete("assess_claim", "lawyer", ASSESSED)
    case.at("2026-03-10")
    case.complete("file_claim", "lawyer", FILED)
    case.at("2026-09-15")
    case.complete("record_decision", "lawyer", {
        "claim_decision": "partly_granted", "claim_decided_on": "2026-09-15",
        "claim_awarded_eur": 3000})
    case.complete("record_payment", "lawyer", {"claim_payment": "cannot_be_enforced"})
    assert case.instance.variables["claim_outcome"] == "cannot_be_enforced"
    (told,) = procedure_notices(case.engine, instance_id=case.id, role="coordinator")
    assert "state compensation" in told.body


def test_a_refused_claim_closes_without_payment(julija):
    case = claim(julija)
    case.complete("assess_claim", "lawyer", ASSESSED)
    case.at("2026-03-10")
    case.complete("file_claim", "lawyer", FILED)
    case.complete("record_decision", "lawyer", {"claim_decision": "refused",
                                                "claim_decided_on": "2026-03-10"})
    assert case.instance.variables["claim_outcome"] == "refused"
    assert case.instance.status == "completed"


def test_a_compensation_claim_refuses_bad_data_and_changes_nothing(julija):
    engine = julija.engine
    before = len(engine.runtime.instances())
    with pytest.raises(ValidationFailed) as caught:
        engine.runtime.start("compensation_claim", JULIJA, data={}, actor="coordinator")
    assert "claim_kind" in caught.value.fields
    assert len(engine.runtime.instances()) == before

    state = claim(julija, "state_compensation")
    assert "claimed from the state" in rejected(engine, state.id, "assess_claim", ASSESSED,
                                                "claim_respondent")
    case = claim(julija)
    assert "Inform her" in rejected(engine, case.id, "assess_claim",
                                    {**ASSESSED, "claim_informed": False}, "claim_informed")
    assert "whole number of euros" in rejected(engine, case.id, "assess_claim",
                                               {**ASSESSED, "claim_amount_eur": -5},
                                               "claim_amount_eur")
    case.complete("assess_claim", "lawyer", ASSESSED)
    assert "after it was assessed" in rejected(engine, case.id, "file_claim",
                                               {**FILED, "claim_filed_on": "2026-03-01"},
                                               "claim_filed_on")
    case.at("2026-03-10")
    case.complete("file_claim", "lawyer", FILED)
    assert "before the claim was filed" in rejected(
        engine, case.id, "record_decision",
        {"claim_decision": "granted", "claim_decided_on": "2026-03-09",
         "claim_awarded_eur": 4800}, "claim_decided_on")
    assert "amount awarded" in rejected(
        engine, case.id, "record_decision",
        {"claim_decision": "granted", "claim_decided_on": "2026-03-10"}, "claim_awarded_eur")
    case.complete("record_decision", "lawyer", {"claim_decision": "granted",
                                                "claim_decided_on": "2026-03-10",
                                                "claim_awarded_eur": 4800})
    assert "More than the amount awarded" in rejected(
        engine, case.id, "record_payment",
        {"claim_payment": "paid_in_full", "claim_paid_on": "2026-03-10",
         "claim_paid_eur": 5000}, "claim_paid_eur")
    assert "day of the payment" in rejected(
        engine, case.id, "record_payment",
        {"claim_payment": "paid_in_full", "claim_paid_eur": 4800}, "claim_paid_on")
    assert case.open_elements() == ["record_payment"]
