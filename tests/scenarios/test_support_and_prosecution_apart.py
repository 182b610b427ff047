"""Support and prosecution stay apart (CETS No. 197 Art. 11; OSCE/ODIHR NRM handbook).

Julija is identified (the officer's observations, her own view, her state of health), has
a protection plan, and starts the intake of the (re)integration programme with an NGO
counsellor. When she decides to cooperate as a witness, the coordinator writes down what
she chose to disclose for the criminal proceedings. The prosecutor who confirms her
cooperation reads the case data, who she is and that statement, and nothing of what she
said in counselling, at identification or for her plan: not through the engine, not on her
task page, not in the API. The coordinator still reads all of it; the prosecutor's read
is in the access log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from engine.errors import ValidationFailed
from engine.protection.access import Reader
from engine.protection.privacy import (
    CASE,
    CONTACT,
    DISCLOSED,
    IDENTITY,
    KINDS,
    NARRATIVE,
    READS,
    VariableKinds,
    joined,
)
from forms import examples
from forms.base import FormRegistry, FormSchema
from forms.fields import line, text
from tests.conftest import PROCESSES
from tests.processes import programme_steps as programme
from tests.scenarios.case import STAY_GRANTED, Case

CODE = "SI-7K3Q-9F2M"
OBSERVED = "She hid in the laundry room when the officer came in."
HER_VIEW = "She says the man from the agency threatened her sister in Kharkiv."
HEALTH = "Nightmares every night since the flat in Varna, and she eats little."
MENTAL = "Flashbacks of the basement; she asked for a female therapist."
INTAKE = "In counselling she spoke of the child she lost while in Varna."
STATEMENT = ("She will testify that Petrov took her passport at the Hotel Riviera in Varna "
             "on 3 January 2026 and kept her wages.")
NARRATIVES = (OBSERVED, HER_VIEW, HEALTH, MENTAL, INTAKE)
PROSECUTOR = Reader("prosecutor", ("prosecutor",), "test")
COORDINATOR = Reader("coordinator", ("coordinator",), "test")


@pytest.fixture
def cooperating(app, engine) -> Case:
    """Julija with her narratives written and her statement for the proceedings, at the
    prosecutor's confirmation of her cooperation (19 May 2026)."""
    case = Case.open(engine, CODE)
    case.complete("record_preliminary", "officer",
                  {**examples.PRELIMINARY, "preliminary_observations": OBSERVED},
                  role="first_line")
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT)
    case.complete("formal_identification", "coord",
                  {**examples.FORMAL, "her_view": HER_VIEW,
                   "current_state_and_needs": HEALTH}, role="coordinator")
    case.complete("grant_permitted_stay", "officer", STAY_GRANTED, role="police")

    # Her plan, with the (re)integration programme; the first intake session.
    case.complete("ask_plan_consent", "coord", examples.PLAN_CONSENT)
    case.at("2026-04-01")
    services = [*examples.PLAN["services"], {
        "area": "reintegration_programme", "provider_role": "ngo_counsellor",
        "description": "The NGO's (re)integration programme.",
        "change_expected": "An independent life."}]
    case.complete("draw_up_plan", "coord", {
        **examples.PLAN, "needs": {**examples.PLAN["needs"], "health_mental": MENTAL},
        "services": services, "reintegration_consent": True})
    case.complete("present_programme", "counsellor", {
        **programme.PRESENT, "presented_on": "2026-04-01",
        "decision_expected_by": "2026-04-08"}, role="ngo_counsellor")
    case.complete("record_entry_decision", "counsellor",
                  {**programme.ENTER, "entry_decision_date": "2026-04-01"})
    case.at("2026-04-07")
    case.complete("intake_session", "counsellor", {
        **programme.SESSION_1, "session_date": "2026-04-07", "session_notes": INTAKE})

    # She decides to cooperate and says what she discloses for the proceedings.
    case.at("2026-05-19")
    case.complete("record_decision", "coord", {
        "decision": "cooperate", "decision_date": "2026-05-19",
        "statement_for_proceedings": STATEMENT}, role="coordinator")
    assert case.task("confirm_cooperation").role == "prosecutor"
    return case


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner)


def nothing_of_counselling(shown: str) -> None:
    for sentence in NARRATIVES:
        assert sentence not in shown, sentence


def test_the_prosecutor_reads_the_case_and_her_statement_and_nothing_of_counselling(
        cooperating, engine):
    confirm = cooperating.task("confirm_cooperation")
    seen = engine.disclosure.task(PROSECUTOR, confirm.id, "test").variables
    assert seen["statement_for_proceedings"] == STATEMENT
    assert (seen["decision"], seen["victim_category"], seen["stay_decision"]) == (
        "cooperate", "trafficking", "granted")
    nothing_of_counselling(json.dumps(seen))
    kinds = engine.disclosure.kinds
    assert {kinds.kind(name) for name in seen} <= {CASE, IDENTITY, DISCLOSED}

    # The whole instance, as of its latest step, and the counsellor's intake task, whose
    # data holds every narrative of hers.
    latest = engine.disclosure.instance(PROSECUTOR, cooperating.id, "test").variables
    assert latest["statement_for_proceedings"] == STATEMENT
    nothing_of_counselling(json.dumps(latest))
    intake = cooperating.task("intake_session")
    held = json.dumps(engine.runtime.task_instance(intake.id).variables)
    assert all(sentence in held for sentence in NARRATIVES)
    beside = engine.disclosure.task(PROSECUTOR, intake.id, "test").variables
    assert "intake_sessions" not in beside and "plan_services" not in beside
    nothing_of_counselling(json.dumps(beside))


def test_her_task_page_and_the_api_show_her_statement_and_no_narrative(
        cooperating, engine, signed_in, bearer, app):
    confirm = cooperating.task("confirm_cooperation")
    page = signed_in("prosecutor").get(f"/tasks/{confirm.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert STATEMENT in body
    assert "What she chose to disclose for the proceedings" in body
    assert 'data-name="victim_category"' in body and 'data-name="her_view"' not in body
    nothing_of_counselling(body)

    (event,) = engine.access.events(case_code=CODE, limit=1)
    assert (event.username, event.roles, event.outcome, event.what) == (
        "prosecutor", ["prosecutor"], "granted", f"task {confirm.id} page")
    assert "statement_for_proceedings" in event.fields
    assert not {"her_view", "preliminary_observations", "current_state_and_needs",
                "session_notes", "intake_sessions", "needs"} & set(event.fields)
    assert STATEMENT not in str(event)  # the names of fields, never their values

    answer = app.test_client().get(f"/api/tasks/{confirm.id}", headers=bearer("prosecutor"))
    assert answer.status_code == 200
    assert answer.get_json()["variables"]["statement_for_proceedings"] == STATEMENT
    nothing_of_counselling(answer.get_data(as_text=True))
    (event,) = engine.access.events(case_code=CODE, limit=1)
    assert (event.username, event.what) == ("prosecutor", f"API task {confirm.id}")

    # It is for the prosecutor: the police, who read who she is, do not read it.
    police = Reader("police", ("police",), "test")
    assert "statement_for_proceedings" not in engine.disclosure.task(police, confirm.id,
                                                                     "test").variables


def test_the_coordinator_still_reads_everything(cooperating, engine, signed_in):
    confirm = cooperating.task("confirm_cooperation")
    seen = json.dumps(engine.disclosure.task(COORDINATOR, confirm.id, "test").variables)
    assert STATEMENT in seen and OBSERVED in seen
    intake = cooperating.task("intake_session")
    beside = json.dumps(engine.disclosure.task(COORDINATOR, intake.id, "test").variables)
    for sentence in NARRATIVES:
        assert sentence in beside, sentence
    page = signed_in("coordinator").get(f"/monitor/instances/{cooperating.id}")
    body = page.get_data(as_text=True)
    assert STATEMENT in body and OBSERVED in body
    (event,) = engine.access.events(case_code=CODE, limit=1)
    assert event.username == "coordinator"
    assert {"statement_for_proceedings", "preliminary_observations"} <= set(event.fields)


def test_her_statement_is_written_only_when_she_cooperates(engine):
    engine.repository.deploy(PROCESSES)
    case = Case.open(engine, "SI-3M8D-2C7Q")
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT)
    case.complete("formal_identification", "coord", examples.FORMAL)
    case.complete("grant_permitted_stay", "officer", STAY_GRANTED)
    with pytest.raises(ValidationFailed) as refused:
        case.complete("record_decision", "coord", {
            "decision": "not_cooperate", "decision_date": "2026-03-02",
            "statement_for_proceedings": STATEMENT})
    assert list(refused.value.fields) == ["statement_for_proceedings"]
    assert "record_decision" in case.open_elements()


def test_no_handler_copies_her_words_into_data_others_read(cooperating, engine):
    """What a task sees: text of a narrative or her statement is nowhere in a variable of
    another kind (a handler's list of sessions, services or indicators included)."""
    kinds = engine.disclosure.kinds
    for task in cooperating.instance.open_tasks:
        data = engine.runtime.task_instance(task.id).variables
        written = {s for name, value in data.items() if kinds.kind(name) in (NARRATIVE,
                                                                             DISCLOSED)
                   for s in strings(value) if len(s) > 20}
        for name, value in data.items():
            if kinds.kind(name) not in (NARRATIVE, DISCLOSED):
                copied = written & set(strings(value))
                assert not copied, (task.element_id, name, copied)


def test_the_kinds_a_role_reads_are_closed_under_joining():
    """Mixing kinds never widens who reads them: written both as where she lives and as
    what she disclosed, a variable is read only by those who read both."""
    registry = FormRegistry()

    @registry.register("test.contact")
    class Where(FormSchema):
        shelter = line("Shelter", "Where she stays.")
        shelter.metadata["personal"] = CONTACT

    @registry.register("test.disclosed")
    class Said(FormSchema):
        shelter = text("Shelter", "What she said of it for the proceedings.",
                       for_proceedings=True)

    assert VariableKinds(registry).kind("shelter") == NARRATIVE
    assert joined(CONTACT, DISCLOSED) == NARRATIVE
    assert joined(IDENTITY, DISCLOSED) == DISCLOSED and joined(CASE, CONTACT) == CONTACT
    for first in KINDS:
        for second in KINDS:
            both = joined(first, second)
            for role, reads in READS.items():
                if both in reads:
                    assert {first, second} <= reads, (role, first, second)
    assert READS["prosecutor"] == {CASE, IDENTITY, DISCLOSED}
    assert all(DISCLOSED in reads for reads in READS.values() if NARRATIVE in reads)
