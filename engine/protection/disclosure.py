"""Reads of a case's data on a person's behalf: what her roles need to know, logged.

The runtime reads an instance whole, for the engine's own work. What a person is shown
goes through here: the variables her roles may not read are left out (engine.protection.privacy),
and a read that shows any personal data, or a refusal, is written to the access log
(engine.protection.access).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import select

from engine.context import EngineContext
from engine.protection.access import GRANTED, REFUSED, AccessLog, Reader
from engine.protection.privacy import KINDS, NARRATIVE, VariableKinds, readable
from engine.services.history import HistoryService
from engine.services.runtime import RuntimeService
from engine.store.models import ProcessInstance
from engine.views import EventView, InstanceView


class DisclosureService:
    def __init__(self, ctx: EngineContext, runtime: RuntimeService, history: HistoryService,
                 access: AccessLog, kinds: VariableKinds) -> None:
        self.ctx = ctx
        self.runtime = runtime
        self.history_service = history
        self.access = access
        self.kinds = kinds

    def instance(self, reader: Reader, instance_id: int, what: str, *,
                 whole: bool = False) -> InstanceView:
        """The instance with the variables ``reader`` may see; her read is logged.

        ``whole`` is for the operator at the server's command line, who holds the master
        key anyway: everything is shown, and logged as shown.
        """
        view = self.runtime.instance(instance_id)
        allowed = frozenset(KINDS) if whole else readable(reader.roles)
        shown, personal = self.kinds.shown(view.variables, allowed)
        if personal:
            self.access.record(reader, view.case_code, personal, what, GRANTED)
        return dataclasses.replace(view, variables=shown)

    def task(self, reader: Reader, task_id: int, what: str, *,
             only: Iterable[str] | None = None) -> InstanceView:
        """The task's instance with the data that task sees, as far as ``reader`` may
        read it; her read is logged. ``only`` names the variables a page shows when it
        needs a few: the rest is neither shown nor logged as read."""
        view = self.runtime.task_instance(task_id)
        wanted = None if only is None else frozenset(only)
        variables = view.variables if wanted is None else {
            k: v for k, v in view.variables.items() if k in wanted}
        shown, personal = self.kinds.shown(variables, readable(reader.roles))
        if personal:
            self.access.record(reader, view.case_code, personal, what, GRANTED)
        return dataclasses.replace(view, variables=shown)

    def history(self, reader: Reader, instance_id: int, what: str,
                limit: int = 1000, *, reasons: bool = True) -> list[EventView]:
        """The instance's history; the typed reasons only for the roles that read
        narratives, and a read of them is logged. ``reasons=False`` for a page that
        does not show them: then they are not read."""
        reveal = reasons and NARRATIVE in readable(reader.roles)
        events = self.history_service.events(instance_id=instance_id, reveal=reveal,
                                             limit=limit)
        code = self._case_of(instance_id) if any(e.revealed for e in events) else None
        if code:
            self.access.record(reader, code, ["history reasons"], what, GRANTED)
        return events

    def refused(self, reader: Reader, what: str, *, case_code: str | None = None,
                instance_id: int | None = None) -> None:
        """Log a refused read of a case, named by its code or by one of its instances."""
        if case_code is None and instance_id is not None:
            case_code = self._case_of(instance_id)
        if case_code:
            self.access.record(reader, case_code, [], what, REFUSED)

    def _case_of(self, instance_id: int) -> str | None:
        with self.ctx.db.reading() as session:
            return session.scalar(select(ProcessInstance.case_code)
                                  .where(ProcessInstance.id == instance_id))
