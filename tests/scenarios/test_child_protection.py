"""CETS Art. 10(4): protecting a child does not depend on anyone's consent.

A 16-year-old girl, alone in the country, is found begging. Her temporary guardian
refuses the referral to the coordinator. The centre for social work then decides, in her
best interests (CETS Art. 14(2), UN CRC Art. 3) and having heard her, whether she is
referred for formal identification and protection all the same. The consent register
records that decision as what it is: not her consent, not the guardian's.
"""

from __future__ import annotations

import pytest

from engine.obligations.consents import BEST_INTERESTS, GIVEN, GUARDIAN, REFUSED, standing
from tests.conftest import PROCESSES
from tests.processes.steps import procedure_notices, rejected
from tests.scenarios.case import Case
from tests.scenarios.child_steps import FORMAL, GIRL, GUARDIAN_REFUSES, REFER

CODE = "SI-5C8H-2L7D"
FAMILY = {"family_contact_step": "tracing_started", "family_contact_on": "2026-03-02"}
DO_NOT_REFER = {**REFER, "child_protection_referral": False,
                "child_protection_reasons": "Her aunt has arrived and tracing confirmed "
                                            "her; social work supports her at home."}
ROLES = ("first_line", "social_work", "coordinator", "police", "legal_adviser")


def seen_by(case: Case) -> dict[str, list[str]]:
    """The open tasks of her case in each actor's worklist, by role."""
    return {role: sorted(t.element_id for t in case.engine.tasks.tasks(role=role)
                         if t.case_code == case.code) for role in ROLES}


def notices(case: Case) -> list[tuple[str, str]]:
    """(role, subject) of the procedures' own notices about her case."""
    return [(n.role, n.subject) for n in procedure_notices(case.engine)
            if n.case_code == case.code]


def register(case: Case) -> list[tuple[str, str, str]]:
    """(status, given by, day) of her referral answers, the newest first."""
    return [(c.status, c.given_by, c.decided_on.isoformat())
            for c in case.engine.consents.consents(case.code) if c.purpose == "referral"]


def guardian_refused(engine) -> Case:
    """Found, a guardian appointed who refuses the referral."""
    engine.repository.deploy(PROCESSES)
    case = Case.open(engine, CODE)
    case.complete("record_preliminary", "officer", GIRL, role="first_line")
    assert seen_by(case)["social_work"] == ["appoint_guardian"]
    case.complete("appoint_guardian", "social", GUARDIAN_REFUSES, role="social_work")
    return case


def test_a_child_is_identified_even_when_the_guardian_refuses_referral(engine):
    case = guardian_refused(engine)
    # The refusal does not end it: social work decides; nobody else has a task yet.
    assert seen_by(case) == {"first_line": [], "social_work": ["refer_child_for_protection"],
                             "coordinator": [], "police": [], "legal_adviser": []}
    decide = case.task("refer_child_for_protection")
    assert "CETS Art. 10(4)" in decide.documentation and "best interests" in decide.title
    assert register(case) == [(REFUSED, GUARDIAN, "2026-03-02")]

    case.at("2026-03-04")
    case.complete("refer_child_for_protection", "social", REFER, role="social_work")

    # The register holds the decision as a best-interests decision, and it is what stands.
    assert register(case) == [(GIVEN, BEST_INTERESTS, "2026-03-04"),
                              (REFUSED, GUARDIAN, "2026-03-02")]
    decision = engine.consents.consents(CODE)[0]
    assert decision.interpreter_used and decision.recorded_by == "social"
    assert "Decide on referral in the child's best interests" in decision.obtained
    with engine.db.reading() as session:
        assert standing(session, CODE, "referral").given_by == BEST_INTERESTS

    # Referred on reasonable grounds: she is offered the permitted stay at once, and the
    # coordinator makes the formal identification.
    assert seen_by(case) == {"first_line": [], "social_work": [],
                             "coordinator": ["formal_identification"],
                             "police": ["grant_permitted_stay"], "legal_adviser": []}
    case.at("2026-03-05")
    case.complete("formal_identification", "coord", FORMAL, role="coordinator")

    variables = case.instance.variables
    assert (variables["identification_outcome"], variables["identified_on"],
            variables["is_child"], variables["unaccompanied_minor"]) == (
        "victim", "2026-03-05", True, True)
    assert variables["referral_consent"] is False  # the guardian's answer, kept as given
    assert seen_by(case) == {"first_line": [], "social_work": [],
                             "coordinator": ["ask_plan_consent"],
                             "police": ["grant_permitted_stay"], "legal_adviser": []}
    assert notices(case) == [
        ("social_work", "A child may be a victim of trafficking"),
        ("police", "Reasonable grounds: offer the permitted stay"),
        ("coordinator", "Reasonable grounds: offer the permitted stay"),
        ("legal_adviser", "Reasonable grounds: offer the permitted stay"),
        ("social_work", "A child was identified as a victim of trafficking"),
    ]


def test_a_child_social_work_decides_not_to_refer_is_not_identified(engine):
    case = guardian_refused(engine)
    case.at("2026-03-04")
    case.complete("refer_child_for_protection", "social", DO_NOT_REFER, role="social_work")
    # Not referred, she is protected by social work, which still seeks her family.
    assert seen_by(case)["social_work"] == ["contact_family_not_referred"]
    case.complete("contact_family_not_referred", "social", FAMILY, role="social_work")

    assert case.instance.status == "completed"
    assert case.open_elements() == []
    assert all(tasks == [] for tasks in seen_by(case).values())
    variables = case.instance.variables
    assert (variables["identification_outcome"], variables["identified_on"]) == (
        "undetermined", None)
    assert register(case) == [(REFUSED, BEST_INTERESTS, "2026-03-04"),
                              (REFUSED, GUARDIAN, "2026-03-02")]
    with engine.db.reading() as session:
        assert standing(session, CODE, "referral") is None
    assert notices(case) == [("social_work", "A child may be a victim of trafficking")]
    assert case.deadlines() == []


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"child_protection_reasons": ""}, "child_protection_reasons", "Give the reasons"),
    ({"child_protection_reasons": "   "}, "child_protection_reasons", "Give the reasons"),
    ({"child_protection_reasons": None}, "child_protection_reasons", "Fill this in"),
    ({"child_protection_decided_on": "2026-03-05"}, "child_protection_decided_on",
     "cannot be in the future"),
    ({"child_protection_decided_on": "2026-03-01"}, "child_protection_decided_on",
     "cannot precede the guardian's refusal"),
    ({"child_protection_child_heard": False}, "child_protection_child_heard",
     "Hear the child before deciding"),
])
def test_a_best_interests_decision_is_refused_without_reasons_or_on_a_future_day(
        engine, change, field, words):
    case = guardian_refused(engine)
    case.at("2026-03-04")
    data = {**REFER, **change}
    assert words in rejected(engine, case.id, "refer_child_for_protection", data, field)
    assert case.open_elements() == ["refer_child_for_protection"]
    assert register(case) == [(REFUSED, GUARDIAN, "2026-03-02")]


def test_a_best_interests_decision_needs_its_reasons(engine):
    case = guardian_refused(engine)
    data = {k: v for k, v in REFER.items() if k != "child_protection_reasons"}
    data["child_protection_decided_on"] = "2026-03-02"
    assert "Fill this in" in rejected(engine, case.id, "refer_child_for_protection", data,
                                      "child_protection_reasons")
    assert register(case) == [(REFUSED, GUARDIAN, "2026-03-02")]
