"""Two people complete the same task at the same moment: one wins, the other is told.

The completion sets a legal deadline (the end of the reflection period), a projection
with a unique key per instance: the loser must lose at the instance's revision check,
as a Conflict, and never trip over the winner's deadline row.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import func, select

from engine.errors import Conflict
from engine.store.models import AuditEvent, LegalDeadline
from tests.conftest import PROCESSES
from tests.races import race

ROUNDS = 25
GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-01",
         "victim_category": "trafficking", "informed_of_permit": True, "interpreter_provided": True}


def counted(engine, model, **where: Any) -> int:
    with engine.db.reading() as session:
        return session.scalar(select(func.count()).select_from(model).filter_by(**where)) or 0


def test_the_loser_of_two_simultaneous_completes_gets_a_conflict(make_engine):
    first, second = make_engine(), make_engine()  # two servers on one database
    first.repository.deploy(PROCESSES)
    for number in range(ROUNDS):
        instance = first.runtime.start("reflection_period", f"SI-RACE-{number:04d}",
                                       actor="coordinator")
        (task,) = instance.open_tasks
        outcomes = race(partial(first.tasks.complete, task.id, "police", GRANT),
                        partial(second.tasks.complete, task.id, "police-2", GRANT))
        won = [o for o in outcomes if not isinstance(o, Exception)]
        lost = [o for o in outcomes if isinstance(o, Exception)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        assert isinstance(lost[0], Conflict), repr(lost[0])
        assert lost[0].message == f"task {task.id} is already completed"
        # Only the winner's work is there, once.
        assert first.runtime.instance(instance.id).revision == instance.revision + 1
        assert counted(first, AuditEvent, instance_id=instance.id,
                       event_type="task_completed") == 1
        assert counted(first, LegalDeadline, instance_id=instance.id,
                       kind="reflection_end") == 1
        (completed,) = first.tasks.tasks(instance_id=instance.id, status="completed")
        assert completed.completed_by == won[0].completed_by
