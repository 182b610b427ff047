"""The scenario fixture shared by the main path and its variants."""

from __future__ import annotations

import pytest

from tests.conftest import PROCESSES
from tests.processes import identification_data as identification
from tests.scenarios.case import Case

JULIJA = "SI-7K3Q-9F2M"


@pytest.fixture
def julija(engine) -> Case:
    """Julija identified as a victim; the plan and the reflection period are open."""
    engine.repository.deploy(PROCESSES)
    case = Case.open(engine, JULIJA)
    case.complete("record_preliminary", "officer", identification.PRELIMINARY,
                  role="first_line")
    case.complete("ask_referral_consent", "officer", identification.CONSENT, role="first_line")
    case.complete("formal_identification", "coord", identification.FORMAL, role="coordinator")
    assert case.open_elements() == ["ask_plan_consent", "grant_permitted_stay"]
    return case
