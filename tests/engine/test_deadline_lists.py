"""The deadline tracker's lists: its kinds, and what is missed, on both databases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.store.models import LegalDeadline
from tests.diagrams import linear, registries


@pytest.fixture
def tracked(make_engine):
    """One instance with deadlines of three kinds, open, met, missed and cancelled."""
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(linear("demo"), source="demo.bpmn")
    instance = engine.runtime.start("demo", "C-1")
    today = engine.ctx.today()
    rows = [  # kind, ref, legal date (days from today), latest safe day, status
        ("reflection_end", "", -3, -5, "open"),      # its legal date has passed: missed
        ("reflection_end", "x", 2, -1, "open"),      # its safe day has passed, not the date
        ("indicator_due", "G1", 10, 10, "open"),
        ("indicator_due", "G2", -20, -20, "missed"),
        ("indicator_due", "G3", -30, -30, "met"),
        ("permit_expiry", "", 40, 39, "cancelled"),
    ]
    with engine.db.transaction() as session:
        for kind, ref, legal, safe, status in rows:
            session.add(LegalDeadline(
                instance_id=instance.id, case_code="C-1", kind=kind, ref=ref, title=kind,
                owner_role="legal_adviser", jurisdiction="si",
                legal_date=today + timedelta(days=legal),
                latest_safe_day=today + timedelta(days=safe), status=status,
                opened_by_element="first", created_at=engine.clock.now(),
                updated_at=engine.clock.now()))
    return engine, today


def test_the_kinds_are_every_kind_recorded_once_in_order(tracked):
    engine, _ = tracked
    assert engine.deadlines.kinds() == ["indicator_due", "permit_expiry", "reflection_end"]


def test_an_engine_without_deadlines_has_no_kinds(engine):
    assert engine.deadlines.kinds() == []


def test_missed_are_those_done_late_and_those_past_their_legal_date(tracked):
    engine, today = tracked
    missed, total = (engine.deadlines.tracker(missed=True),
                     engine.deadlines.count_tracker(missed=True))
    assert total == 2
    assert [(d.kind, d.ref, d.status) for d in missed] == [
        ("indicator_due", "G2", "missed"), ("reflection_end", "", "missed")]
    open_ones, total = engine.deadlines.tracker(), engine.deadlines.count_tracker()
    assert total == 3
    assert [d.latest_safe_day - today for d in open_ones] == [
        timedelta(days=-5), timedelta(days=-1), timedelta(days=10)]
    assert isinstance(open_ones[0].legal_date, date)
