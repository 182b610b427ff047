"""Julija's case as the web tests meet it: identified with her own words, then her
personal record written by the coordinator. The fixtures ``case`` and ``recorded`` of
``conftest.py`` build it."""

from __future__ import annotations

from datetime import date

from forms import examples
from tests.scenarios.case import Case

CODE = "SI-7K3Q-9F2M"
STORY = "Julija says the recruiter from Varna took her passport."
JULIJA = {
    "given_name": "Julija", "family_name": "Kovalenko", "date_of_birth": "1998-02-11",
    "nationality": "Ukrainian", "languages": "Ukrainian, Russian",
    "documents.0.type": "passport", "documents.0.number": "FX204117",
    "documents.0.issued_by": "Ukraine",
    "phone": "+386 40 111 222", "address": "Safe house Lipa 3, Ljubljana",
    "narrative": "Recruited in Sofia by a man called Petrov for hotel work.",
}


def identified_with_her_words(engine) -> Case:
    """An identification with her own words recorded by the coordinator."""
    case = Case.open(engine, CODE, process="identification")
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT)
    case.complete("formal_identification", "coord", {**examples.FORMAL,
                                                     "her_view": STORY})
    return case


def consent_to_her_name(engine) -> None:
    engine.consents.record(CODE, "record_identity", status="given",
                           decided_on=date(2026, 3, 1), obtained="in a meeting",
                           interpreter_used=True, given_by="herself", user="coordinator")
