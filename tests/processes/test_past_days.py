"""A day declared ``past`` is refused after the engine's local today, also deep in a form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.errors import ValidationFailed
from forms.protection_plan import Reached

PLAN = {"plan_date": "2026-03-01", "indicators": [{"id": "G1-1", "status": "open"}]}


def review(reached_on: str) -> dict[str, object]:
    return {"review_date": "2026-04-02", "review_notes": "She is doing well.",
            "plan_next_step": "continue",
            "indicators_reached": [{"indicator_id": "G1-1", "reached_on": reached_on}]}


def test_a_past_day_in_a_list_of_parts_is_checked_against_the_local_today(engine):
    # 22:30 UTC on 1 April is already 2 April in Ljubljana: that is today for the form.
    engine.set_clock(datetime(2026, 4, 1, 22, 30, tzinfo=UTC))
    assert Reached().fields["reached_on"].metadata["past"] is True
    with pytest.raises(ValidationFailed) as caught:
        engine.tasks.validate("protection_plan.review", review("2026-04-03"), PLAN)
    assert caught.value.fields == {
        "indicators_reached.0.reached_on": ["The date cannot be in the future."]}
    clean = engine.tasks.validate("protection_plan.review", review("2026-04-02"), PLAN)
    assert clean["indicators_reached"] == [{"indicator_id": "G1-1", "reached_on": "2026-04-02"}]
