"""School enrolment before the permit expires: the forms' data of each step in order."""

from __future__ import annotations

from tests.conftest import PROCESSES
from tests.processes.steps import ESCALATION

PERMIT_END = "2026-12-26"  # a Saturday and a public holiday: the latest safe day is 24 Dec


CONSENT = {"schooling_consent": "given", "schooling_consent_date": "2026-03-02",
           "schooling_interpreter_used": True, "recovery_progress_seen": True}


LANGUAGE = {"language_course": "enrolled", "language_course_start": "2026-03-09",
            "language_course_provider": "Adult education centre"}


CERTIFICATES = {"education_level": "secondary_incomplete", "certificates_status": "obtained",
                "collected_through": "partner_organisation", "power_of_attorney_given": True,
                "recognition_needed": True}


CHOICE = {"school_name": "Secondary school of economics", "programme": "Economic technician",
          "chosen_with_her": True}


MANAGEMENT = {"management_meeting_on": "2026-03-02", "management_outcome": "agreed",
              "mid_year_entry": True, "tuition_eur": 0, "refund_if_she_leaves": "full"}


CONTRACT = {"contract_signed_on": "2026-03-02"}


INTRODUCTION = {"meeting_consent": "given", "meeting_consent_date": "2026-03-02",
                "introduction_meeting_on": "2026-03-02", "status_not_disclosed": True,
                "progress_reports_agreed": True}


RECOGNITION = {"recognition_filed_on": "2026-03-02", "recognition_outcome": "pending"}


STEPS = [("agree_schooling", CONSENT), ("arrange_language_course", LANGUAGE),
         ("collect_certificates", CERTIFICATES), ("choose_school", CHOICE),
         ("meet_school_management", MANAGEMENT), ("sign_contract", CONTRACT),
         ("introduction_meeting", INTRODUCTION), ("recognise_education", RECOGNITION)]


def deploy(engine):
    engine.repository.deploy(PROCESSES / "school_enrolment.bpmn")
    engine.repository.deploy(ESCALATION)
