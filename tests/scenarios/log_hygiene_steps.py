"""Her personal record, and every piece of it a whole case writes, that no log may show."""

from __future__ import annotations

from tests.processes import identification_data as identification

RECORD = {"identity_basis": "criminal_proceedings",
          "given_name": "Julija", "family_name": "Kovalenko", "phone": "+386 40 111 222",
          "address": "Safe house Lipa 3", "narrative": "Recruited in Sofia by Petrov."}


WRITTEN = ("Kovalenko", "+386 40 111 222", "Lipa 3", "Petrov",
           identification.PRELIMINARY["preliminary_observations"],
           identification.FORMAL["her_view"], identification.FORMAL["current_state_and_needs"],
           identification.FORMAL["exploitation_how_created"])
