"""Steps the procedure tests share: find an open task, complete it, see a form refuse."""

from __future__ import annotations

from collections.abc import Callable
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


def procedure_notices(engine: ProcessEngine, **filters: Any) -> list[Any]:
    """The notices the diagram's own handlers sent, without the deadline reminders."""
    return engine.deadlines.notifications(source="procedure", **filters)
