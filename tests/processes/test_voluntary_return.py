"""Assisted voluntary return (DOMAIN.md section 5) walked through the engine.

Julija (seed 000) asks to go home; the scenarios cover her refusal, her withdrawal at a
later step, a high-risk return confirmed or stopped, a child's return, the police escort
and a postponed travel, and the follow-up contacts after her arrival.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.errors import BadRequest, ValidationFailed
from tests.conftest import PROCESSES
from tests.processes.return_steps import (
    CONSENT,
    DOCUMENTS,
    FOLLOW_UP,
    HANDOVER,
    PARTNER,
    RISK,
    TRAVEL,
    complete,
    on,
    rejected,
    walk_to,
)
from tests.processes.steps import ESCALATION, notices, only_task, open_elements

CASE = "SI-2026-0042"
DIAGRAM = PROCESSES / "voluntary_return.bpmn"

WITHDRAW = {"consent_withdrawn": True, "withdrawal_reason": "She wants to stay near her "
            "sister.", "withdrawn_on": "2026-03-02"}


@pytest.fixture
def engine_deployed(engine):
    engine.repository.deploy(DIAGRAM)
    engine.repository.deploy(ESCALATION)
    return engine


def start(engine, **data):
    return engine.runtime.start("voluntary_return", CASE, data=data or None, actor="coord").id


def test_return_with_hand_over_and_two_follow_ups(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    consent = only_task(engine, iid, "give_consent")
    assert consent.role == "coordinator" and consent.documentation
    walk_to(engine, iid, "hand_over")
    hand_over = only_task(engine, iid, "hand_over")
    assert hand_over.role == "return_officer"
    assert hand_over.due_date.isoformat() == "2026-03-20"

    engine.set_clock(datetime(2026, 3, 20, 18, 0, tzinfo=UTC))
    complete(engine, iid, "hand_over", HANDOVER, user="iom")
    instance = engine.runtime.instance(iid)
    assert instance.status == "waiting" and instance.open_tasks == []
    assert instance.variables["return_outcome"] == "returned"
    assert instance.variables["returned_on"] == "2026-03-20"
    assert instance.variables["follow_up_on"] == "2026-04-19"
    assert ("coordinator", "Voluntary return completed") in notices(engine, iid)
    assert engine.deadlines.deadlines(instance_id=iid) == []

    # 30 days after the arrival, at 09:00 in Ljubljana (summer time: 07:00 UTC).
    engine.set_clock(datetime(2026, 4, 19, 6, 59, tzinfo=UTC))
    assert open_elements(engine, iid) == []
    engine.set_clock(datetime(2026, 4, 19, 7, 1, tzinfo=UTC))
    follow_up = only_task(engine, iid, "follow_up")
    assert follow_up.role == "coordinator" and follow_up.due_date.isoformat() == "2026-04-26"
    complete(engine, iid, "follow_up", {**FOLLOW_UP, "contacted_on": "2026-04-19",
                                        "further_follow_up": True})
    assert engine.runtime.instance(iid).variables["follow_up_on"] == "2026-05-19"

    engine.set_clock(datetime(2026, 5, 19, 7, 1, tzinfo=UTC))
    complete(engine, iid, "follow_up", {**FOLLOW_UP, "contacted_on": "2026-05-19"})
    done = engine.runtime.instance(iid)
    assert done.status == "completed"
    assert done.variables["return_outcome"] == "returned"
    assert done.variables["follow_up_count"] == 2
    assert [f["contacted_on"] for f in done.variables["follow_ups"]] == ["2026-04-19",
                                                                         "2026-05-19"]


def test_she_refuses_a_return(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    complete(engine, iid, "give_consent", {"return_consent": "refused",
                                           "consent_date": "2026-03-02"})
    done = engine.runtime.instance(iid)
    assert done.status == "completed"
    assert done.variables["return_outcome"] == "declined"
    assert done.variables["declined_by"] == "her"
    assert done.variables["returned_on"] is None
    (answer,) = engine.consents.consents(done.case_code)
    assert (answer.purpose, answer.status, answer.decided_on.isoformat()) == \
        ("voluntary_return", "refused", "2026-03-02")


@pytest.mark.parametrize("step", ["assess_risk", "contact_partner", "travel_documents",
                                  "plan_travel", "hand_over"])
def test_she_withdraws_at_any_step(engine_deployed, step):
    engine = engine_deployed
    iid = start(engine)
    walk_to(engine, iid, step)
    # Withdrawing needs only the withdrawal fields: the step itself is not done.
    rejected(engine, iid, step, {"consent_withdrawn": True}, "withdrawal_reason")
    complete(engine, iid, step, WITHDRAW)
    done = engine.runtime.instance(iid)
    assert done.status == "completed"
    assert done.variables["return_outcome"] == "withdrawn"
    assert done.variables["withdrawn_on"] == "2026-03-02"
    assert done.variables["withdrawal_reason"] == WITHDRAW["withdrawal_reason"]
    roles = [role for role, subject in notices(engine, iid)
             if subject == "Voluntary return stopped: consent withdrawn"]
    assert "coordinator" in roles
    assert ("return_officer" in roles) == (step in ("travel_documents", "plan_travel",
                                                    "hand_over"))
    (consent,) = engine.consents.consents(done.case_code)  # the register says so too
    assert (consent.status, consent.withdrawn_on.isoformat()) == ("withdrawn", "2026-03-02")


def test_withdrawal_date_defaults_to_today_and_is_not_in_the_future(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    walk_to(engine, iid, "contact_partner")
    message = rejected(engine, iid, "contact_partner",
                       {**WITHDRAW, "withdrawn_on": "2026-03-09"}, "withdrawn_on")
    assert message == "The date cannot be in the future."
    complete(engine, iid, "contact_partner", {**WITHDRAW, "withdrawn_on": None})
    variables = engine.runtime.instance(iid).variables
    assert variables["withdrawn_on"] == "2026-03-04"
    assert variables["withdrawal_step"] == "partner_contact"


def test_high_risk_return_goes_on_only_justified(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    complete(engine, iid, "give_consent", CONSENT)
    high = {**RISK, "threat_risk": "high", "risk_level": "high"}
    message = rejected(engine, iid, "assess_risk", {**high, "risk_level": "medium"},
                       "risk_level")
    assert "cannot be lower than the highest risk found (high: the threats)" in message
    complete(engine, iid, "assess_risk", high)
    review = only_task(engine, iid, "review_high_risk")
    assert review.role == "coordinator"
    decision = {"high_risk_decision": "continue", "high_risk_decided_on": "2026-03-03",
                "high_risk_justification": "Her home town is far from the recruiters."}
    assert "safeguards" in rejected(engine, iid, "review_high_risk", decision, "safeguards")
    rejected(engine, iid, "review_high_risk",
             {**decision, "safeguards": "Shelter on arrival, escort."},
             "she_was_told_the_risk")
    complete(engine, iid, "review_high_risk",
             {**decision, "safeguards": "Shelter on arrival, escort.",
              "she_was_told_the_risk": True})
    complete(engine, iid, "contact_partner", PARTNER)
    complete(engine, iid, "travel_documents", DOCUMENTS)
    message = rejected(engine, iid, "plan_travel", {**TRAVEL, "escort": "none"}, "escort")
    assert message == "A high-risk return needs an escort."
    complete(engine, iid, "plan_travel", TRAVEL)
    only_task(engine, iid, "hand_over")


def test_high_risk_return_stopped_and_protection_planned(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    complete(engine, iid, "give_consent", CONSENT)
    complete(engine, iid, "assess_risk", {**RISK, "family_situation": "involved_in_trafficking",
                                          "risk_level": "high"})
    complete(engine, iid, "review_high_risk", {
        "high_risk_decision": "stop", "high_risk_decided_on": "2026-03-03",
        "high_risk_justification": "Her family sold her to the recruiters."})
    plan = only_task(engine, iid, "plan_protection")
    assert plan.role == "coordinator"
    rejected(engine, iid, "plan_protection", {"protection_measures": [],
                                              "protection_notes": "x", "told_her": True},
             "protection_measures")
    rejected(engine, iid, "plan_protection", {"protection_measures": ["reflection_period"],
                                              "protection_notes": "Stay in the shelter."},
             "told_her")
    complete(engine, iid, "plan_protection", {
        "protection_measures": ["safe_accommodation", "reintegration_programme"],
        "protection_notes": "Stays in the shelter; counsellor presents the programme.",
        "told_her": True})
    done = engine.runtime.instance(iid)
    assert done.status == "completed"
    assert done.variables["return_outcome"] == "stopped_high_risk"
    assert done.variables["return_stopped_on"] == "2026-03-03"


CHILD_ASSESSMENT = {"guardian_consent": "given", "guardian_consent_date": "2026-03-03",
                    "child_heard": True, "family_traced": "found_safe",
                    "care_on_return": "family", "best_interests_outcome": "in_best_interests",
                    "best_interests_assessment": "Her mother was found and wants her home."}


def test_child_returns_with_guardian_consent_and_an_escort(engine_deployed):
    engine = engine_deployed
    iid = start(engine, is_child=True)
    complete(engine, iid, "give_consent", CONSENT)
    assessment = only_task(engine, iid, "best_interests")
    assert assessment.role == "social_work"
    rejected(engine, iid, "best_interests", {**CHILD_ASSESSMENT, "child_heard": False},
             "child_heard")
    message = rejected(engine, iid, "best_interests",
                       {**CHILD_ASSESSMENT, "family_traced": "found_unsafe"},
                       "care_on_return")
    assert "family" in message
    complete(engine, iid, "best_interests", CHILD_ASSESSMENT)
    for step, data in [("assess_risk", RISK), ("contact_partner", PARTNER),
                       ("travel_documents", DOCUMENTS)]:
        complete(engine, iid, step, data)
    message = rejected(engine, iid, "plan_travel", {**TRAVEL, "escort": "none"}, "escort")
    assert message == "A child never travels alone: choose an escort."
    complete(engine, iid, "plan_travel", {**TRAVEL, "escort": "social_worker"})
    engine.set_clock(datetime(2026, 3, 20, 18, 0, tzinfo=UTC))
    complete(engine, iid, "hand_over", HANDOVER)
    assert ("social_work", "Voluntary return completed") in notices(engine, iid)


@pytest.mark.parametrize(("change", "outcome"), [
    ({"guardian_consent": "refused"}, "declined"),
    ({"best_interests_outcome": "not_in_best_interests", "care_on_return": "foster_care"},
     "stopped_best_interests"),
])
def test_child_return_stopped(engine_deployed, change, outcome):
    engine = engine_deployed
    iid = start(engine, is_child=True)
    complete(engine, iid, "give_consent", CONSENT)
    complete(engine, iid, "best_interests", {**CHILD_ASSESSMENT, **change})
    complete(engine, iid, "plan_protection", {"protection_measures": ["safe_accommodation"],
                                              "protection_notes": "Foster family.",
                                              "told_her": True})
    done = engine.runtime.instance(iid)
    assert done.status == "completed" and done.variables["return_outcome"] == outcome


def test_child_withdraws_during_the_assessment(engine_deployed):
    engine = engine_deployed
    iid = start(engine, is_child=True)
    complete(engine, iid, "give_consent", CONSENT)
    complete(engine, iid, "best_interests", WITHDRAW)
    done = engine.runtime.instance(iid)
    assert done.variables["return_outcome"] == "withdrawn"
    roles = {role for role, _ in notices(engine, iid)}
    assert roles == {"coordinator", "social_work"}


def test_police_escort_refused_then_travel_postponed_then_handed_over(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    walk_to(engine, iid, "plan_travel")
    complete(engine, iid, "plan_travel", {**TRAVEL, "escort": "police"})
    escort = only_task(engine, iid, "confirm_escort")
    assert escort.role == "police"
    rejected(engine, iid, "confirm_escort", {"escort_confirmed": False}, "escort_notes")
    complete(engine, iid, "confirm_escort", {"escort_confirmed": False,
                                             "escort_notes": "No officers free that week."})
    complete(engine, iid, "plan_travel", {**TRAVEL, "escort": "police",
                                          "travel_date": "2026-03-27"})
    complete(engine, iid, "confirm_escort", {"escort_confirmed": True})
    rejected(engine, iid, "hand_over", {"handover_status": "travel_postponed"},
             "handover_notes")
    complete(engine, iid, "hand_over", {"handover_status": "travel_postponed",
                                        "handover_notes": "The bus was cancelled."})
    complete(engine, iid, "plan_travel", {**TRAVEL, "escort": "police",
                                          "travel_date": "2026-03-28"})
    complete(engine, iid, "confirm_escort", {"escort_confirmed": True})
    engine.set_clock(datetime(2026, 3, 28, 18, 0, tzinfo=UTC))
    rejected(engine, iid, "hand_over", {**HANDOVER, "arrived_on": "2026-03-28",
                                        "partner_confirmed_handover": False},
             "partner_confirmed_handover")
    complete(engine, iid, "hand_over", {**HANDOVER, "arrived_on": "2026-03-28"})
    variables = engine.runtime.instance(iid).variables
    assert variables["returned_on"] == "2026-03-28"
    assert variables["follow_up_at"] == "2026-04-27T09:00:00+02:00"


def test_withdrawal_at_the_police_escort_tells_the_police(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    walk_to(engine, iid, "plan_travel")
    complete(engine, iid, "plan_travel", {**TRAVEL, "escort": "police"})
    complete(engine, iid, "confirm_escort", WITHDRAW)
    roles = {role for role, _ in notices(engine, iid)}
    assert roles == {"coordinator", "return_officer", "police"}


def test_consent_must_be_informed(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    assert "interpreter" in rejected(engine, iid, "give_consent",
                                     {**CONSENT, "interpreter_used": False},
                                     "interpreter_used")
    rejected(engine, iid, "give_consent", {**CONSENT, "interpreter_language": ""},
             "interpreter_language")
    rejected(engine, iid, "give_consent", {**CONSENT, "informed_of_right_to_withdraw": False},
             "informed_of_right_to_withdraw")
    rejected(engine, iid, "give_consent", {**CONSENT, "informed_of_process": False},
             "informed_of_process")
    rejected(engine, iid, "give_consent", {**CONSENT, "data_sharing_consent": False},
             "data_sharing_consent")
    rejected(engine, iid, "give_consent", {**CONSENT, "consent_purpose": " "},
             "consent_purpose")
    assert rejected(engine, iid, "give_consent", {**CONSENT, "consent_date": "2026-03-03"},
                    "consent_date") == "The date cannot be in the future."


def test_steps_reject_what_cannot_be(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    complete(engine, iid, "give_consent", CONSENT)
    rejected(engine, iid, "assess_risk", {**RISK, "risk_notes": ""}, "risk_notes")
    complete(engine, iid, "assess_risk", RISK)
    message = rejected(engine, iid, "contact_partner", {**PARTNER, "contact_confirmed": False},
                       "contact_confirmed")
    assert message.startswith("The partner organisation must confirm")
    rejected(engine, iid, "contact_partner", {**PARTNER, "partner_services": []},
             "partner_services")
    complete(engine, iid, "contact_partner", PARTNER)
    message = rejected(engine, iid, "travel_documents",
                       {**DOCUMENTS, "document_valid_until": "2026-03-01"},
                       "document_valid_until")
    assert "no longer valid" in message
    complete(engine, iid, "travel_documents", DOCUMENTS)
    message = rejected(engine, iid, "plan_travel", {**TRAVEL, "travel_date": "2026-03-01"},
                       "travel_date")
    assert message == "The travel date cannot be in the past: plan it for today or later."
    message = rejected(engine, iid, "plan_travel", {**TRAVEL, "travel_date": "2026-05-02"},
                       "travel_date")
    assert "valid only until 30 April 2026" in message
    complete(engine, iid, "plan_travel", TRAVEL)
    rejected(engine, iid, "hand_over", {**HANDOVER, "arrived_on": "2026-03-20"}, "arrived_on")
    rejected(engine, iid, "hand_over", {**HANDOVER, "arrived_on": None}, "arrived_on")


def test_follow_up_respects_her_wishes_and_her_safety(engine_deployed):
    engine = engine_deployed
    iid = start(engine)
    walk_to(engine, iid, "hand_over")
    engine.set_clock(datetime(2026, 4, 19, 8, 0, tzinfo=UTC))  # arrival entered late
    complete(engine, iid, "hand_over", HANDOVER)
    follow_up = only_task(engine, iid, "follow_up")  # its day had already come
    assert follow_up.due_date.isoformat() == "2026-04-26"
    at_risk = {**FOLLOW_UP, "contacted_on": "2026-04-19", "situation_after_return": "at_risk"}
    assert "plan another follow-up" in rejected(engine, iid, "follow_up", at_risk,
                                                "further_follow_up")
    rejected(engine, iid, "follow_up", {**at_risk, "declines_further_contact": True,
                                        "further_follow_up": True}, "further_follow_up")
    complete(engine, iid, "follow_up", {**at_risk, "declines_further_contact": True})
    assert engine.runtime.instance(iid).status == "completed"
    assert ("return_officer", "Follow-up after return: she is at risk") in notices(engine, iid)


def test_the_partner_confirms_her_arrival_with_a_message(engine_deployed):
    """The partner organisation answers from outside (POST /api/messages, message
    arrival_confirmed): its answer is checked by the hand-over form, closes the task and
    starts the follow-up, as the return officer's would."""
    engine = engine_deployed
    instance_id = start(engine)
    walk_to(engine, instance_id, "hand_over")
    on(engine, "2026-03-20")
    before = engine.runtime.instance(instance_id)
    with pytest.raises(ValidationFailed) as refused:
        engine.messages.correlate("arrival_confirmed", CASE,
                                  data={"handover_status": "handed_over"})
    assert "arrived_on" in refused.value.fields
    with pytest.raises(BadRequest, match="question of consent"):
        engine.messages.correlate("arrival_confirmed", CASE, data=WITHDRAW)
    assert engine.runtime.instance(instance_id).revision == before.revision

    delivered = engine.messages.correlate("arrival_confirmed", CASE, data=HANDOVER)
    assert delivered.instance_id == instance_id
    after = engine.runtime.instance(instance_id)
    assert "hand_over" not in [t.element_id for t in after.open_tasks]
    assert (after.variables["return_outcome"], after.variables["returned_on"]) == (
        "returned", "2026-03-20")
    assert [t.element_id for t in after.timers] == ["wait_follow_up"]
