"""TimerService: fire what is due, exactly once, oldest first, from the timer table.

The timer table is the source of truth; the scheduler (:mod:`engine.jobs.scheduler`) only
decides *when* to call :meth:`TimerService.fire_due`. One batch is one transaction:

1. claim up to ``batch_size`` instances with the oldest due timers, locking their rows
   (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers each take
   different instances; on SQLite every transaction begins IMMEDIATE, one at a time);
2. for each, advance its workflow with the engine clock (BPMN timers) and send the
   reminders or start the escalations of its deadlines;
3. mark the rows fired and save state, projections and audit events, flushed together
   (each table's rows in one statement); commit.

A worker that dies between 1 and 3 leaves nothing behind: the transaction rolls back, the
locks go with its connection, and the next sweep fires the same timers once. A handler
that raises is found before its instance writes anything: the attempt is counted and
retried with backoff while the rest of the batch fires; after ``max_attempts`` it is
written down as an incident so that it stops blocking nobody but itself. Anything else
that fails rolls the batch back, and its instances are fired again one per transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select

from engine.bpmn.execution import run_guarded, scan
from engine.context import EngineContext
from engine.errors import BadRequest
from engine.obligations import reminders
from engine.store.instances import (
    COMPLETED,
    INCIDENT,
    SUSPENDED,
    InstanceStore,
    keep_for_save,
    lost_race_is_a_conflict,
    write_instances,
)
from engine.store.models import (
    LegalDeadline,
    NotificationEmail,
    ProcessInstance,
    SchedulerWorker,
    Timer,
)
from engine.store.timer_states import (
    BPMN_TIMER,
    CANCELLED,
    FAILED,
    FIRED,
    PENDING,
    TIMER_STATUSES,
)
from engine.store.unit_of_work import UnitOfWork
from engine.views import TimerRowView

log = logging.getLogger("varnapot.timers")

BACKOFF = (timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=5),
           timedelta(minutes=30))
"""Wait after the 1st, 2nd, 3rd and later failed attempts (engine clock)."""
MAX_ATTEMPTS = 5
BATCH_SIZE = 32
"""Instances fired per transaction while due timers wait (see ``fire_due``)."""


class TimerFailure(Exception):
    """A firing that failed before its instance wrote anything: count it, try later."""


@dataclass(frozen=True)
class Firing:
    """One timer row that fired, and how late (engine clock) it was."""

    timer_id: int
    instance_id: int
    kind: str
    element_id: str | None
    due_at: datetime
    fired_at: datetime

    @property
    def lateness(self) -> timedelta:
        return self.fired_at - self.due_at


@dataclass(frozen=True)
class Backlog:
    """What waits for a worker now, for an operator's alert: a growing backlog means the
    workers are down or cannot keep up, and deadlines' reminders go out late."""

    timers_due: int
    """Pending timers, reminders and escalations whose moment has passed."""
    oldest_due_seconds: float
    """How long the oldest of them has waited (engine clock); 0 when none waits."""
    emails_due: int
    """Messages of the outbox due to be sent."""


class TimerService:
    def __init__(self, ctx: EngineContext, store: InstanceStore,
                 start_escalation: reminders.StartEscalation) -> None:
        self.ctx = ctx
        self.store = store
        self.start_escalation = start_escalation
        self.max_attempts = MAX_ATTEMPTS
        self.batch_size = BATCH_SIZE

    # --- firing ------------------------------------------------------------------------

    def fire_due(self, *, worker: str = "timer", limit: int | None = None) -> list[Firing]:
        """Fire every timer due now, oldest first, up to ``limit`` instances.

        Instances are claimed ``batch_size`` at a time and fired in one transaction:
        while a backlog drains, the claim, the commit and each table's writes are shared
        by the batch instead of paid per instance. An instance whose handler fails counts
        an attempt while the others fire.
        """
        fired: list[Firing] = []
        claimed = 0
        while limit is None or claimed < limit:
            now = self.ctx.now()
            size = self.batch_size if limit is None else min(self.batch_size, limit - claimed)
            batch: list[int] = []
            try:
                with self.ctx.db.transaction() as session:
                    rows = self._claim(session, now, size)
                    batch = [row.id for row in rows]
                    firings = self._fire_batch(session, rows, now, worker)
            except Exception as exc:  # noqa: BLE001 - any failure is retried, never lost
                if not batch:
                    raise
                firings = self._fire_one_by_one(batch, now, worker, exc)
            if not batch:
                break
            claimed += len(batch)
            fired.extend(firings)
        for firing in fired:
            log.info("timer %s (%s %s) of instance %s fired %.3f s late", firing.timer_id,
                     firing.kind, firing.element_id, firing.instance_id,
                     firing.lateness.total_seconds())
        return fired

    def _fire_batch(self, session: UnitOfWork, rows: list[ProcessInstance], now: datetime,
                    worker: str) -> list[Firing]:
        """Fire the claimed instances and flush their writes together."""
        due = self._pending(session, [row.id for row in rows], now)
        if len(rows) > 1:
            self.store.prefetch_tasks(session, [row.id for row in rows])
            self.ctx.vault.prefetch(session, [row.case_code for row in rows])
        fired: list[Firing] = []
        for row in rows:
            try:
                firings = self._fire_instance(session, row, due.get(row.id, []), now, worker)
            except TimerFailure as exc:
                log.warning("timers of instance %s failed: %s", row.id, _message(exc))
                self._note_failure(session, row.id, now, exc)
            else:
                fired.extend(firings)
        with lost_race_is_a_conflict():
            write_instances(session, rows)
            session.flush()
        return fired

    def _claim(self, session: UnitOfWork, now: datetime, size: int) -> list[ProcessInstance]:
        """Lock the ``size`` instances with the oldest due timers that no one else holds.

        The timer index (status, next_attempt_at) is walked from the oldest due row and
        rows whose instance another worker has locked are skipped: instances come in the
        order of their oldest due time, ties to the lower id, without grouping every due
        row for every claim. Due means strictly before ``now``, as SpiffWorkflow's timer
        events compare; BPMN timers of a suspended instance wait for its resume.
        """
        rows = session.scalars(
            select(ProcessInstance)
            .join(Timer, Timer.instance_id == ProcessInstance.id)
            .where(Timer.status == PENDING, Timer.next_attempt_at < now,
                   or_(Timer.kind != BPMN_TIMER, ProcessInstance.status != SUSPENDED))
            .order_by(Timer.next_attempt_at, Timer.instance_id).limit(size)
            .with_for_update(of=ProcessInstance, skip_locked=True))
        return list(dict.fromkeys(rows))  # an instance with several due timers comes once

    @staticmethod
    def _pending(session: UnitOfWork, instance_ids: list[int], now: datetime
                 ) -> dict[int, list[Timer]]:
        """The pending rows due before ``now`` of each instance, oldest first.

        One query reads every pending row of the instances: those not due yet are the
        BPMN timers the save compares with what Spiff waits on, handed to it here so
        that it does not read them again.
        """
        due: dict[int, list[Timer]] = {instance_id: [] for instance_id in instance_ids}
        waiting: dict[int, list[Timer]] = {instance_id: [] for instance_id in instance_ids}
        if instance_ids:
            for timer in session.scalars(
                    select(Timer).where(Timer.instance_id.in_(instance_ids),
                                        Timer.status == PENDING)
                    .order_by(Timer.next_attempt_at, Timer.id)):
                if timer.next_attempt_at < now:
                    due[timer.instance_id].append(timer)
                if timer.kind == BPMN_TIMER:
                    waiting[timer.instance_id].append(timer)
        for instance_id, rows in waiting.items():
            keep_for_save(session, instance_id, Timer, rows)
        return due

    def _fire_one_by_one(self, batch: list[int], now: datetime, worker: str,
                         exc: Exception) -> list[Firing]:
        """After a batch failed as a whole (at its commit, say): one transaction each.

        Each is claimed again, so one that another worker took meanwhile is skipped,
        and a failure is counted on the instance that fails alone.
        """
        if len(batch) == 1:
            self._record_failure(batch[0], now, exc)
            return []
        log.warning("a batch of %s instances failed, firing them one by one: %s",
                    len(batch), _message(exc))
        fired: list[Firing] = []
        for instance_id in batch:
            try:
                with self.ctx.db.transaction() as session:
                    row = session.scalar(
                        select(ProcessInstance).where(ProcessInstance.id == instance_id)
                        .with_for_update(skip_locked=True))
                    if row is None:
                        continue  # another worker holds it now and fires what is due
                    due = self._pending(session, [instance_id], now)[instance_id]
                    firings = self._fire_instance(session, row, due, now, worker)
            except Exception as error:  # noqa: BLE001 - counted and retried
                self._record_failure(instance_id, now, error)
            else:
                fired.extend(firings)  # only once committed
        return fired

    def _fire_instance(self, session: UnitOfWork, row: ProcessInstance, due: list[Timer],
                       now: datetime, worker: str) -> list[Firing]:
        fired: list[Firing] = []
        for timer in (t for t in due if t.kind != BPMN_TIMER):
            # Each in a savepoint: a reminder that fails must not hold back the others,
            # nor the instance's own timers.
            try:
                with session.savepoint():
                    if self._fire_deadline_timer(session, timer, now, worker):
                        fired.append(_firing(timer, now))
            except Exception as exc:  # noqa: BLE001 - counted and retried
                self._count_failure(session, timer, now, exc)
        bpmn = [t for t in due if t.kind == BPMN_TIMER and row.status != SUSPENDED]
        if bpmn:
            fired.extend(self._advance(session, row, bpmn, now, worker))
        return fired

    def _fire_deadline_timer(self, session: UnitOfWork, timer: Timer, now: datetime,
                             worker: str) -> bool:
        deadline = session.get(LegalDeadline, timer.deadline_id)
        if deadline is None or deadline.status != "open":
            timer.status = CANCELLED  # met or cancelled in a unit that did not cancel it
            return False
        reminders.fire(self.ctx, session, timer, deadline, self.start_escalation, worker)
        timer.status, timer.fired_at, timer.fired_by = FIRED, now, worker
        return True

    def _advance(self, session: UnitOfWork, row: ProcessInstance, due: list[Timer],
                 now: datetime, worker: str) -> list[Firing]:
        """Run the workflow so Spiff fires its due timers; save; check each row fired."""
        workflow = self.store.load(session, row)
        had_incident = row.status == INCIDENT
        step_log = self.store.run(workflow, lambda wf, log: run_guarded(wf, None, log))
        scanned = scan(workflow)
        incidents = scanned.incidents
        last_try = max(t.attempts for t in due) + 1 >= self.max_attempts
        if incidents and not had_incident and not last_try:
            raise TimerFailure(f"{incidents[0].element_id}: {incidents[0].message}")
        self.store.save(session, row, workflow, worker, step_log, flush=False,
                        scanned=scanned)
        fired = []
        for timer in due:
            if timer.status == FIRED:
                if incidents and not had_incident:
                    timer.attempts += 1
                    timer.last_error = f"{incidents[0].element_id}: {incidents[0].message}"
                timer.fired_by = worker
                fired.append(_firing(timer, now))
            elif timer.status == PENDING and timer.next_attempt_at < now:
                # Not a TimerFailure: the instance has written, so the batch must go back.
                raise RuntimeError(f"the workflow did not fire timer {timer.element_id} "
                                   f"due at {timer.due_at.isoformat()}")
        return fired

    def _record_failure(self, instance_id: int, now: datetime, exc: Exception) -> None:
        """Count the failure of an instance whose transaction was rolled back."""
        log.warning("timers of instance %s failed: %s", instance_id, _message(exc))
        with self.ctx.db.transaction() as session:
            self._note_failure(session, instance_id, now, exc)

    def _note_failure(self, session: UnitOfWork, instance_id: int, now: datetime,
                      exc: Exception) -> None:
        """Count a failed unit on every due timer of the instance it rolled back.

        Each then waits its backoff, so the next claim moves on to other instances.
        After the last attempt of a BPMN timer the instance shows an incident, which
        ``retry`` clears.
        """
        due = list(session.scalars(select(Timer).where(
            Timer.instance_id == instance_id, Timer.status == PENDING,
            Timer.next_attempt_at < now)))
        for timer in due:
            self._count_failure(session, timer, now, exc)
        failed = [t for t in due if t.status == FAILED and t.kind == BPMN_TIMER]
        row = session.get(ProcessInstance, instance_id)
        if failed and row is not None and row.status not in (COMPLETED, "cancelled"):
            row.status = INCIDENT
            row.incident_element = failed[0].element_id or f"timer {failed[0].id}"
            row.incident_message = (f"timer failed {failed[0].attempts} times: "
                                    f"{_message(exc)[:1000]}")

    def _count_failure(self, session: UnitOfWork, timer: Timer, now: datetime,
                       exc: Exception) -> None:
        """One more failed attempt: wait longer each time, give up after the last."""
        message = _message(exc)
        timer.attempts += 1
        timer.last_error = message[:2000]
        if timer.attempts >= self.max_attempts:
            timer.status = FAILED
        else:
            timer.next_attempt_at = now + BACKOFF[min(timer.attempts, len(BACKOFF)) - 1]
        log.warning("timer %s (%s) of instance %s failed, attempt %s: %s", timer.id,
                    timer.kind, timer.instance_id, timer.attempts, message)
        session.audit("timer_failed", "timer", instance_id=timer.instance_id,
                       element_id=timer.element_id,
                       detail=f"{timer.kind} attempt {timer.attempts}: {message[:500]}")

    # --- reading -----------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        """When the earliest pending timer is due (it may be in the past)."""
        with self.ctx.db.reading() as session:
            return session.scalar(select(func.min(Timer.next_attempt_at))
                                  .where(Timer.status == PENDING))

    def timers(self, *, due_within: timedelta | None = None, status: str | None = PENDING,
               instance_id: int | None = None) -> list[TimerRowView]:
        if status is not None and status not in TIMER_STATUSES:
            raise BadRequest(f"unknown timer status {status!r}; use one of "
                             f"{', '.join(TIMER_STATUSES)}")
        query = select(Timer, ProcessInstance.case_code).join(
            ProcessInstance, ProcessInstance.id == Timer.instance_id)
        if status is not None:
            query = query.where(Timer.status == status)
        if instance_id is not None:
            query = query.where(Timer.instance_id == instance_id)
        if due_within is not None:
            query = query.where(Timer.next_attempt_at <= self.ctx.now() + due_within)
        query = query.order_by(Timer.next_attempt_at, Timer.id)
        with self.ctx.db.reading() as session:
            return [TimerRowView(
                id=t.id, instance_id=t.instance_id, case_code=code, kind=t.kind,
                element_id=t.element_id, deadline_id=t.deadline_id, offset_days=t.offset_days,
                due_at=t.due_at, next_attempt_at=t.next_attempt_at, status=t.status,
                attempts=t.attempts, last_error=t.last_error, fired_at=t.fired_at,
                fired_by=t.fired_by) for t, code in session.execute(query)]

    def backlog(self) -> Backlog:
        """Two indexed reads: the due timers (status, next attempt) and the due e-mails."""
        now = self.ctx.clock.now()
        with self.ctx.db.reading() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(Timer.next_attempt_at))
                .where(Timer.status == PENDING, Timer.next_attempt_at <= now)).one()
            emails = session.scalar(
                select(func.count()).select_from(NotificationEmail)
                .where(NotificationEmail.status == "pending",
                       NotificationEmail.next_attempt_at <= now))
        waited = (now - oldest).total_seconds() if oldest is not None else 0.0
        return Backlog(count, max(waited, 0.0), emails or 0)

    # --- workers -----------------------------------------------------------------------

    def record_sweep(self, worker: str, started_at: datetime, fired: int) -> None:
        """The worker's heartbeat: when it last swept (wall-clock time) and how much fired."""
        with self.ctx.db.transaction() as session:
            row = session.get(SchedulerWorker, worker)
            if row is None:
                row = SchedulerWorker(name=worker, started_at=started_at, fired_total=0)
                session.add(row)
            row.last_sweep_at = datetime.now(UTC)
            row.fired_total = (row.fired_total or 0) + fired

    def last_sweep(self) -> datetime | None:
        with self.ctx.db.reading() as session:
            return session.scalar(select(func.max(SchedulerWorker.last_sweep_at)))


def _message(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _firing(timer: Timer, now: datetime) -> Firing:
    """``now`` is when the batch began; the row knows when its own instance was saved."""
    return Firing(timer.id, timer.instance_id, timer.kind, timer.element_id, timer.due_at,
                  timer.fired_at or now)


__all__ = ["BACKOFF", "MAX_ATTEMPTS", "Firing", "TimerService"]
