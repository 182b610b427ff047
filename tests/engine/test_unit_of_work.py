"""The unit of work keeps what it noted until its commit, and only what its commit keeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEvent


def audit_count(engine) -> int:
    with engine.db.reading() as session:
        return session.scalar(select(func.count(AuditEvent.id)))


def heard(engine) -> list:
    """The due times the timer listeners are told of."""
    told: list = []
    engine.db.hooks.timer_listeners.append(told.append)
    return told


def test_the_audit_and_the_new_timer_reach_the_database_and_the_workers_at_the_commit(
        engine):
    told = heard(engine)
    before = audit_count(engine)
    soon = engine.clock.now() + timedelta(hours=1)
    with engine.db.transaction() as session:
        session.audit("user_added", "coord", detail="one")
        session.audit("user_added", "coord", detail="two")
        session.timer_due(soon + timedelta(hours=1))
        session.timer_due(soon)
        assert audit_count(engine) == before and told == []  # not before the commit
    assert audit_count(engine) == before + 2
    assert told == [soon]  # the earliest, once


def test_a_unit_that_fails_writes_no_audit_and_announces_no_timer(engine):
    told = heard(engine)
    before = audit_count(engine)
    with pytest.raises(RuntimeError), engine.db.transaction() as session:
        session.audit("user_added", "coord", detail="never")
        session.timer_due(engine.clock.now())
        raise RuntimeError("the unit failed")
    assert audit_count(engine) == before
    assert told == []


def test_a_failed_savepoint_drops_only_what_was_noted_inside_it(engine):
    told = heard(engine)
    before = audit_count(engine)
    first, inside = engine.clock.now() + timedelta(hours=2), engine.clock.now()
    with engine.db.transaction() as session:
        session.audit("timer_failed", "timer", detail="counted before")
        session.timer_due(first)
        with pytest.raises(RuntimeError), session.savepoint():
            session.audit("timer_fired", "timer", detail="inside")
            session.timer_due(inside)
            raise RuntimeError("this reminder failed")
        with session.savepoint():
            session.audit("timer_fired", "timer", detail="kept")
    with engine.db.reading() as session:
        details = session.scalars(select(AuditEvent.detail).order_by(AuditEvent.id)
                                  .offset(before)).all()
    assert details == ["counted before", "kept"]
    assert told == [first]


def test_a_unit_that_only_reads_cannot_record(engine):
    before = audit_count(engine)
    with pytest.raises(RuntimeError, match="only reads"), engine.db.reading() as session:
        session.audit("case_read", "coord")
    assert audit_count(engine) == before
