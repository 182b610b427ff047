"""Timers, reminders and escalations fire once, in order, and failures never block others."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from engine.jobs.scheduler import TimerScheduler
from engine.jobs.timers import BACKOFF, MAX_ATTEMPTS
from engine.kit.effects import MeetDeadline, SetDeadline
from engine.obligations.deadlines import apply_effects
from engine.store.models import AuditEvent, ProcessInstance
from tests.conftest import PROCESSES
from tests.diagrams import boundary_timer, registries
from tests.engine.timer_steps import open_elements, rows, timer_then_handler

LJUBLJANA = ZoneInfo("Europe/Ljubljana")


def audit_count(engine, event_type):
    with engine.db.reading() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.event_type == event_type))


def test_a_boundary_timer_fires_once_and_a_completed_task_cancels_its_own(make_engine):
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(boundary_timer("stay", "PT2H"), source="stay.bpmn")
    fires, completes = (engine.runtime.start("stay", f"C-{n}") for n in (1, 2))
    engine.tasks.complete(completes.open_tasks[0].id, "ana", {"note": "decided in time"})
    (cancelled,) = rows(engine, instance_id=completes.id)
    assert (cancelled.status, cancelled.fired_at) == ("cancelled", None)

    engine.advance_clock(timedelta(hours=2))  # exactly due: not yet past it
    assert open_elements(engine, fires.id) == ["wait"]
    engine.advance_clock(timedelta(seconds=1))
    engine.advance_clock(timedelta(days=1))  # a second sweep finds nothing more
    assert open_elements(engine, fires.id) == ["after_timer"]
    (fired,) = rows(engine, instance_id=fires.id)
    assert (fired.status, fired.attempts) == ("fired", 0)
    assert audit_count(engine, "timer_fired") == 1
    assert open_elements(engine, completes.id) == []


def test_timers_due_during_downtime_fire_at_start_oldest_first(make_engine):
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(boundary_timer("stay", "P3D"), source="stay.bpmn")
    started = []
    for day in range(3):  # due on days 3, 4 and 5; the clock stops at day 3, then 13
        started.append(engine.runtime.start("stay", f"C-{day}").id)
        engine.advance_clock(timedelta(days=1))
    engine.advance_clock(timedelta(days=10), fire=False)  # no scheduler ran

    scheduler = TimerScheduler(engine, name="catch-up")
    fired = scheduler.sweep()  # what start() runs first
    assert [f.instance_id for f in fired] == started
    assert [f.lateness.days for f in fired] == [10, 9, 8]
    assert all(open_elements(engine, i) == ["after_timer"] for i in started)
    assert scheduler.sweep() == []
    assert engine.timers.last_sweep() is not None


def test_a_failing_timer_backs_off_then_is_an_incident_and_others_still_fire(make_engine):
    forms, handlers, registry = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(timer_then_handler(), source="flaky.bpmn")
    engine.repository.deploy(boundary_timer("stay", "PT1H"), source="stay.bpmn")
    broken = engine.runtime.start("flaky", "C-1")
    healthy = engine.runtime.start("stay", "C-2")

    engine.advance_clock(timedelta(hours=1, seconds=1))
    assert open_elements(engine, healthy.id) == ["after_timer"]
    (timer,) = rows(engine, instance_id=broken.id)
    assert (timer.status, timer.attempts) == ("pending", 1)
    assert "registry of residence permits" in timer.last_error
    assert engine.runtime.instance(broken.id).status == "waiting"  # rolled back, not stuck

    for attempt, wait in enumerate(BACKOFF[:MAX_ATTEMPTS - 2], start=2):
        engine.advance_clock(wait - timedelta(seconds=2))
        assert rows(engine, instance_id=broken.id)[0].attempts == attempt - 1  # not yet
        engine.advance_clock(timedelta(seconds=3))
        assert rows(engine, instance_id=broken.id)[0].attempts == attempt
    engine.advance_clock(BACKOFF[-1] + timedelta(seconds=1))  # the last attempt
    instance = engine.runtime.instance(broken.id)
    assert instance.status == "incident" and instance.incident_element == "call"
    (timer,) = rows(engine, instance_id=broken.id)
    assert (timer.status, timer.attempts) == ("fired", MAX_ATTEMPTS)
    assert registry.calls == MAX_ATTEMPTS

    registry.broken = False
    engine.runtime.retry(broken.id, actor="coord")
    assert open_elements(engine, broken.id) == ["after"]


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LJUBLJANA).astimezone(UTC)


def test_reminders_come_on_the_expected_days_then_one_escalation_task(engine):
    """The permitted stay granted 2 March ends 31 May (Sunday): act by Friday 29 May."""
    engine.repository.deploy(PROCESSES)
    instance = engine.runtime.start("reflection_period", "SI-REMIND-1", actor="coord")
    engine.tasks.complete(instance.open_tasks[0].id, "officer", {
        "stay_decision": "granted", "stay_decision_date": "2026-03-02",
        "victim_category": "trafficking", "informed_of_permit": True, "interpreter_provided": True})
    (deadline,) = engine.deadlines.deadlines(instance_id=instance.id, kind="reflection_end")
    assert deadline.latest_safe_day == date(2026, 5, 29)

    sent: dict[date, list[tuple[str, str]]] = {}
    day = date(2026, 3, 3)
    while day <= date(2026, 6, 5):
        before = {n.id for n in engine.deadlines.notifications(instance_id=instance.id)}
        engine.set_clock(local(day, 23, 59))
        new = [n for n in engine.deadlines.notifications(instance_id=instance.id)
               if n.id not in before and n.source != "procedure"]
        if new:
            sent[day] = sorted((n.source, n.role) for n in new)
        day += timedelta(days=1)

    both = ["coordinator", "legal_adviser"]
    expected = {date(2026, 5, 29) - timedelta(days=d): [("reminder", r) for r in both]
                for d in (30, 14, 7, 3, 1)}
    expected[date(2026, 5, 30)] = [("escalation", r) for r in both]
    assert sent == expected
    escalations = engine.tasks.tasks(role="coordinator")
    escalation = [t for t in escalations if t.element_id == "resolve_escalation"]
    assert len(escalation) == 1 and escalation[0].case_code == "SI-REMIND-1"
    assert {t.status for t in rows(engine, deadline_id=deadline.id)} == {"fired"}


def test_meeting_a_deadline_cancels_its_reminders(engine):
    engine.repository.deploy(PROCESSES)
    instance = engine.runtime.start("reflection_period", "SI-REMIND-2", actor="coord")
    engine.tasks.complete(instance.open_tasks[0].id, "officer", {
        "stay_decision": "granted", "stay_decision_date": "2026-03-02",
        "victim_category": "trafficking", "informed_of_permit": True, "interpreter_provided": True})
    (decision,) = [t for t in engine.runtime.instance(instance.id).open_tasks
                   if t.element_id == "record_decision"]
    engine.tasks.complete(decision.id, "coord", {"decision": "cooperate",
                                                 "decision_date": "2026-03-02"})
    (deadline,) = engine.deadlines.deadlines(instance_id=instance.id, kind="reflection_end")
    assert deadline.status == "met"
    assert {t.status for t in rows(engine, deadline_id=deadline.id)} == {"cancelled"}
    engine.set_clock(datetime(2026, 6, 10, tzinfo=UTC))
    assert engine.deadlines.notifications(instance_id=instance.id, source="reminder") == []


def test_a_deadline_moved_or_met_in_the_step_that_opened_it_keeps_no_stray_reminder(engine):
    """One step may open a deadline and move it, or open and meet it: the reminders it
    planned first are cancelled with the rest, though they were never written alone."""
    engine.repository.deploy(PROCESSES)
    instance = engine.runtime.start("reflection_period", "SI-REMIND-3", actor="coord")
    opened = SetDeadline("reflection_end", "x", date(2026, 6, 1), "coordinator",
                         "Reflection ends", "record_decision")
    moved = replace(opened, legal_date=date(2026, 7, 1))
    met = MeetDeadline("reflection_end", "y", date(2026, 3, 5), "record_decision")
    with engine.db.transaction() as session, session.no_autoflush:  # as a save runs them
        row = session.get(ProcessInstance, instance.id)
        apply_effects(engine.ctx, session, row, [opened, moved], "coord")
        apply_effects(engine.ctx, session, row, [replace(opened, ref="y"), met], "coord")
    by_ref = {d.ref: d for d in engine.deadlines.deadlines(instance_id=instance.id,
                                                           kind="reflection_end")}
    planned = [t for t in rows(engine, deadline_id=by_ref["x"].id) if t.status == "pending"]
    assert len(planned) == len(engine.jurisdiction.reminder_offsets) + 1  # one set only
    assert max(t.due_at for t in planned).date() == date(2026, 7, 2)  # escalation: day after
    assert by_ref["y"].status == "met"
    assert {t.status for t in rows(engine, deadline_id=by_ref["y"].id)} == {"cancelled"}
