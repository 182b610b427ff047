"""A child identified through the top-level procedure, for variants of Julija's case."""

from __future__ import annotations

from forms import examples
from tests.conftest import PROCESSES
from tests.processes import identification_data as identification
from tests.scenarios.case import Case


def identified_child(engine) -> Case:
    """A 15-year-old alone: her guardian appointed, offered the permitted stay at once
    (her family is traced in the reflection period), identified."""
    engine.repository.deploy(PROCESSES)
    child = Case.open(engine, "SI-3M8D-2C7Q")
    child.complete("record_preliminary", "sw", examples.CHILD, role="first_line")
    child.complete("appoint_guardian", "social", identification.GUARDIAN, role="social_work")
    assert child.open_elements() == ["formal_identification", "grant_permitted_stay"]
    child.complete("formal_identification", "coord", examples.FORMAL, role="coordinator")
    return child
