"""Art. 50(2), (3), (5) and (7) ZTuj-2 walked with the settable clock: the grounds on
which a stay or a permit may be refused, the free interpreter and the NGO's duty to inform
her, cooperation that counts for each category of victim, and the wage claim of a victim
of illegal employment."""

from __future__ import annotations

import pytest

from forms.reflection import VICTIM_CATEGORIES
from tests.processes import permit_steps as permit
from tests.processes.steps import complete, only_task, open_elements, procedure_notices, rejected
from tests.scenarios.case import STAY_GRANTED as GRANT

REFUSED_STAY = {"stay_decision": "refused", "stay_decision_date": "2026-03-02",
                "victim_category": "trafficking"}


def test_the_permitted_stay_is_refused_only_on_the_grounds_of_art_50_2(julija):
    case = julija
    message = rejected(case.engine, case.id, "grant_permitted_stay",
                              {**REFUSED_STAY, "refusal_ground": "no_papers"},
                              "refusal_ground")
    assert "Choose one of" in message
    case.complete("grant_permitted_stay", "officer",
                  {**REFUSED_STAY, "refusal_ground": "suspected_drug_production_or_trafficking"},
                  role="police")
    assert case.task("plan_after_refusal").role == "coordinator"


def test_a_granted_stay_needs_the_free_interpreter_first(julija):
    case = julija
    without = {k: v for k, v in GRANT.items() if k != "interpreter_provided"}
    message = rejected(case.engine, case.id, "grant_permitted_stay", without,
                              "interpreter_provided")
    assert "free interpreter (Art. 50(3))" in message
    case.complete("grant_permitted_stay", "officer", {**without, "understands_language": True})
    assert case.deadline("reflection_end").status == "open"


def test_the_ngo_informs_her_of_the_permit_during_the_stay(julija):
    case = julija
    case.complete("grant_permitted_stay", "officer", GRANT)
    task = case.task("inform_of_permit")
    assert task.role == "ngo_counsellor" and "Art. 50(3)" in task.documentation
    assert "Explain it again" in rejected(
        case.engine, case.id, "inform_of_permit",
        {"informed_on": "2026-03-02", "she_understood": False}, "she_understood")
    case.complete("inform_of_permit", "counsellor",
                  {"informed_on": "2026-03-02", "she_understood": True,
                   "information_interpreter_used": True})
    assert "inform_of_permit" not in case.open_elements()


def test_the_ngo_task_closes_when_she_decides_not_when_she_asks_for_time(julija):
    case = julija
    case.complete("grant_permitted_stay", "officer", GRANT)
    case.at("2026-05-12")
    case.complete("record_decision", "coord", {"decision": "extend",
                                              "decision_date": "2026-05-12",
                                              "reason": "She needs more time."})
    assert "inform_of_permit" in case.open_elements()
    case.complete("decide_extension", "officer", {"extension_granted": True,
                                                  "extension_decision_date": "2026-05-12",
                                                  "extension_days": 30})
    case.complete("record_decision", "coord", {"decision": "cooperate",
                                              "decision_date": "2026-05-12"})
    assert "inform_of_permit" not in case.open_elements()


def test_a_permit_is_refused_on_a_suspected_crime_apart_from_public_order(engine):
    instance = permit.start(engine)
    complete(engine, instance.id, "confirm_cooperation", permit.CONFIRMED, user="prosecutor")
    complete(engine, instance.id, "file_application", permit.APPLICATION, user="lawyer")
    complete(engine, instance.id, "issue_certificate", permit.CERTIFICATE, user="clerk")
    refused = {"permit_decision": "refused", "refused_on": "2026-03-02",
               "refusal_served_on": "2026-03-02"}
    assert "Choose one of" in rejected(
        engine, instance.id, "decide_permit",
        {**refused, "refusal_ground": "public_order_or_security"}, "refusal_ground")
    complete(engine, instance.id, "decide_permit",
             {**refused, "refusal_ground": "suspected_other_crimes"}, user="clerk")
    assert only_task(engine, instance.id, "consider_appeal").role == "legal_adviser"


def test_for_domestic_violence_cooperation_in_the_investigation_counts(engine):
    investigation = {**permit.CONFIRMED, "cooperation_basis": "cooperation_in_investigation"}
    trafficking = permit.start(engine)
    refusal = rejected(engine, trafficking.id, "confirm_cooperation", investigation,
                              "cooperation_basis")
    assert "only: As a witness in the criminal proceedings" in refusal
    assert "investigation" not in refusal
    violence = permit.start(engine, {**permit.START, "victim_category": "domestic_violence"})
    complete(engine, violence.id, "confirm_cooperation", investigation, user="prosecutor")
    assert open_elements(engine, violence.id) == ["file_application"]


def _renewed_for_a_wage_claim(engine):
    instance = permit.start(engine, {**permit.START, "victim_category": "illegal_employment"})
    permit.issue_permit(engine, instance.id)
    complete(engine, instance.id, "follow_proceedings", {"next_step": "renew_for_wage_claim"})
    return instance


def test_renewal_for_a_wage_claim_needs_proof_of_the_lawsuit(engine):
    instance = _renewed_for_a_wage_claim(engine)
    assert "wage lawsuit" in rejected(engine, instance.id, "file_renewal",
                                             {"renewal_filed_on": "2026-06-10"},
                                             "wage_lawsuit_filed_on")
    assert "proof of the lawsuit" in rejected(
        engine, instance.id, "file_renewal",
        {"renewal_filed_on": "2026-06-10", "wage_lawsuit_filed_on": "2026-05-20"},
        "wage_lawsuit_proof_attached")
    complete(engine, instance.id, "file_renewal",
             {"renewal_filed_on": "2026-06-10", "wage_lawsuit_filed_on": "2026-05-20",
              "wage_lawsuit_proof_attached": True}, user="lawyer")
    assert only_task(engine, instance.id, "decide_renewal").role == "admin_unit"


def test_her_report_of_the_wages_paid_goes_to_the_administrative_unit(engine):
    instance = _renewed_for_a_wage_claim(engine)
    complete(engine, instance.id, "file_renewal",
             {"renewal_filed_on": "2026-06-10", "wage_lawsuit_filed_on": "2026-05-20",
              "wage_lawsuit_proof_attached": True})
    complete(engine, instance.id, "decide_renewal",
             {"renewal_decision": "renewed", "renewal_decided_on": "2026-06-10",
              "renewal_months": 12}, user="clerk")
    complete(engine, instance.id, "follow_proceedings", {"next_step": "wages_paid"})
    task = only_task(engine, instance.id, "report_wage_payment")
    assert task.role == "legal_adviser" and "Art. 50(7)" in task.documentation
    assert "after it was made" in rejected(
        engine, instance.id, "report_wage_payment",
        {"wages_paid_on": "2026-06-10", "payment_reported_on": "2026-06-09"},
        "payment_reported_on")
    complete(engine, instance.id, "report_wage_payment",
             {"wages_paid_on": "2026-06-09", "payment_reported_on": "2026-06-10"})
    subjects = [n.subject for n in procedure_notices(engine, role="admin_unit",
                                                     instance_id=instance.id)]
    assert "Unpaid wages paid" in subjects
    assert open_elements(engine, instance.id) == ["follow_proceedings"]


def test_wages_paid_is_refused_without_a_wage_claim_renewal(engine):
    instance = permit.start(engine)
    permit.issue_permit(engine, instance.id)
    assert "wage claim" in rejected(engine, instance.id, "follow_proceedings",
                                           {"next_step": "wages_paid"}, "next_step")


PERMIT_PATHS = {
    "trafficking": (["witness_in_criminal_proceedings"], False),
    "illegal_employment":
        (["witness_in_criminal_proceedings", "labour_lawsuit_confirmed_by_court"], True),
    "domestic_violence":
        (["witness_in_criminal_proceedings", "cooperation_in_investigation"], False),
}


@pytest.mark.parametrize("category", VICTIM_CATEGORIES)
def test_the_permit_path_table_decides_the_bases_of_each_category(engine, category):
    """The shipped table ``permit_path`` covers every victim category the forms offer."""
    bases, wage_claim = PERMIT_PATHS[category]
    instance = permit.start(engine, {**permit.START, "victim_category": category})
    view = engine.runtime.instance(instance.id)
    assert view.incident_element is None
    assert view.variables["cooperation_bases"] == bases
    assert view.variables["wage_claim_renewal_allowed"] is wage_claim


def test_a_renewal_for_a_wage_claim_is_refused_for_a_victim_of_trafficking(engine):
    instance = permit.start(engine)
    permit.issue_permit(engine, instance.id)
    refusal = rejected(engine, instance.id, "follow_proceedings",
                              {"next_step": "renew_for_wage_claim"}, "next_step")
    assert "illegal employment" in refusal
