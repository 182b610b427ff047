"""CETS Arts. 10(2) and 13 walked with the settable clock: a presumed victim is offered the
permitted stay as soon as she is referred on reasonable grounds, not when the formal
identification ends; and a victim who stays lawfully on another basis reaches the Art. 50
permit (Art. 50(6) ZTuj-2), the end of that stay being her filing deadline.
"""

from __future__ import annotations

from forms import examples
from tests.conftest import PROCESSES
from tests.scenarios.case import STAY_GRANTED, Case

UNDETERMINED = {**examples.FORMAL, "identification_outcome": "undetermined",
                "identification_reasoning": "She is too exhausted to talk about it yet.",
                "information_missing": "How she was recruited and who holds her passport."}


def referred(engine, code: str, stay_status: str) -> Case:
    engine.repository.deploy(PROCESSES)
    case = Case.open(engine, code)
    case.complete("record_preliminary", "officer",
                  {**examples.PRELIMINARY, "stay_status": stay_status},
                  role="first_line")
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT, role="first_line")
    return case


def _notices(case: Case, role: str) -> list[str]:
    return [n.subject for n in case.engine.deadlines.notifications(role=role,
                                                                  instance_id=case.id)]


def test_a_presumed_victim_without_papers_is_offered_the_stay_before_identification(engine):
    """Julija has no papers: her status is unknown. Referred, she is offered the stay."""
    case = referred(engine, "SI-4R7T-2K9P", "unknown")
    assert case.open_elements() == ["formal_identification", "grant_permitted_stay"]
    assert case.task("grant_permitted_stay").role == "police"
    for role in ("police", "coordinator", "legal_adviser"):
        assert "Reasonable grounds: offer the permitted stay" in _notices(case, role)
    case.complete("grant_permitted_stay", "officer", STAY_GRANTED, role="police")
    stay = case.deadline("reflection_end")
    assert (str(stay.legal_date), stay.status) == ("2026-05-31", "open")


def test_cannot_yet_tell_keeps_her_stay_and_identification_goes_on(engine):
    case = referred(engine, "SI-6W2C-8H4M", "foreigner_without_lawful_stay")
    case.complete("grant_permitted_stay", "officer", STAY_GRANTED)
    case.complete("formal_identification", "coord", UNDETERMINED, role="coordinator")
    assert case.open_elements() == ["gather_more", "inform_of_permit", "record_decision"]
    case.complete("gather_more", "coord", {"more_information_step": "assess_again",
                                          "information_gathered": "She named the agency."})
    case.complete("formal_identification", "coord", examples.FORMAL)
    # The plan starts; the reflection period that runs already is not started again.
    assert case.open_elements() == ["ask_plan_consent", "inform_of_permit",
                                    "record_decision"]
    assert [d.kind for d in case.deadlines()].count("reflection_end") == 1


def test_not_identified_after_the_offer_leaves_the_stay_to_the_police(engine):
    case = referred(engine, "SI-9J3D-5N7Q", "unknown")
    case.complete("grant_permitted_stay", "officer", STAY_GRANTED)
    case.complete("formal_identification", "coord",
                  {**examples.FORMAL, "identification_outcome": "not_victim",
                   "identification_reasoning": "The indicators were not confirmed."})
    assert case.open_elements() == ["inform_of_permit", "record_decision"]
    assert "Not identified after the permitted stay was offered" in _notices(case, "police")
    assert case.deadline("reflection_end").status == "open"


def test_a_lawfully_staying_victim_reaches_the_permit(engine):
    """Temporary protection (a refugee from Ukraine): no reflection period, but the permit
    must be filed before her temporary protection ends."""
    case = referred(engine, "SI-2P8L-6V3B", "foreigner_lawful_stay")
    assert "grant_permitted_stay" not in case.open_elements()
    case.complete("formal_identification", "coord", examples.FORMAL)
    ask = case.task("ask_cooperation_lawful")
    assert ask.role == "coordinator" and ask.due_date is None
    stay = {"victim_category": "trafficking", "lawful_stay_basis": "temporary_protection",
            "lawful_stay_end": "2027-03-04", "cooperation_choice": "not_now"}
    case.complete("ask_cooperation_lawful", "coord", stay)
    due = case.deadline("permit_application_due")
    assert (str(due.legal_date), str(due.latest_safe_day), due.owner_role) == (
        "2027-03-04", "2027-03-04", "legal_adviser")
    assert str(case.task("ask_cooperation_lawful").due_date) == "2027-03-04"

    case.at("2026-04-15")
    case.complete("ask_cooperation_lawful", "coord",
                  {**stay, "cooperation_choice": "cooperate",
                   "cooperation_decided_on": "2026-04-15"})
    assert sorted(e for e in case.open_elements() if e != "ask_plan_consent") == [
        "confirm_cooperation", "file_application"]
    assert str(case.task("file_application").due_date) == "2027-03-04"
    assert str(case.deadline("cooperation_confirmation_due").legal_date) == "2026-05-15"


def test_a_lawfully_staying_victim_who_will_not_cooperate_keeps_no_deadline(engine):
    case = referred(engine, "SI-3F5K-7C2D", "foreigner_lawful_stay")
    case.complete("formal_identification", "coord", examples.FORMAL)
    case.complete("ask_cooperation_lawful", "coord",
                  {"victim_category": "illegal_employment", "lawful_stay_basis": "other_permit",
                   "lawful_stay_end": "2027-01-31",
                   "cooperation_choice": "will_not"})
    assert case.open_elements() == ["ask_plan_consent"]
    assert [d.kind for d in case.deadlines()] == []


def test_a_national_needs_no_residence_procedure(engine):
    case = referred(engine, "SI-8M4N-1X6Z", "national")
    case.complete("formal_identification", "coord", examples.FORMAL)
    assert case.open_elements() == ["ask_plan_consent"]

