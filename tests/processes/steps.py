"""Steps the procedure tests share: find an open task, complete it, see a form refuse."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from engine import ProcessEngine
from engine.errors import ValidationFailed
from engine.views import TaskView
from tests.conftest import PROCESSES

ESCALATION = PROCESSES / "deadline_escalation.bpmn"
"""Deployed with any procedure that has legal deadlines: their escalations start it."""


def open_elements(engine: ProcessEngine, instance_id: int) -> list[str]:
    """The element ids of the open tasks, in the order they opened."""
    return [t.element_id for t in engine.runtime.instance(instance_id).open_tasks]


def only_task(engine: ProcessEngine, instance_id: int, element_id: str) -> TaskView:
    tasks = engine.runtime.instance(instance_id).open_tasks
    matching = [t for t in tasks if t.element_id == element_id]
    assert matching, [t.element_id for t in tasks]
    return matching[0]


def complete(engine: ProcessEngine, instance_id: int, element_id: str, data: dict[str, Any],
             user: str = "user") -> None:
    engine.tasks.complete(only_task(engine, instance_id, element_id).id, user, data)


def rejected(engine: ProcessEngine, instance_id: int, element_id: str, data: dict[str, Any],
             field: str, submit: Callable[..., None] = complete) -> str:
    """Submit ``data``, expect a message on ``field`` and the instance left unchanged."""
    before = engine.runtime.instance(instance_id)
    with pytest.raises(ValidationFailed) as caught:
        submit(engine, instance_id, element_id, data)
    after = engine.runtime.instance(instance_id)
    assert (after.revision, after.variables) == (before.revision, before.variables)
    assert field in caught.value.fields, caught.value.fields
    return " ".join(caught.value.fields[field])


def at(engine: ProcessEngine, day: str, hour_utc: int = 9) -> None:
    """Set the clock to ``day`` (ISO) at ``hour_utc``, firing what came due."""
    engine.set_clock(datetime.fromisoformat(day).replace(hour=hour_utc, tzinfo=UTC))


def procedure_notices(engine: ProcessEngine, **filters: Any) -> list[Any]:
    """The notices the diagram's own handlers sent, without the deadline reminders."""
    return engine.deadlines.notifications(source="procedure", **filters)


def notices(engine: ProcessEngine, instance_id: int) -> list[tuple[str, str]]:
    """(role, subject) of the procedure's own notices to an instance."""
    return [(n.role, n.subject) for n in procedure_notices(engine, instance_id=instance_id)]


class DatedSteps:
    """Each step is done on its own day: the clock moves there before it is submitted.

    A form refuses a date in the future, so a procedure walked step by step needs the
    clock on (or after) the day each step records.
    """

    HOUR_UTC = 9
    """Mid-morning in Ljubljana, summer or winter: the day is the same locally."""

    def __init__(self, step_days: Mapping[str, str]) -> None:
        self.step_days = step_days

    def on(self, engine: ProcessEngine, day: str) -> None:
        """Move the clock to ``day`` (ISO); never backwards."""
        moment = datetime.fromisoformat(day).replace(hour=self.HOUR_UTC, tzinfo=UTC)
        if moment > engine.clock.now():
            engine.set_clock(moment)

    def _to_step_day(self, engine: ProcessEngine, element_id: str) -> None:
        if element_id in self.step_days:
            self.on(engine, self.step_days[element_id])

    def complete(self, engine: ProcessEngine, instance_id: int, element_id: str,
                 data: dict[str, Any], user: str = "user") -> None:
        self._to_step_day(engine, element_id)
        complete(engine, instance_id, element_id, data, user)

    def rejected(self, engine: ProcessEngine, instance_id: int, element_id: str,
                 data: dict[str, Any], field: str) -> str:
        """The clock moves to the step's day before the instance is compared."""
        self._to_step_day(engine, element_id)
        return rejected(engine, instance_id, element_id, data, field)
