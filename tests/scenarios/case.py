"""A case driven through the procedures as the actors would, with the manual clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine import ProcessEngine
from engine.views import DeadlineView, InstanceView, TaskView
from forms import examples

LJUBLJANA = ZoneInfo("Europe/Ljubljana")


class Case:
    """One person's top-level instance; every step names the task and who does it."""

    def __init__(self, engine: ProcessEngine, instance: InstanceView) -> None:
        self.engine = engine
        self.id = instance.id
        self.code = instance.case_code

    @classmethod
    def open(cls, engine: ProcessEngine, code: str, process: str = "victim_protection",
             data: dict[str, Any] | None = None) -> Case:
        return cls(engine, engine.runtime.start(process, code, data=data, actor="coordinator"))

    @property
    def instance(self) -> InstanceView:
        return self.engine.runtime.instance(self.id)

    def open_elements(self) -> list[str]:
        return sorted(t.element_id for t in self.instance.open_tasks)

    def task(self, element_id: str) -> TaskView:
        matching = [t for t in self.instance.open_tasks if t.element_id == element_id]
        assert matching, f"{element_id} is not open; open: {self.open_elements()}"
        return matching[0]

    def complete(self, element_id: str, user: str, data: dict[str, Any],
                 role: str | None = None) -> TaskView:
        task = self.task(element_id)
        if role is not None:
            assert task.role == role, (element_id, task.role)
        assert task.documentation and len(task.documentation.split()) >= 10
        return self.engine.tasks.complete(task.id, user, data)

    def deadline(self, kind: str, ref: str = "") -> DeadlineView:
        found = [d for d in self.engine.deadlines.deadlines(case_code=self.code)
                 if d.kind == kind and d.ref == ref]
        assert found, f"no {kind} deadline; have {[d.kind for d in self.deadlines()]}"
        return found[0]

    def deadlines(self) -> list[DeadlineView]:
        return self.engine.deadlines.deadlines(case_code=self.code)

    def at(self, day: str, hour: int = 9) -> None:
        """Move the clock to ``day`` at ``hour`` local time, firing what came due."""
        local = datetime.fromisoformat(day).replace(hour=hour, tzinfo=LJUBLJANA)
        self.engine.set_clock(local.astimezone(UTC))


STAY_GRANTED = {"stay_decision": "granted", "stay_decision_date": "2026-03-02",
                "victim_category": "trafficking", "informed_of_permit": True,
                "interpreter_provided": True}


def identified(engine: ProcessEngine, code: str, *, stay_granted: bool = False) -> Case:
    """A case opened, identified as a victim on 2 March 2026 and, if asked, with her
    permitted stay granted that day: the reflection period then ends on Sunday 31 May,
    so its latest safe day is Friday 29 May."""
    case = Case.open(engine, code)
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT)
    case.complete("formal_identification", "coord", examples.FORMAL)
    if stay_granted:
        case.complete("grant_permitted_stay", "officer", STAY_GRANTED)
    return case
