"""The scenario fixture shared by the main path and its variants."""

from __future__ import annotations

import pytest

from forms import examples
from tests.conftest import PROCESSES
from tests.scenarios.case import Case

JULIJA = "SI-7K3Q-9F2M"


@pytest.fixture
def julija(engine) -> Case:
    """Julija identified as a victim; the plan and the reflection period are open."""
    engine.repository.deploy(PROCESSES)
    case = Case.open(engine, JULIJA)
    case.complete("record_preliminary", "officer", examples.PRELIMINARY,
                  role="first_line")
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT, role="first_line")
    case.complete("formal_identification", "coord", examples.FORMAL, role="coordinator")
    assert case.open_elements() == ["ask_plan_consent", "grant_permitted_stay"]
    return case
