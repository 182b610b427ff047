"""The individual protection plan (DOMAIN.md section 6) walked through the engine: the nine
sections, indicator deadlines, the monitoring alert that makes the coordinator correct
the plan (seed 004), reviews, closing, and the withdrawal of her consent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forms.examples import PLAN, goal
from forms.examples import PLAN_CONSENT as CONSENT
from forms.examples import PLAN_REVIEW as REVIEW
from tests.conftest import PROCESSES
from tests.processes import steps
from tests.processes.plan_steps import deadlines, to_services
from tests.processes.steps import only_task, open_elements, procedure_notices, rejected

CASE = "SI-2026-0042"


def local(year, month, day, hour, minute=0):
    """A moment in Ljubljana in summer time (UTC+2), as UTC."""
    return datetime(year, month, day, hour - 2, minute, tzinfo=UTC)


@pytest.fixture
def started(engine):
    engine.repository.deploy(PROCESSES)
    instance = engine.runtime.start("protection_plan", CASE, actor="coord")
    return engine, instance


@pytest.fixture
def planned(started):
    """A plan dated 1 April 2026, with its deadlines open."""
    engine, instance = started
    complete(engine, instance.id, "ask_plan_consent", CONSENT)
    engine.set_clock(local(2026, 4, 1, 10))
    complete(engine, instance.id, "draw_up_plan", PLAN)
    return engine, instance


def complete(engine, instance_id, element_id, data, user="coord"):
    steps.complete(engine, instance_id, element_id, data, user)


def test_plan_opens_a_deadline_per_indicator_and_the_review(planned):
    engine, instance = planned
    assert only_task(engine, instance.id, "review_plan").role == "coordinator"
    found = deadlines(engine, instance.id)
    assert sorted(found) == [("indicator_due", "G1-1"), ("indicator_due", "G2-1"),
                             ("indicator_due", "G3-1"), ("plan_review_due", "review-1")]
    assert all(d.owner_role == "coordinator" and d.status == "open" for d in found.values())
    assert found["indicator_due", "G1-1"].legal_date.isoformat() == "2026-04-10"
    # 26 December is a Saturday and a holiday, 25 December a holiday: act by the 24th.
    g3 = found["indicator_due", "G3-1"]
    assert (g3.legal_date.isoformat(), g3.latest_safe_day.isoformat()) == (
        "2026-12-26", "2026-12-24")
    review = found["plan_review_due", "review-1"]  # 1 April + 90 days
    assert (review.legal_date.isoformat(), review.latest_safe_day.isoformat()) == (
        "2026-06-30", "2026-06-30")
    assert only_task(engine, instance.id, "review_plan").due_date.isoformat() == "2026-06-30"

    variables = engine.runtime.instance(instance.id).variables
    assert variables["plan_status"] == "active"
    assert variables["next_monitoring_at"] == "2026-04-11T08:00:00+02:00"
    assert sorted(to_services(engine, instance.id)) == [
        ("legal_adviser", "Referral under an individual protection plan"),
        ("ngo_counsellor", "Referral under an individual protection plan"),
        ("social_work", "Referral under an individual protection plan")]
    assert all(CASE in n.body and "Julija" not in n.body
               for n in procedure_notices(engine, instance_id=instance.id))


def test_indicator_not_reached_alerts_the_coordinator_to_correct_the_plan(planned):
    engine, instance = planned
    engine.set_clock(local(2026, 4, 9, 12))
    complete(engine, instance.id, "review_plan",
             {**REVIEW, "indicators_reached": [{"indicator_id": "G1-1",
                                                "reached_on": "2026-04-08"}]})
    found = deadlines(engine, instance.id)
    assert found["indicator_due", "G1-1"].status == "met"
    assert found["plan_review_due", "review-1"].status == "met"
    assert found["plan_review_due", "review-2"].legal_date.isoformat() == "2026-07-08"

    # G2-1 is due 15 May and not reached: the alert comes the next morning at 08:00.
    engine.set_clock(local(2026, 5, 16, 7, 59))
    assert open_elements(engine, instance.id) == ["review_plan"]
    engine.advance_clock(timedelta(minutes=2))
    assert open_elements(engine, instance.id) == ["correct_plan"]
    assert only_task(engine, instance.id, "correct_plan").role == "coordinator"
    alerts = procedure_notices(engine, instance_id=instance.id, role="coordinator")
    assert [a.subject for a in alerts] == ["Protection plan: indicators not reached"]
    assert "G2-1" in alerts[0].body
    assert deadlines(engine, instance.id)["indicator_due", "G2-1"].status == "missed"
    assert engine.runtime.instance(instance.id).variables["overdue_indicators"] == ["G2-1"]

    engine.set_clock(local(2026, 5, 18, 9))
    correction = {"corrected_on": "2026-05-18", "reason_not_reached": "No interpreter.",
                  "plan_next_step": "continue"}
    assert "G2-1" in rejected(engine, instance.id, "correct_plan", correction,
                              "indicators_rescheduled")
    rejected(engine, instance.id, "correct_plan",
             {**correction, "indicators_rescheduled": [{"indicator_id": "G2-1",
                                                        "target_date": "2026-05-18"}]},
             "indicators_rescheduled.0.target_date")
    complete(engine, instance.id, "correct_plan",
             {**correction, "indicators_rescheduled": [{"indicator_id": "G2-1",
                                                        "target_date": "2026-06-15"}]})
    assert open_elements(engine, instance.id) == ["review_plan"]
    g2 = deadlines(engine, instance.id)["indicator_due", "G2-1"]
    assert (g2.status, g2.legal_date.isoformat()) == ("open", "2026-06-15")
    variables = engine.runtime.instance(instance.id).variables
    assert variables["overdue_indicators"] == []
    assert variables["next_monitoring_at"] == "2026-06-16T08:00:00+02:00"
    assert [i["rescheduled_from"] for i in variables["indicators"] if i["id"] == "G2-1"] == [
        ["2026-05-15"]]

    engine.set_clock(local(2026, 6, 12, 9))
    message = rejected(engine, instance.id, "review_plan",
                       {**REVIEW, "review_date": "2026-06-12", "plan_next_step": "close",
                        "close_reason": "goals_reached",
                        "indicators_reached": [{"indicator_id": "G2-1",
                                                "reached_on": "2026-06-10"}]},
                       "close_reason")
    assert "G3-1" in message
    complete(engine, instance.id, "review_plan",
             {**REVIEW, "review_date": "2026-06-12", "plan_next_step": "close",
              "close_reason": "transferred",
              "indicators_reached": [{"indicator_id": "G2-1", "reached_on": "2026-06-10"}]})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed" and done.open_tasks == [] and done.timers == []
    assert (done.variables["plan_status"], done.variables["plan_close_reason"],
            done.variables["plan_closed_on"]) == ("closed", "transferred", "2026-06-12")
    found = deadlines(engine, instance.id)
    assert found["indicator_due", "G2-1"].status == "met"
    assert found["plan_review_due", "review-2"].status == "met"
    g3 = found["indicator_due", "G3-1"]
    assert (g3.status, g3.cancel_reason) == ("cancelled",
                                              "Plan closed on 2026-06-12: transferred")
    assert ("ngo_counsellor", "Individual protection plan closed") in to_services(
        engine, instance.id)


def test_withdrawn_consent_stops_referrals_and_cancels_every_deadline(planned):
    engine, instance = planned
    engine.set_clock(local(2026, 4, 9, 12))
    withdrawal = {**REVIEW, "plan_consent_withdrawn": True, "plan_next_step": "close"}
    service = PLAN["services"][0]
    assert "Without her consent" in rejected(
        engine, instance.id, "review_plan", {**withdrawal, "services_added": [service]},
        "services_added")
    rejected(engine, instance.id, "review_plan", {**withdrawal, "plan_next_step": "continue"},
             "plan_next_step")
    rejected(engine, instance.id, "review_plan", {**REVIEW, "plan_next_step": "close",
                                                  "close_reason": "consent_withdrawn"},
             "plan_consent_withdrawn")
    referrals = to_services(engine, instance.id)
    complete(engine, instance.id, "review_plan", withdrawal)

    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert (done.variables["plan_close_reason"], done.variables["referrals_active"]) == (
        "consent_withdrawn", False)
    assert to_services(engine, instance.id) == referrals  # nothing more was sent
    found = deadlines(engine, instance.id)
    assert {d.status for d in found.values()} == {"cancelled"}
    assert {d.cancel_reason for d in found.values()} == {
        "Plan closed on 2026-04-09: consent withdrawn"}


def test_refused_plan_is_a_normal_end(started):
    engine, instance = started
    complete(engine, instance.id, "ask_plan_consent",
             {"plan_consent": False, "plan_consent_date": "2026-03-02"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert done.variables["plan_status"] == "not_made"
    assert deadlines(engine, instance.id) == {}
    assert procedure_notices(engine, instance_id=instance.id) == []


def test_review_due_reminds_the_coordinator_and_repeats_weekly(planned):
    engine, instance = planned
    engine.set_clock(local(2026, 4, 9, 12))
    complete(engine, instance.id, "review_plan",
             {**REVIEW, "indicators_reached": [{"indicator_id": "G1-1",
                                                "reached_on": "2026-04-08"}],
              "indicators_rescheduled": [{"indicator_id": "G2-1",
                                          "target_date": "2026-09-30"}]})
    engine.set_clock(local(2026, 7, 8, 8, 1))  # review-2 is due 8 July
    subjects = [n.subject for n in engine.deadlines.notifications(source="procedure",
        instance_id=instance.id, role="coordinator")]
    assert subjects == ["Protection plan: review due"]
    assert open_elements(engine, instance.id) == ["review_plan"]
    assert engine.runtime.instance(instance.id).variables["next_monitoring_at"] == (
        "2026-07-15T08:00:00+02:00")
    engine.set_clock(local(2026, 7, 15, 8, 1))
    assert len(procedure_notices(engine, instance_id=instance.id,
                                              role="coordinator")) == 2
    assert deadlines(engine, instance.id)["plan_review_due", "review-2"].status == "missed"


def test_a_plan_entered_late_shows_what_is_already_overdue(started):
    engine, instance = started
    complete(engine, instance.id, "ask_plan_consent", {**CONSENT,
                                                       "plan_consent_date": "2026-01-10"})
    late = {**PLAN, "plan_date": "2026-01-10",
            "goals": [goal("immediate", "Safe", ("G1-1", "2026-02-01"))],
            "timeframe": {}, "signatures": {"she_signed": True, "signed_on": "2026-01-10"}}
    complete(engine, instance.id, "draw_up_plan", late)
    engine.advance_clock(timedelta(seconds=1))
    assert open_elements(engine, instance.id) == ["correct_plan"]
    assert deadlines(engine, instance.id)["indicator_due", "G1-1"].status == "missed"
    complete(engine, instance.id, "correct_plan",
             {"corrected_on": "2026-03-02", "reason_not_reached": "Recorded late.",
              "plan_next_step": "continue",
              "indicators_reached": [{"indicator_id": "G1-1", "reached_on": "2026-02-20"}]})
    g1 = deadlines(engine, instance.id)["indicator_due", "G1-1"]
    assert (g1.status, g1.met_on.isoformat()) == ("missed", "2026-02-20")  # reached late
    assert open_elements(engine, instance.id) == ["review_plan"]


def test_goals_added_at_a_review_get_their_deadlines(planned):
    engine, instance = planned
    engine.set_clock(local(2026, 4, 9, 12))
    added = goal("short_term", "She attends a Slovene course", ("G4-1", "2026-06-01"))
    rejected(engine, instance.id, "review_plan",
             {**REVIEW, "goals_added": [goal("short_term", "x", ("G1-1", "2026-06-01"))]},
             "goals_added.0.indicators.0.id")
    rejected(engine, instance.id, "review_plan",
             {**REVIEW, "goals_added": [goal("short_term", "x", ("G4-1", "2026-04-08"))]},
             "goals_added.0.indicators.0.target_date")
    complete(engine, instance.id, "review_plan",
             {**REVIEW, "goals_added": [added],
              "services_added": [{"area": "education_vocational", "provider_role": "school",
                                  "description": "Language course.",
                                  "change_expected": "She speaks Slovene."}],
              "indicators_dropped": [{"indicator_id": "G3-1", "reason": "She plans to "
                                      "return home."}]})
    found = deadlines(engine, instance.id)
    assert found["indicator_due", "G4-1"].legal_date.isoformat() == "2026-06-01"
    assert found["indicator_due", "G3-1"].status == "cancelled"
    assert ("school", "Referral under an individual protection plan") in to_services(
        engine, instance.id)
    variables = engine.runtime.instance(instance.id).variables
    assert len(variables["goals"]) == 4
    assert {i["id"]: i["status"] for i in variables["indicators"]} == {
        "G1-1": "open", "G2-1": "open", "G3-1": "dropped", "G4-1": "open"}


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"goals": [goal("immediate", "Safe", ("G1-1", "2026-03-31"))]},
     "goals.0.indicators.0.target_date", "before the plan date"),
    ({"goals": [goal("immediate", "Safe", ("G1-1", "2026-04-10")),
                goal("short_term", "Rights", ("G1-1", "2026-05-10"))]},
     "goals.1.indicators.0.id", "used twice"),
    ({"goals": [goal("immediate", "Safe")]}, "goals.0.indicators", "at least one indicator"),
    ({"goals": []}, "goals", "at least one goal"),
    ({"signatures": {"she_signed": False, "signed_on": "2026-04-01"}},
     "signatures.she_signed", "her signature"),
    ({"plan_date": "2026-04-02"}, "plan_date", "cannot be in the future"),
    ({"plan_date": "2026-03-01", "signatures": {"she_signed": True,
                                                "signed_on": "2026-04-01"}},
     "plan_date", "before her consent"),
    ({"reintegration_consent": True}, "reintegration_consent", "programme"),
    ({"profile": {**PLAN["profile"], "name": "Julija"}}, "profile.name", "Unknown field"),
    ({"needs": {**PLAN["needs"], "safety_risk_assessment": ""}},
     "needs.safety_risk_assessment", "risks"),
    ({"services": [{**PLAN["services"][0], "provider_role": "neighbour"}]},
     "services.0.provider_role", "Choose one of"),
])
def test_the_plan_refuses(started, change, field, words):
    engine, instance = started
    complete(engine, instance.id, "ask_plan_consent", CONSENT)
    engine.set_clock(local(2026, 4, 1, 10))
    assert words in rejected(engine, instance.id, "draw_up_plan", {**PLAN, **change}, field)


@pytest.mark.parametrize(("change", "field"), [
    ({"plan_informed_of_data_use": False}, "plan_informed_of_data_use"),
    ({"plan_consent_date": "2026-03-03"}, "plan_consent_date"),
])
def test_the_consent_refuses(started, change, field):
    engine, instance = started
    rejected(engine, instance.id, "ask_plan_consent", {**CONSENT, **change}, field)


def test_a_child_consents_with_her_guardian(engine):
    engine.repository.deploy(PROCESSES)
    instance = engine.runtime.start("protection_plan", CASE, data={"is_child": True})
    assert "guardian" in rejected(engine, instance.id, "ask_plan_consent", CONSENT,
                                  "plan_consent_given_by")
    complete(engine, instance.id, "ask_plan_consent",
             {**CONSENT, "plan_consent_given_by": "guardian_with_child"})
    assert open_elements(engine, instance.id) == ["draw_up_plan"]


@pytest.mark.parametrize(("change", "field"), [
    ({"indicators_reached": [{"indicator_id": "G9-9", "reached_on": "2026-04-08"}]},
     "indicators_reached"),
    ({"indicators_reached": [{"indicator_id": "G1-1", "reached_on": "2026-04-10"}]},
     "indicators_reached.0.reached_on"),
    ({"indicators_reached": [{"indicator_id": "G1-1", "reached_on": "2026-04-08"}],
      "indicators_dropped": [{"indicator_id": "G1-1", "reason": "x"}]}, "indicators_dropped"),
    ({"review_date": "2026-03-31"}, "review_date"),
    ({"plan_next_step": "close"}, "close_reason"),
    ({"close_reason": "she_left"}, "close_reason"),
])
def test_the_review_refuses(planned, change, field):
    engine, instance = planned
    engine.set_clock(local(2026, 4, 9, 12))
    rejected(engine, instance.id, "review_plan", {**REVIEW, **change}, field)


CALLS_PROGRAMME = b'calledElement="reintegration_programme"' in (
    PROCESSES / "protection_plan.bpmn").read_bytes()


def _with_programme(started):
    """A plan whose services include the NGO's (re)integration programme."""
    engine, instance = started
    complete(engine, instance.id, "ask_plan_consent", CONSENT)
    engine.set_clock(local(2026, 4, 1, 10))
    programme = {"area": "reintegration_programme", "provider_role": "ngo_counsellor",
                 "description": "The NGO's (re)integration programme.",
                 "change_expected": "An independent life."}
    complete(engine, instance.id, "draw_up_plan",
             {**PLAN, "services": [*PLAN["services"], programme],
              "reintegration_consent": True})
    tasks = engine.runtime.instance(instance.id).open_tasks
    assert "review_plan" in [t.element_id for t in tasks]
    assert any(t.role == "ngo_counsellor" for t in tasks)
    return engine, instance


def _programme_tasks(engine, instance_id):
    return sorted(t.element_id for t in engine.runtime.instance(instance_id).open_tasks
                  if t.role == "ngo_counsellor")


@pytest.mark.skipif(not CALLS_PROGRAMME, reason="the plan does not call the programme yet")
@pytest.mark.parametrize("close", [
    {"plan_next_step": "close", "close_reason": "transferred"},
    {"plan_consent_withdrawn": True, "plan_next_step": "close"},
], ids=["transferred", "consent_withdrawn"])
def test_closing_the_plan_leaves_the_programme_running(started, close):
    """The programme lasts years under its own contract and consent (seed 001, 3.2):
    closing the plan, for any reason, ends the monitoring only. She leaves the
    programme there, when she chooses."""
    engine, instance = _with_programme(started)
    running = _programme_tasks(engine, instance.id)
    engine.set_clock(local(2026, 4, 9, 12))
    complete(engine, instance.id, "review_plan", {**REVIEW, **close})
    after = engine.runtime.instance(instance.id)
    assert after.status != "completed" and after.variables["plan_status"] == "closed"
    assert "review_plan" not in [t.element_id for t in after.open_tasks]
    assert _programme_tasks(engine, instance.id) == running
