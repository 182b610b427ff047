"""Her personal record, and every piece of it a whole case writes, that no log may show."""

from __future__ import annotations

from forms import examples

RECORD = {"identity_basis": "criminal_proceedings",
          "given_name": "Julija", "family_name": "Kovalenko", "phone": "+386 40 111 222",
          "address": "Safe house Lipa 3", "narrative": "Recruited in Sofia by Petrov."}


WRITTEN = ("Kovalenko", "+386 40 111 222", "Lipa 3", "Petrov",
           examples.PRELIMINARY["preliminary_observations"],
           examples.FORMAL["her_view"], examples.FORMAL["current_state_and_needs"],
           examples.FORMAL["exploitation_how_created"])
