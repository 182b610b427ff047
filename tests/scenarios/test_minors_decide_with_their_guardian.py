"""A child is not decided for like an adult (CETS Arts. 10(4), 14(2)): her guardian takes
part in her decision to cooperate and signs her permit application, and the centre for
social work assesses her best interests beside the application, never delaying it."""

from __future__ import annotations

from tests.processes import permit_steps as permit
from tests.processes.steps import at, complete, only_task, open_elements, rejected
from tests.scenarios.case import STAY_GRANTED as GRANT
from tests.scenarios.julija_variant_steps import identified_child

COOPERATES = {"decision": "cooperate", "decision_date": "2026-04-01"}
BEST_INTERESTS = {"best_interests_assessed_on": "2026-03-02", "child_heard": True,
                  "best_interests_outcome": "permit_in_her_best_interests"}


def test_a_childs_decision_to_cooperate_needs_her_guardian(engine):
    child = identified_child(engine)
    child.complete("grant_permitted_stay", "officer", GRANT)
    child.at("2026-04-01")
    message = rejected(engine, child.id, "record_decision", COOPERATES,
                              "decided_with_guardian")
    assert "CETS Art. 10(4)" in message
    child.complete("record_decision", "coord", {**COOPERATES, "decided_with_guardian": True})
    child.complete("contact_family", "social", {"family_contact": "family_contacted",
                                                "family_contact_on": "2026-04-01"})
    assert child.task("confirm_cooperation").role == "prosecutor"
    assert child.task("assess_best_interests").role == "social_work"


def test_a_childs_application_is_signed_by_her_guardian(engine):
    instance = permit.start(engine, {**permit.START, "is_child": True})
    assert "guardian signs" in rejected(engine, instance.id, "file_application",
                                               permit.APPLICATION, "guardian_signed")
    complete(engine, instance.id, "file_application",
             {**permit.APPLICATION, "guardian_signed": True}, user="lawyer")
    assert permit.deadline(engine, instance.id, "permit_application_due").status == "met"


def test_her_best_interests_are_assessed_beside_the_application(engine):
    instance = permit.start(engine, {**permit.START, "is_child": True})
    assert sorted(open_elements(engine, instance.id)) == [
        "assess_best_interests", "confirm_cooperation", "file_application"]
    task = only_task(engine, instance.id, "assess_best_interests")
    assert task.role == "social_work" and "CETS Art. 14(2)" in task.documentation
    complete(engine, instance.id, "confirm_cooperation", permit.CONFIRMED, user="prosecutor")
    complete(engine, instance.id, "file_application",
             {**permit.APPLICATION, "guardian_signed": True}, user="lawyer")
    complete(engine, instance.id, "issue_certificate", permit.CERTIFICATE, user="clerk")
    # The unit decides only once the assessment is in.
    assert open_elements(engine, instance.id) == ["assess_best_interests"]
    assert "Hear her" in rejected(engine, instance.id, "assess_best_interests",
                                         {**BEST_INTERESTS, "child_heard": False},
                                         "child_heard")
    complete(engine, instance.id, "assess_best_interests", BEST_INTERESTS, user="social")
    assert only_task(engine, instance.id, "decide_permit").role == "admin_unit"


def test_an_adult_has_no_best_interests_step(engine):
    instance = permit.start(engine)
    assert sorted(open_elements(engine, instance.id)) == ["confirm_cooperation",
                                                          "file_application"]


def test_a_childs_schooling_consent_is_given_with_her_guardian(engine):
    from tests.processes import school_steps as school

    school.deploy(engine)
    instance = engine.runtime.start("school_enrolment", "SI-5C2K-7M4B", actor="coordinator",
                                    data={"permit_valid_until": school.PERMIT_END,
                                          "is_child": True})
    message = rejected(engine, instance.id, "agree_schooling", school.CONSENT,
                              "decided_with_guardian")
    assert "CETS Art. 10(4)" in message
    complete(engine, instance.id, "agree_schooling",
             {**school.CONSENT, "decided_with_guardian": True}, user="counsellor")
    assert "agree_schooling" not in open_elements(engine, instance.id)


def test_a_childs_further_permit_is_decided_with_her_guardian(engine):
    instance = permit.start(engine, {**permit.START, "is_child": True})
    complete(engine, instance.id, "assess_best_interests", BEST_INTERESTS, user="social")
    complete(engine, instance.id, "confirm_cooperation", permit.CONFIRMED, user="prosecutor")
    complete(engine, instance.id, "file_application",
             {**permit.APPLICATION, "guardian_signed": True}, user="lawyer")
    complete(engine, instance.id, "issue_certificate", permit.CERTIFICATE, user="clerk")
    at(engine, "2026-06-10")
    complete(engine, instance.id, "decide_permit", permit.ISSUED, user="clerk")
    complete(engine, instance.id, "follow_proceedings",
             {"next_step": "proceedings_ended", "proceedings_ended_on": "2026-06-10"})
    further = {"further_permit_basis": "education", "further_permit_filed_on": "2026-06-10"}
    assert "guardian" in rejected(engine, instance.id, "file_further_permit", further,
                                         "guardian_signed")
    complete(engine, instance.id, "file_further_permit", {**further, "guardian_signed": True})
    assert permit.deadline(engine, instance.id,
                           "further_permit_application_due").status == "met"
