"""The individual protection plan: consent, a plan with goals and indicators, a review."""

from __future__ import annotations

from tests.processes.steps import procedure_notices

CONSENT = {"plan_consent": True, "plan_consent_date": "2026-03-02",
           "plan_informed_of_data_use": True, "plan_interpreter_used": True}


def goal(term, description, *indicators):
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


REVIEW = {"review_date": "2026-04-09", "review_notes": "Settled in the shelter.",
          "plan_next_step": "continue"}


def deadlines(engine, instance_id):
    return {(d.kind, d.ref): d for d in engine.deadlines.deadlines(instance_id=instance_id)}


def to_services(engine, instance_id):
    """What the plan's own steps told the services (not the coordinator)."""
    return [(n.role, n.subject) for n in procedure_notices(engine, instance_id=instance_id)
            if n.role != "coordinator" and n.element_id in PLAN_ELEMENTS]


PLAN_ELEMENTS = frozenset({"open_monitoring", "record_review", "apply_correction",
                           "close_plan", "plan_not_made", "monitoring_check"})
