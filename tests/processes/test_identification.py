"""Identification (DOMAIN.md section 1) walked through the engine: Julija's case (seed 000),
the refusal, the child path and the undetermined outcome."""

from __future__ import annotations

import pytest

from forms.examples import CHILD, FORMAL, PRELIMINARY
from forms.examples import REFERRAL_CONSENT as CONSENT
from tests.conftest import PROCESSES
from tests.processes.identification_data import GUARDIAN
from tests.processes.steps import complete, only_task, open_elements, rejected

CASE = "SI-2026-0042"


@pytest.fixture
def started(engine):
    engine.repository.deploy(PROCESSES)
    instance = engine.runtime.start("identification", CASE, actor="officer")
    return engine, instance


def outputs(variables):
    names = ("identification_outcome", "is_child", "unaccompanied_minor",
             "foreigner_without_lawful_stay", "referral_consent", "identified_on")
    return {name: variables[name] for name in names}


def test_julija_is_referred_and_identified_as_a_victim(started):
    engine, instance = started
    task = only_task(engine, instance.id, "record_preliminary")
    assert task.role == "first_line" and task.documentation
    complete(engine, instance.id, "record_preliminary", PRELIMINARY, "officer")
    assert only_task(engine, instance.id, "ask_referral_consent").role == "first_line"
    complete(engine, instance.id, "ask_referral_consent", CONSENT, "officer")
    assert only_task(engine, instance.id, "formal_identification").role == "coordinator"
    complete(engine, instance.id, "formal_identification", FORMAL, "coord")

    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert outputs(done.variables) == {
        "identification_outcome": "victim", "is_child": False, "unaccompanied_minor": False,
        "foreigner_without_lawful_stay": True, "referral_consent": True,
        "identified_on": "2026-03-02"}
    assert "name" not in done.variables


def test_refused_referral_is_a_normal_end_with_her_contacts(started):
    engine, instance = started
    complete(engine, instance.id, "record_preliminary", PRELIMINARY)
    complete(engine, instance.id, "ask_referral_consent",
             {"referral_consent": False, "referral_consent_date": "2026-03-01"})
    task = only_task(engine, instance.id, "give_contacts")
    assert task.role == "first_line"
    assert "reach help" in rejected(engine, instance.id, "give_contacts",
                                    {"contacts": "unsafe_to_give", "contacts_on": "2026-03-01"},
                                    "contacts_safety_note")
    complete(engine, instance.id, "give_contacts", {"contacts": "given",
                                                    "contacts_on": "2026-03-01"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert outputs(done.variables) == {
        "identification_outcome": "undetermined", "is_child": False,
        "unaccompanied_minor": False, "foreigner_without_lawful_stay": True,
        "referral_consent": False, "identified_on": None}


def test_a_child_offered_the_permitted_stay_waits_for_no_family_contact(started):
    """A child without lawful stay is offered the stay as soon as her guardian agrees to
    the referral; her family is traced in the reflection period (Art. 50(3))."""
    engine, instance = started
    complete(engine, instance.id, "record_preliminary", CHILD)
    complete(engine, instance.id, "appoint_guardian", GUARDIAN, "social")
    variables = engine.runtime.instance(instance.id).variables
    assert variables["stay_offered_early"] is True
    assert open_elements(engine, instance.id) == ["formal_identification"]


def test_a_child_gets_a_guardian_and_family_contact(started):
    """A child staying lawfully gets no reflection period: her family is contacted here,
    before the formal identification."""
    engine, instance = started
    complete(engine, instance.id, "record_preliminary", {**CHILD, "stay_status": "eu_citizen"})
    assert engine.runtime.instance(instance.id).variables["age_years"] == 15
    assert only_task(engine, instance.id, "appoint_guardian").role == "social_work"
    notices = engine.deadlines.notifications(instance_id=instance.id, role="social_work")
    assert [n.subject for n in notices] == ["A child may be a victim of trafficking"]
    assert "2010" not in notices[0].body

    message = rejected(engine, instance.id, "appoint_guardian",
                       {**GUARDIAN, "guardian_arrangement": "parent_or_legal_guardian"},
                       "guardian_arrangement")
    assert "unaccompanied child needs a guardian" in message
    rejected(engine, instance.id, "appoint_guardian", {**GUARDIAN, "child_views": ""},
             "child_views")
    complete(engine, instance.id, "appoint_guardian", GUARDIAN, "social")

    assert only_task(engine, instance.id, "contact_family").role == "social_work"
    rejected(engine, instance.id, "contact_family",
             {"family_contact_step": "family_present", "family_contact_on": "2026-03-02"},
             "family_contact_step")
    rejected(engine, instance.id, "contact_family",
             {"family_contact_step": "not_safe", "family_contact_on": "2026-03-02"},
             "family_contact_note")
    complete(engine, instance.id, "contact_family",
             {"family_contact_step": "tracing_started", "family_contact_on": "2026-03-02"})

    complete(engine, instance.id, "formal_identification", FORMAL, "coord")
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert outputs(done.variables) == {
        "identification_outcome": "victim", "is_child": True, "unaccompanied_minor": True,
        "foreigner_without_lawful_stay": False, "referral_consent": True,
        "identified_on": "2026-03-02"}
    subjects = [n.subject for n in engine.deadlines.notifications(instance_id=instance.id)]
    assert "A child was identified as a victim of trafficking" in subjects


def test_presumed_child_whose_guardian_refuses_the_referral(started):
    """The guardian's refusal does not end it (CETS Art. 10(4)): social work decides in
    her best interests; here it decides not to refer her, and she is not identified."""
    engine, instance = started
    complete(engine, instance.id, "record_preliminary",
             {**PRELIMINARY, "age_years": None, "treat_as_child": True})
    complete(engine, instance.id, "appoint_guardian",
             {**GUARDIAN, "guardian_arrangement": "parent_or_legal_guardian",
              "referral_consent": False})
    assert only_task(engine, instance.id, "refer_child_for_protection").role == "social_work"
    complete(engine, instance.id, "refer_child_for_protection",
             {"child_protection_referral": False, "child_protection_decided_on": "2026-03-02",
              "child_protection_reasons": "She is safe with her parents; support at home.",
              "child_protection_child_heard": True}, "social")
    assert only_task(engine, instance.id, "contact_family_not_referred").role == "social_work"
    complete(engine, instance.id, "contact_family_not_referred",
             {"family_contact_step": "family_present", "family_contact_on": "2026-03-02"})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert outputs(done.variables) == {
        "identification_outcome": "undetermined", "is_child": True,
        "unaccompanied_minor": False, "foreigner_without_lawful_stay": True,
        "referral_consent": False, "identified_on": None}


def test_undetermined_is_assessed_again_then_not_a_victim(started):
    engine, instance = started
    complete(engine, instance.id, "record_preliminary",
             {**PRELIMINARY, "stay_status": "eu_citizen"})
    complete(engine, instance.id, "ask_referral_consent", CONSENT)
    undetermined = {**FORMAL, "identification_outcome": "undetermined"}
    assert "missing" in rejected(engine, instance.id, "formal_identification", undetermined,
                                 "information_missing")
    complete(engine, instance.id, "formal_identification",
             {**undetermined, "information_missing": "Her work history in Bulgaria."})
    assert engine.runtime.instance(instance.id).variables["identified_on"] is None
    assert only_task(engine, instance.id, "gather_more").role == "coordinator"
    rejected(engine, instance.id, "gather_more", {"more_information_step": "assess_again"},
             "information_gathered")
    complete(engine, instance.id, "gather_more",
             {"more_information_step": "assess_again",
              "information_gathered": "Labour inspection report received."})

    complete(engine, instance.id, "formal_identification",
             {**FORMAL, "identification_outcome": "not_victim", "indicators_confirmed": []})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert done.variables["identification_rounds"] == 2
    assert outputs(done.variables)["identification_outcome"] == "not_victim"
    assert outputs(done.variables)["foreigner_without_lawful_stay"] is False
    assert done.variables["identified_on"] == "2026-03-02"


def test_undetermined_can_be_closed(started):
    engine, instance = started
    complete(engine, instance.id, "record_preliminary", PRELIMINARY)
    complete(engine, instance.id, "ask_referral_consent", CONSENT)
    complete(engine, instance.id, "formal_identification",
             {**FORMAL, "identification_outcome": "undetermined",
              "information_missing": "She stopped answering."})
    complete(engine, instance.id, "gather_more",
             {"more_information_step": "close_undetermined",
              "identification_closed_note": "She moved abroad."})
    done = engine.runtime.instance(instance.id)
    assert done.status == "completed"
    assert outputs(done.variables)["identification_outcome"] == "undetermined"


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"preliminary_indicators": []}, "preliminary_indicators", "at least one indicator"),
    ({"preliminary_indicators": ["made_up"]}, "preliminary_indicators.0", "Choose from"),
    ({"observed_on": "2026-03-03"}, "observed_on", "cannot be in the future"),
    ({"date_of_birth": "1990-01-01"}, "age_years", "do not agree"),
    ({"unaccompanied": True}, "unaccompanied", "Only a child"),
    ({"needs_arranged": ["safe_accommodation"]}, "unmet_needs_note", "who follows up"),
    ({"needs_arranged": ["food_clothes_hygiene", "safe_accommodation", "medical_care",
                         "interpreter"]}, "needs_arranged", "among her immediate needs"),
    ({"name": "Julija"}, "name", "Unknown field"),
])
def test_preliminary_identification_refuses(started, change, field, words):
    engine, instance = started
    message = rejected(engine, instance.id, "record_preliminary", {**PRELIMINARY, **change},
                       field)
    assert words in message


def test_an_indicator_beyond_her_sectors_checklist_is_recorded_too(started):
    """A labour inspector who sees signs of violence records them: what she noticed is
    evidence, whichever sector's list it is on first."""
    engine, instance = started
    labour = {**PRELIMINARY, "referring_sector": "labour_inspection",
              "preliminary_indicators": ["unpaid_or_withheld_wages", "excessive_hours",
                                         "signs_of_violence"]}
    complete(engine, instance.id, "record_preliminary", labour)
    assert engine.runtime.instance(instance.id).variables["preliminary_indicators"] == [
        "unpaid_or_withheld_wages", "excessive_hours", "signs_of_violence"]


@pytest.mark.parametrize(("change", "field"), [
    ({"referral_informed_of_data_use": False}, "referral_informed_of_data_use"),
    ({"referral_consent_date": "2026-02-28"}, "referral_consent_date"),
    ({"referral_consent_date": "2026-03-03"}, "referral_consent_date"),
])
def test_referral_consent_refuses(started, change, field):
    engine, instance = started
    complete(engine, instance.id, "record_preliminary", PRELIMINARY)
    rejected(engine, instance.id, "ask_referral_consent", {**CONSENT, **change}, field)


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"she_participated": False}, "she_participated", "always done with her participation"),
    ({"her_view": ""}, "her_view", "her own view"),
    ({"indicators_confirmed": []}, "indicators_confirmed", "indicators that support"),
    ({"identification_date": "2026-02-27"}, "identification_date", "cannot precede"),
    ({"current_consequences": ""}, "current_consequences", "consequences"),
])
def test_formal_identification_refuses(started, change, field, words):
    engine, instance = started
    complete(engine, instance.id, "record_preliminary", PRELIMINARY)
    complete(engine, instance.id, "ask_referral_consent", CONSENT)
    assert words in rejected(engine, instance.id, "formal_identification",
                             {**FORMAL, **change}, field)
