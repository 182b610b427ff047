"""Julija's case (seed 000) as the forms record it, and a child referred by social services.

One worked example, valid by construction, that the benchmarks and the tests submit: a
change of a form shows here first, in one place.
"""

from __future__ import annotations

from typing import Any

# Identification: a police officer on a routine check; no documents, visible distress.
PRELIMINARY = {
    "referring_sector": "police", "observed_on": "2026-03-01",
    "preliminary_indicators": ["no_identity_documents", "documents_held_by_others",
                               "signs_of_distress", "controlled_movement"],
    "preliminary_observations": "Works as a cleaner, passport kept by the employer.",
    "age_years": 28, "stay_status": "foreigner_without_lawful_stay",
    "immediate_needs": ["safe_accommodation", "medical_care", "interpreter"],
    "needs_arranged": ["safe_accommodation", "medical_care", "interpreter"],
    "preliminary_interpreter_used": True,
}
REFERRAL_CONSENT = {"referral_consent": True, "referral_consent_date": "2026-03-01",
                    "referral_informed_of_data_use": True, "referral_interpreter_used": True}
FORMAL = {
    "identification_date": "2026-03-02", "she_participated": True,
    "her_view": "She says she was deceived and wants to be safe.",
    "current_state_and_needs": "Exhausted, untreated injuries, signs of depression.",
    "exploitation_how_created": "Job offer as a hotel cleaner; passport taken on arrival.",
    "exploitation_effect_on_health": "Exhaustion, injuries, depression.",
    "current_consequences": "No documents, no money, afraid of the employer.",
    "indicators_confirmed": ["documents_held_by_others", "unpaid_or_withheld_wages",
                             "excessive_hours", "controlled_movement"],
    "exploitation_forms": ["labour"], "identification_interpreter_used": True,
    "identification_outcome": "victim",
    "identification_reasoning": "The indicators of labour exploitation are confirmed.",
}
CHILD = {**PRELIMINARY, "referring_sector": "social_services", "age_years": None,
         "date_of_birth": "2010-05-01", "unaccompanied": True,
         "preliminary_indicators": ["child_working_or_begging", "isolation"]}

# The individual protection plan: her consent, the plan of nine sections, a review.
PLAN_CONSENT = {"plan_consent": True, "plan_consent_date": "2026-03-02",
                "plan_informed_of_data_use": True, "plan_interpreter_used": True}


def goal(term: str, description: str, *indicators: tuple[str, str]) -> dict[str, Any]:
    """A goal of the plan with its indicators, each ``(id, target date)``."""
    return {"term": term, "description": description,
            "indicators": [{"id": i, "description": f"Indicator {i}", "target_date": d}
                           for i, d in indicators]}


PLAN = {
    "plan_date": "2026-04-01",
    "profile": {"age": 28, "citizenship": "Ukrainian", "languages": "Ukrainian, Russian",
                "cultural_considerations": "Prefers a female counsellor.",
                "case_history": "Recruited for hotel cleaning; passport taken; unpaid."},
    "needs": {"safety_risk_level": "high",
              "safety_risk_assessment": "The employer knows where she lived.",
              "safety_measures": "Shelter at a confidential address.",
              "health_physical": "Untreated injuries, exhaustion.",
              "health_mental": "Signs of depression.",
              "legal_status": "No residence permit; passport held by the employer.",
              "legal_compensation": "Unpaid wages to claim.",
              "psychological": "Trauma counselling.",
              "economic_social": "No money; wants to work and learn Slovene."},
    "goals": [
        goal("immediate", "She is safe and her health is cared for",
             ("G1-1", "2026-04-10")),
        goal("short_term", "She understands her rights and options",
             ("G2-1", "2026-05-15")),
        goal("long_term", "She is economically independent", ("G3-1", "2026-12-26")),
    ],
    "services": [
        {"area": "health", "provider_role": "social_work",
         "description": "Urgent health care paid by the centre for social work.",
         "change_expected": "Injuries treated."},
        {"area": "legal", "provider_role": "legal_adviser",
         "description": "Permit application and wage claim.",
         "change_expected": "Lawful stay and her wages paid."},
        {"area": "psychological", "provider_role": "ngo_counsellor",
         "description": "Weekly counselling.", "change_expected": "Less anxiety."},
        {"area": "accommodation", "provider_role": "coordinator",
         "description": "Safe shelter.", "change_expected": "She is safe."},
    ],
    "monitoring": {"contact_frequency": "Weekly meeting with the coordinator.",
                   "retrafficking_prevention": "Watch for contact by the recruiter."},
    "roles": {"professionals": "Centre for social work, NGO, legal adviser.",
              "her_role": "Attends counselling; decides on each step."},
    "timeframe": {"milestones": [{"description": "Permit application filed",
                                  "due_on": "2026-04-20"}]},
    "emergency_contacts": [{"service": "Coordinator on duty", "phone": "+386 1 000 0000"}],
    "signatures": {"she_signed": True, "signed_on": "2026-04-01",
                   "coordinator_signed": True},
}
PLAN_REVIEW = {"review_date": "2026-04-09", "review_notes": "Settled in the shelter.",
               "plan_next_step": "continue"}
