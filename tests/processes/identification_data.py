"""The identification data only the tests fill in: a guardian for the child of
``forms.examples``, whose Julija's case the tests of other procedures start from."""

GUARDIAN = {"guardian_arrangement": "temporary_guardian_appointed",
            "guardian_appointed_on": "2026-03-02",
            "child_views": "She wants to go to school and to call her mother.",
            "referral_consent": True, "referral_consent_date": "2026-03-02"}
