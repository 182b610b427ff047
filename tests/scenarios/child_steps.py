"""A girl identified as a child victim, and her guardian's refusal of a referral."""

from __future__ import annotations

from forms import examples
from tests.processes import identification_data as identification

GIRL = {**examples.CHILD, "date_of_birth": "2009-09-14"}


"""Unaccompanied, without lawful stay, 16 on the day she was found (1 March 2026)."""


GUARDIAN_REFUSES = {**identification.GUARDIAN, "referral_consent": False}


REFER = {"child_protection_referral": True, "child_protection_decided_on": "2026-03-04",
         "child_protection_reasons": "She is exploited for begging and has no one to "
                                     "protect her; she wants help and to go to school. The "
                                     "guardian fears the police; that is no reason to "
                                     "leave her unprotected.",
         "child_protection_child_heard": True, "child_protection_interpreter_used": True}


FORMAL = {**examples.FORMAL, "identification_date": "2026-03-05",
          "indicators_confirmed": ["child_working_or_begging", "isolation"],
          "exploitation_forms": ["forced_begging"]}
