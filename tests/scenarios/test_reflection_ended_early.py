"""Ending a reflection period early (Directive 2004/81/EC Art. 6(4)) and the end of her
stay after she decides not to cooperate, walked with the settable clock.

Julija's permitted stay is granted on 2 March 2026 and ends on Sunday 31 May. The police
report a ground on 20 March; she is heard; the decision ending her period is served on
Tuesday 24 March, so an appeal is due by Wednesday 8 April (ZUP Art. 235(1)). Her period
goes on until the decision is final; only then does her reflection period close.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from engine.store.models import ProcessInstance
from tests.processes.steps import rejected
from tests.scenarios.case import STAY_GRANTED as GRANT
from tests.scenarios.case import Case, identified

HEARING = {"early_end_ground": "renewed_contact_with_suspects",
           "contact_on_her_own_initiative": True, "heard_on": "2026-03-20",
           "interpreter_provided": True, "she_could_reply": True}
ENDED = {"early_end_decision": "ended", "early_end_decided_on": "2026-03-23",
         "early_end_served_on": "2026-03-24"}
NO_APPEAL = {"appeal_filed": False, "reason_not_appealed": "She asked for a safe return."}
APPEAL = {"appeal_filed": True, "appeal_filed_on": "2026-04-02"}


def _notices(case: Case, role: str) -> list[str]:
    return [n.subject for n in case.engine.deadlines.notifications(role=role)
            if n.case_code == case.code]


def _history(case: Case, instance_id: int) -> list[str]:
    return [e.event_type for e in case.engine.history.events(instance_id=instance_id)]


def _early_end(case: Case, day: str = "2026-03-20", child: bool = False) -> Case:
    case.at(day)
    return Case.open(case.engine, case.code, "reflection_early_end", {"is_child": child})


def _decided(julija: Case) -> Case:
    """Her stay granted; the early end heard and decided on 23 March, served on 24 March."""
    julija.complete("grant_permitted_stay", "officer", GRANT, role="police")
    early = _early_end(julija)
    early.complete("hear_before_early_end", "officer", HEARING, role="police")
    early.at("2026-03-24")
    early.complete("decide_early_end", "officer", ENDED, role="police")
    return early


def test_the_period_goes_on_until_the_early_end_is_final(julija):
    early = _decided(julija)
    appeal = early.deadline("appeal_due")
    assert (appeal.owner_role, str(appeal.legal_date)) == ("legal_adviser", "2026-04-08")
    assert early.task("consider_appeal").role == "legal_adviser"
    assert "Early end of her reflection period decided" in _notices(julija, "ngo_counsellor")
    # The decision is not final: she may still decide, and her deadline still runs.
    assert "record_decision" in julija.open_elements()
    assert julija.deadline("reflection_end").status == "open"

    early.at("2026-03-26")
    early.complete("consider_appeal", "lawyer", NO_APPEAL, role="legal_adviser")
    assert early.deadline("appeal_due").status == "cancelled"
    early.at("2026-04-08", hour=23)  # the last day of the appeal period
    assert "record_decision" in julija.open_elements()

    early.at("2026-04-09")
    assert "record_decision" not in julija.open_elements()
    assert "inform_of_permit" not in julija.open_elements()
    assert julija.task("plan_after_early_end").role == "coordinator"
    assert julija.deadline("reflection_end").status == "cancelled"
    assert early.instance.status == "completed"
    assert "Early end of her reflection period final" in _notices(julija, "coordinator")
    assert "signal_delivered" in _history(julija, early.id)
    # The signal tells her reflection period the fact, not the other procedure's data.
    assert not {"early_end_ground", "heard_on", "appeal_filed"} & set(julija.instance.variables)

    julija.complete("plan_after_early_end", "coord",
                    {"next_step": "other_legal_basis", "notes": "Asylum claim prepared."})
    assert "plan_after_early_end" not in julija.open_elements()


def test_an_appeal_keeps_the_period_running_until_it_is_dismissed(julija):
    early = _decided(julija)
    early.at("2026-04-02")
    early.complete("consider_appeal", "lawyer", APPEAL, role="legal_adviser")
    assert early.deadline("appeal_due").status == "met"
    early.at("2026-04-20")  # long after the appeal period: the appeal is pending
    assert "record_decision" in julija.open_elements()

    early.complete("record_appeal_decision", "lawyer", {
        "early_end_appeal_decision": "dismissed", "appeal_decided_on": "2026-04-17",
        "appeal_decision_served_on": "2026-04-20"}, role="legal_adviser")
    assert "record_decision" not in julija.open_elements()
    assert julija.task("plan_after_early_end").role == "coordinator"


def test_an_upheld_appeal_lets_the_period_go_on(julija):
    early = _decided(julija)
    early.at("2026-04-02")
    early.complete("consider_appeal", "lawyer", APPEAL)
    early.at("2026-04-20")
    early.complete("record_appeal_decision", "lawyer", {
        "early_end_appeal_decision": "upheld", "appeal_decided_on": "2026-04-17",
        "appeal_decision_served_on": "2026-04-20"})
    assert early.instance.status == "completed"
    assert "record_decision" in julija.open_elements()
    assert julija.deadline("reflection_end").status == "open"
    assert "Appeal upheld: the reflection period goes on" in _notices(julija, "police")


def test_a_decision_to_cooperate_before_the_early_end_is_final_stands(julija):
    early = _decided(julija)
    early.at("2026-03-26")
    early.complete("consider_appeal", "lawyer", NO_APPEAL)
    julija.at("2026-03-30")
    julija.complete("record_decision", "coord", {"decision": "cooperate",
                                                 "decision_date": "2026-03-30"})
    early.at("2026-04-09")
    assert early.instance.status == "completed"
    assert {"confirm_cooperation", "file_application"} <= set(julija.open_elements())
    assert "plan_after_early_end" not in julija.open_elements()
    assert "signal_delivered" not in _history(julija, early.id)


def test_the_early_end_of_one_case_leaves_another_persons_period_alone(julija, engine):
    other = identified(engine, "SI-2H8K-5W3N", stay_granted=True)
    early = _decided(julija)
    assert "record_decision" in other.open_elements()
    early.at("2026-03-26")
    early.complete("consider_appeal", "lawyer", NO_APPEAL)
    early.at("2026-04-09")
    assert "plan_after_early_end" in julija.open_elements()
    assert "record_decision" in other.open_elements()
    assert other.deadline("reflection_end").status == "open"


@pytest.mark.parametrize(("change", "field"), [
    ({"contact_on_her_own_initiative": False}, "contact_on_her_own_initiative"),
    ({"interpreter_provided": False}, "interpreter_provided"),
    ({"she_could_reply": False}, "she_could_reply"),
    ({"early_end_ground": "stopped_cooperating"}, "early_end_ground"),
])
def test_only_the_grounds_of_the_directive_after_a_fair_hearing(julija, change, field):
    julija.complete("grant_permitted_stay", "officer", GRANT)
    early = _early_end(julija)
    task = early.task("hear_before_early_end")
    rejected(julija.engine, early.id, "hear_before_early_end", {**HEARING, **change}, field)
    assert early.task("hear_before_early_end").id == task.id
    assert "record_decision" in julija.open_elements()


def test_a_child_is_heard_with_her_guardian_and_her_best_interests_weighed(julija):
    julija.complete("grant_permitted_stay", "officer", GRANT)
    early = _early_end(julija, child=True)
    rejected(julija.engine, early.id, "hear_before_early_end", HEARING, "guardian_present")
    early.complete("hear_before_early_end", "officer", {**HEARING, "guardian_present": True})
    early.at("2026-03-24")
    rejected(julija.engine, early.id, "decide_early_end", ENDED, "best_interests_weighed")
    message = rejected(julija.engine, early.id, "decide_early_end",
                       {**ENDED, "early_end_decided_on": "2026-03-19",
                        "best_interests_weighed": True}, "early_end_decided_on")
    assert "2026-03-20" in message
    early.complete("decide_early_end", "officer", {**ENDED, "best_interests_weighed": True})
    assert early.task("consider_appeal").role == "legal_adviser"


def test_after_she_decides_not_to_cooperate_a_deadline_tracks_the_end_of_her_stay(julija):
    julija.complete("grant_permitted_stay", "officer", GRANT)
    julija.at("2026-04-01")
    julija.complete("record_decision", "coord", {"decision": "not_cooperate",
                                                 "decision_date": "2026-04-01"})
    assert julija.deadline("reflection_end").status == "met"
    stay = julija.deadline("lawful_stay_end")
    assert (stay.owner_role, str(stay.legal_date), stay.status) == (
        "legal_adviser", "2026-05-31", "open")
    task = julija.task("plan_after_reflection")
    assert (task.role, str(task.due_date)) == ("coordinator", "2026-05-29")
    rejected(julija.engine, julija.id, "plan_after_reflection",
             {"next_step": "voluntary_return", "other_basis_filed_on": "2026-04-01"},
             "other_basis_filed_on")
    julija.at("2026-05-20")
    julija.complete("plan_after_reflection", "coord", {
        "next_step": "other_legal_basis", "other_basis_filed_on": "2026-05-20"})
    assert julija.deadline("lawful_stay_end").status == "met"


def test_a_plan_without_another_basis_leaves_the_end_of_her_stay_watched(julija):
    julija.complete("grant_permitted_stay", "officer", GRANT)
    julija.at("2026-04-01")
    julija.complete("record_decision", "coord", {"decision": "not_cooperate",
                                                 "decision_date": "2026-04-01"})
    julija.complete("plan_after_reflection", "coord", {"next_step": "no_further_action"})
    assert julija.deadline("lawful_stay_end").status == "open"
    julija.at("2026-05-22")
    assert any("Her permitted stay ends" in s for s in _notices(julija, "legal_adviser"))
    julija.at("2026-06-01")
    assert julija.deadline("lawful_stay_end").status == "missed"
    assert any(s.startswith("Deadline passed without action: Her permitted stay ends")
               for s in _notices(julija, "coordinator"))


def test_the_signal_waits_for_no_procedure_of_her_case_that_does_not_listen(
        julija, database_url):
    """The early end tells her reflection period (in her protection plan), and only it:
    the request that she not be punished, which never listens for that signal, may be in
    someone's hands meanwhile (its row held for update) without holding up the step."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite holds the whole database for a writer, not a procedure's row")
    early = _decided(julija)
    early.at("2026-03-26")
    early.complete("consider_appeal", "lawyer", NO_APPEAL)
    engine = julija.engine
    request = engine.runtime.start("non_punishment", julija.code,
                                   data={"np_victim_status": "identified"},
                                   actor="coordinator").id

    fired = threading.Event()
    with engine.db.engine.connect() as holder:
        holder.execute(select(ProcessInstance.id).where(ProcessInstance.id == request)
                       .with_for_update())
        stepping = threading.Thread(target=lambda: (early.at("2026-04-09"), fired.set()))
        stepping.start()
        done = fired.wait(timeout=60)
        holder.rollback()
    stepping.join()
    assert done, "the early end waited for a procedure that does not listen for it"
    assert "record_decision" not in julija.open_elements()
    assert "signal_delivered" in _history(julija, early.id)
    assert engine.runtime.instance(request).status == "running"
