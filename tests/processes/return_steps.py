"""Voluntary return: the forms' data of each step, day by day, and walking to a step."""

from __future__ import annotations

from tests.processes.steps import DatedSteps, only_task

CONSENT = {"return_consent": "given", "consent_date": "2026-03-02",
           "consent_purpose": "Assisted voluntary return with a hand-over to a partner.",
           "interpreter_needed": True, "interpreter_used": True,
           "interpreter_language": "Ukrainian", "informed_of_process": True,
           "informed_of_right_to_withdraw": True, "data_sharing_consent": True}


RISK = {"assessed_on": "2026-03-03", "retrafficking_risk": "medium", "threat_risk": "low",
        "family_situation": "supportive", "police_consulted": True, "risk_level": "medium",
        "risk_notes": "Her mother can host her; the recruiters do not know her home town."}


PARTNER = {"partner_organisation": "La Strada", "partner_country": "Ukraine",
           "contact_confirmed": True, "contact_confirmed_on": "2026-03-04",
           "partner_services": ["reception_on_arrival", "psychosocial_support"]}


DOCUMENTS = {"document_type": "emergency_travel_document",
             "issuing_authority": "Consulate of her country",
             "document_issued_on": "2026-03-05", "document_valid_until": "2026-04-30"}


TRAVEL = {"travel_date": "2026-03-20", "transport": "bus", "route": "Ljubljana - Lviv",
          "escort": "return_officer", "meeting_point": "Lviv bus station"}


HANDOVER = {"handover_status": "handed_over", "arrived_on": "2026-03-20",
            "partner_confirmed_handover": True}


FOLLOW_UP = {"contact_method": "partner_report", "situation_after_return": "safe_and_supported",
             "follow_up_report": "Living with her mother, attends counselling."}


STEP_DAYS = {"give_consent": "2026-03-02", "assess_risk": "2026-03-03",
             "contact_partner": "2026-03-04", "travel_documents": "2026-03-05",
             "plan_travel": "2026-03-06", "best_interests": "2026-03-03",
             "review_high_risk": "2026-03-03", "plan_protection": "2026-03-03"}


DATED = DatedSteps(STEP_DAYS)


complete, rejected, on = DATED.complete, DATED.rejected, DATED.on


def walk_to(engine, instance_id, element_id):
    """Complete the usual steps of an adult's return, a day each, until ``element_id``."""
    steps = [("give_consent", CONSENT), ("assess_risk", RISK), ("contact_partner", PARTNER),
             ("travel_documents", DOCUMENTS), ("plan_travel", TRAVEL)]
    for step, data in steps:
        on(engine, STEP_DAYS[step])
        if step == element_id:
            break
        complete(engine, instance_id, step, data)
    only_task(engine, instance_id, element_id)
