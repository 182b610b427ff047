"""Seed 000's case, Julija, end to end through the top-level procedure with the manual clock.

She is found by a police officer on a routine check, identified, given a permitted stay
that is extended, decides to cooperate, gets the Art. 50 permit, a support plan with
indicators, is enrolled in school before the permit expires and files for a further
permit on education before it expires. Each variant is its own test.
"""

from __future__ import annotations

from forms import examples
from tests.conftest import PROCESSES
from tests.scenarios.case import Case
from tests.scenarios.julija_steps import GRANT, walk_the_whole_case


def test_julija_from_identification_to_a_further_permit_on_education(julija):
    walk_the_whole_case(julija)


def test_the_stay_runs_out_undecided(julija):
    case = julija
    case.complete("grant_permitted_stay", "officer", GRANT)
    case.at("2026-05-15", hour=7)
    assert "review_expiring_stay" not in case.open_elements()
    case.at("2026-05-15", hour=9)  # two weeks before the latest safe day, 29 May
    assert case.task("review_expiring_stay").role == "legal_adviser"
    alerted = {n.role for n in case.engine.deadlines.notifications(instance_id=case.id)}
    assert {"coordinator", "legal_adviser"} <= alerted
    case.at("2026-06-01")  # the stay ended on 31 May
    assert case.task("handle_expired_stay").role == "coordinator"
    assert case.deadline("reflection_end").status == "missed"


def test_an_indicator_misses_its_target_date(julija):
    case = julija
    case.complete("ask_plan_consent", "coord", examples.PLAN_CONSENT)
    case.at("2026-04-01")
    case.complete("draw_up_plan", "coord", examples.PLAN)
    case.at("2026-04-11", hour=7)
    assert "correct_plan" not in case.open_elements()
    case.at("2026-04-11", hour=9)  # G1-1 was due on 10 April
    assert case.task("correct_plan").role == "coordinator"
    assert case.deadline("indicator_due", "G1-1").status == "missed"
    subjects = [n.subject for n in case.engine.deadlines.notifications(role="coordinator")]
    assert subjects


def test_an_unaccompanied_minor_gets_a_guardian_and_family_contact(engine):
    engine.repository.deploy(PROCESSES)
    case = Case.open(engine, "SI-3M8D-2C7Q")
    case.complete("record_preliminary", "sw", examples.CHILD)
    assert case.open_elements()
    elements = case.open_elements()
    assert any("guardian" in e for e in elements), elements
