"""The reintegration programme's forms' data, day by day, and how tests walk it."""

from __future__ import annotations

from tests.processes.steps import DatedSteps

PRESENT = {"presented_on": "2026-03-02", "interpreter_needed": True, "interpreter_used": True,
           "interpreter_language": "Ukrainian",
           "help_explained": ["counselling", "individual_plan", "education", "employment"],
           "conditions_explained": True, "decision_expected_by": "2026-03-09"}


ENTER = {"entry_decision": "enter", "entry_decision_date": "2026-03-06",
         "consent_purpose": "Intake interview and the (re)integration programme.",
         "intake_consent": True, "interpreter_used": True}


SESSION_1 = {"session_date": "2026-03-10", "session_minutes": 90,
             "topics_covered": ["reason", "circumstances", "resources"],
             "session_notes": "Wants to finish school and work as a nurse.",
             "notes_confirmed": True, "interpreter_used": True}


SESSION_2 = {"session_date": "2026-03-12", "session_minutes": 60,
             "topics_covered": ["risks", "stage_of_recovery", "suitability"],
             "session_notes": "Sleeps better; the former employer has not contacted her.",
             "notes_confirmed": True, "intake_complete": True}


REPORT = {"report_date": "2026-03-13", "opinion": "positive",
          "opinion_justification": "Motivated, recovering, with a realistic goal."}


ADMITTED = {"team_decision": "admitted", "team_decided_on": "2026-03-23",
            "team_reasons": "The intake supports the counsellor's opinion.",
            "team_notice_consent": True}


PLAN = {"plan_agreed_on": "2026-03-24", "her_expectations": "A school and a job.",
        "short_term_goals": "Slovene course.", "medium_term_goals": "Enrol in nursing school.",
        "long_term_goals": "Work as a nurse.",
        "plan_areas": ["language", "schooling", "recognition_of_education"],
        "plan_steps": ["Slovene course A1-A2", "Certificates from her school at home"],
        "rights_and_duties_explained": True, "complaint_right_acknowledged": True}


CONTRACT = {"draft_agreed": True, "contract_language": "Ukrainian",
            "translation_provided": True, "legal_advice_offered": True,
            "legal_advice_wanted": False}


SIGN = {"contract_signed_on": "2026-03-27", "signed_by_both": True}


ANNEX = {"annex_agreed_on": "2026-03-27", "within_means": True, "annex_signed": True,
         "annex_steps": [{"step": "Slovene course A1-A2", "area": "language", "cost": "240.00"},
                         {"step": "Bus pass", "area": "language", "cost": 35.5},
                         {"step": "Library card", "area": "social_network", "cost": 0}]}


STEP_DAYS = {"record_entry_decision": "2026-03-06", "write_report": "2026-03-13",
             "prepare_plan": "2026-03-24", "prepare_contract": "2026-03-25",
             "legal_advice": "2026-03-26", "sign_contract": "2026-03-27",
             "make_annex": "2026-03-27"}


DATED = DatedSteps(STEP_DAYS)


complete, rejected, on = DATED.complete, DATED.rejected, DATED.on


def reviews(engine, instance_id):
    return {d.ref: d for d in engine.deadlines.deadlines(instance_id=instance_id)
            if d.kind == "plan_review_due"}
