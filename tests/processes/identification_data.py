"""The data of the identification forms as the tests fill them in: Julija's case (seed 000),
and a child referred by social services. Tests of other procedures start from it."""

# Julija (seed 000): a police officer on a routine check; no documents, visible distress.
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
CONSENT = {"referral_consent": True, "referral_consent_date": "2026-03-01",
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
GUARDIAN = {"guardian_arrangement": "temporary_guardian_appointed",
            "guardian_appointed_on": "2026-03-02",
            "child_views": "She wants to go to school and to call her mother.",
            "referral_consent": True, "referral_consent_date": "2026-03-02"}
