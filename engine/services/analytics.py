"""How a procedure performs, step by step: for analysts who improve the diagrams and
coordinators who staff the steps. Only counts and durations: no case, no person.

For one procedure (one version, or all), in a period and a jurisdiction:

- each user task's element: how many were completed and how long they took (median and
  90th percentile, from the task being opened to its completion), how many wait now and
  for how long;
- legal deadlines: met, met late, or missed and not met, each counted at its step: the
  step that met it, else the task that was due by it, else the step that opened it;
- the same by month, for charts over time.

A task counts in the period it was opened in; a deadline in the period of its legal
date. An instance's jurisdiction is that of its legal deadlines (each records the one
it was computed under), else the deployment's.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select

from engine.context import EngineContext
from engine.errors import NotFound
from engine.obligations.deadlines import MET, MET_LATE, MISSED, deadline_outcome
from engine.store.models import HumanTask, LegalDeadline, ProcessDefinition, ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import DeadlineOutcomes, MonthStats, ProcedureStatsView, StepStats


class AnalyticsService:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def procedure(self, key: str, *, version: int | None = None, since: date | None = None,
                  until: date | None = None,
                  jurisdiction: str | None = None) -> ProcedureStatsView:
        """The figures of ``key`` (``version``, or every version) for tasks opened and
        deadlines falling from ``since`` to ``until`` (both included)."""
        with self.ctx.db.reading() as session:
            definitions = self._definitions(session, key, version)
            place = jurisdiction or self.ctx.jurisdiction.code
            tasks = self._tasks(session, definitions, since, until, place)
            deadlines = self._deadlines(session, definitions, since, until, place)
            now = self.ctx.now()
            due_by = {(t.instance_id, t.legal_date): t.element_id for t in tasks
                      if t.legal_date is not None}
            outcomes = [(deadline_outcome(d.status, d.met_on), _step_of(d, due_by), d.legal_date)
                        for d in deadlines]
            return self._stats(key, version, since, until, place, tasks, outcomes, now)

    @staticmethod
    def _stats(key: str, version: int | None, since: date | None, until: date | None,
               place: str, tasks: list[HumanTask], outcomes: list[tuple[str, str, date]],
               now: datetime) -> ProcedureStatsView:
        return ProcedureStatsView(
            key=key, version=version, since=since, until=until, jurisdiction=place,
            steps=_steps(tasks, outcomes, now),
            months=_months(tasks, outcomes),
            deadlines=_count(outcome for outcome, _, _ in outcomes),
        )

    def _definitions(self, session: UnitOfWork, key: str, version: int | None) -> list[int]:
        query = select(ProcessDefinition.id).where(ProcessDefinition.key == key)
        if version is not None:
            query = query.where(ProcessDefinition.version == version)
        found = list(session.scalars(query))
        if not found:
            raise NotFound(f"process definition {key!r} has no version {version}"
                           if version is not None else
                           f"process definition {key!r} does not exist")
        return found

    def _tasks(self, session: UnitOfWork, definitions: list[int], since: date | None,
               until: date | None, place: str) -> list[HumanTask]:
        conditions = [ProcessInstance.definition_id.in_(definitions),
                      _in_jurisdiction(HumanTask.instance_id, place,
                                       self.ctx.jurisdiction.code)]
        if since is not None:
            conditions.append(HumanTask.created_at >= self._start_of(since))
        if until is not None:
            conditions.append(HumanTask.created_at < self._start_of(until + timedelta(1)))
        return list(session.scalars(
            select(HumanTask).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(*conditions).order_by(HumanTask.id)))

    def _deadlines(self, session: UnitOfWork, definitions: list[int], since: date | None,
                   until: date | None, place: str) -> list[LegalDeadline]:
        passed = and_(LegalDeadline.status == "open",
                      LegalDeadline.legal_date < self.ctx.today())  # missed, whoever looks
        conditions = [ProcessInstance.definition_id.in_(definitions),
                      LegalDeadline.jurisdiction == place,
                      or_(LegalDeadline.status.in_((MET, MISSED)), passed)]
        if since is not None:
            conditions.append(LegalDeadline.legal_date >= since)
        if until is not None:
            conditions.append(LegalDeadline.legal_date <= until)
        return list(session.scalars(
            select(LegalDeadline)
            .join(ProcessInstance, ProcessInstance.id == LegalDeadline.instance_id)
            .where(*conditions).order_by(LegalDeadline.id)))

    def _start_of(self, day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), self.ctx.timezone)


def _in_jurisdiction(instance_id: ColumnElement[int], place: str,
                     deployed: str) -> ColumnElement[bool]:
    """The instance's deadlines were computed in ``place``; with none, it is the
    deployment's."""
    elsewhere = exists().where(LegalDeadline.instance_id == instance_id,
                               LegalDeadline.jurisdiction != place)
    here = exists().where(LegalDeadline.instance_id == instance_id,
                          LegalDeadline.jurisdiction == place)
    return ~elsewhere if place == deployed else and_(here, ~elsewhere)


def _step_of(deadline: LegalDeadline, due_by: dict[tuple[int, date], str]) -> str:
    return (deadline.met_by_element
            or due_by.get((deadline.instance_id, deadline.legal_date))
            or deadline.opened_by_element)


def _hours(tasks: Iterable[tuple[datetime, datetime]]) -> list[float]:
    return [(end - start).total_seconds() / 3600 for start, end in tasks]


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=10, method="inclusive")[-1], 1)


def _count(outcomes: Iterable[str]) -> DeadlineOutcomes:
    found = defaultdict(int)
    for outcome in outcomes:
        found[outcome] += 1
    return DeadlineOutcomes(met=found[MET], met_late=found[MET_LATE], missed=found[MISSED])


def _steps(tasks: list[HumanTask], outcomes: list[tuple[str, str, date]],
           now: datetime) -> list[StepStats]:
    by_element: dict[str, list[HumanTask]] = defaultdict(list)
    for task in tasks:
        by_element[task.element_id].append(task)
    at_step: dict[str, list[str]] = defaultdict(list)
    for outcome, step, _ in outcomes:
        at_step[step].append(outcome)
    steps = []
    for element in sorted(by_element.keys() | at_step.keys()):
        rows = by_element.get(element, [])
        done = _hours((t.created_at, t.ended_at) for t in rows
                      if t.status == "completed" and t.ended_at is not None)
        waiting = _hours((t.created_at, now) for t in rows if t.status == "open")
        steps.append(StepStats(
            element_id=element, title=rows[-1].title if rows else None,
            completed=len(done), median_hours=_median(done), p90_hours=_p90(done),
            waiting=len(waiting), waiting_median_hours=_median(waiting),
            deadlines=_count(at_step.get(element, []))))
    return steps


def _months(tasks: list[HumanTask], outcomes: list[tuple[str, str, date]]) -> list[MonthStats]:
    done: dict[str, list[float]] = defaultdict(list)
    for task in tasks:
        if task.status == "completed" and task.ended_at is not None:
            done[f"{task.ended_at:%Y-%m}"].extend(_hours([(task.created_at, task.ended_at)]))
    falling: dict[str, list[str]] = defaultdict(list)
    for outcome, _, legal_date in outcomes:
        falling[f"{legal_date:%Y-%m}"].append(outcome)
    return [MonthStats(month=month, completed=len(done.get(month, [])),
                       median_hours=_median(done.get(month, [])),
                       deadlines=_count(falling.get(month, [])))
            for month in sorted(done.keys() | falling.keys())]
