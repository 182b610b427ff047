"""Read-only views the services return: plain data, safe to hand to the CLI or the web."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from engine.errors import Problem


class View:
    def to_dict(self) -> dict[str, Any]:
        return {k: _plain(v) for k, v in dataclasses.asdict(self).items()}  # type: ignore[call-overload]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclasses.dataclass(frozen=True)
class DefinitionView(View):
    id: int
    key: str
    version: int
    name: str | None
    source: str
    deployed_at: datetime
    deployed_by: str
    note: str | None
    """The change note it was published with."""


@dataclasses.dataclass(frozen=True)
class DefinitionVersionView(DefinitionView):
    """One version of a process with how many instances were started on it and still run
    (not completed or cancelled): a version still running cannot be forgotten."""

    instances: int
    running: int


@dataclasses.dataclass(frozen=True)
class ElementChange(View):
    """One element of a process that differs between two versions.

    ``change`` is added, removed or changed; ``details`` say what changed in words
    (``"lane: police -> coordinator"``). ``element_type`` is the BPMN tag without its
    namespace (``userTask``); type and name are the new version's, a removed element's
    the old one's.
    """

    element_id: str
    element_type: str
    name: str | None
    change: str
    details: list[str]


@dataclasses.dataclass(frozen=True)
class Deployed(View):
    """The outcome of deploying one process key: a new version, or the same one again."""

    key: str
    version: int
    new_version: bool
    warnings: list[Problem] = dataclasses.field(default_factory=list)
    """Settings of the process accepted and not acted on (:mod:`engine.bpmn.diagram_warnings`)."""


@dataclasses.dataclass(frozen=True)
class TaskView(View):
    id: int
    instance_id: int
    case_code: str
    process_key: str
    element_id: str
    title: str
    role: str
    form_key: str
    documentation: str | None
    due_date: date | None
    """The latest safe day of the deadline the task meets, or the procedure's own date."""
    legal_date: date | None
    """The legal date of that deadline; None when the task meets none."""
    assignee: str | None
    status: str
    created_at: datetime
    ended_at: datetime | None
    completed_by: str | None


@dataclasses.dataclass(frozen=True)
class InstanceSummaryView(View):
    """An instance as a row of the monitor's list: no variables, no state.

    ``next_due`` is the earliest due date of its open tasks; ``overdue`` says that one of
    its open tasks is past its due date or one of its open legal deadlines is past its
    latest safe day.
    """

    id: int
    process_key: str
    version: int
    case_code: str
    status: str
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    incident_message: str | None
    open_tasks: int
    next_due: date | None
    overdue: bool


@dataclasses.dataclass(frozen=True)
class TrendsView(View):
    """What a coordinator watches over time, counted in the database.

    ``open_tasks``: (role, tasks open up to a week, up to a month, longer) by role;
    ``safe_days_by_week``: open deadlines whose latest safe day falls in each of the next
    twelve weeks, this week first; ``missed_by_month``: deadlines missed, by the month of
    their legal date, over the last twelve months, the oldest first.
    """

    today: date
    open_tasks: list[tuple[str, int, int, int]]
    safe_days_by_week: list[tuple[date, int]]
    missed_by_month: list[tuple[date, int]]


@dataclasses.dataclass(frozen=True)
class StatusCount(View):
    process_key: str
    status: str
    count: int


@dataclasses.dataclass(frozen=True)
class DashboardView(View):
    """What a coordinator looks at first: where the instances are, what is late, what broke.

    The lists are capped (the most urgent first); the ``*_count`` fields count them all.
    ``deadlines`` are the open ones whose latest safe day is at most seven days away,
    those already past it included.
    """

    today: date
    counts: list[StatusCount]
    overdue_count: int
    overdue_tasks: list[TaskView]
    incident_count: int
    incidents: list[InstanceSummaryView]
    deadline_count: int
    deadlines: list[DeadlineView]


@dataclasses.dataclass(frozen=True)
class CaseSummaryView(View):
    """One person's case in the list of cases: her procedures, what is open, what is next.

    ``running`` counts the instances not completed or cancelled; ``next_safe_day`` is the
    earliest latest safe day of her open legal deadlines.
    """

    code: str
    instances: int
    running: int
    open_tasks: int
    next_safe_day: date | None
    updated_at: datetime


@dataclasses.dataclass(frozen=True)
class TimerView(View):
    element_id: str | None
    due_at: datetime
    kind: str = "bpmn"


@dataclasses.dataclass(frozen=True)
class TimerRowView(View):
    """A row of the timer table, as ``varnapot timers`` lists it."""

    id: int
    instance_id: int
    case_code: str
    kind: str
    element_id: str | None
    deadline_id: int | None
    offset_days: int | None
    due_at: datetime
    next_attempt_at: datetime
    status: str
    attempts: int
    last_error: str | None
    fired_at: datetime | None
    fired_by: str | None


@dataclasses.dataclass(frozen=True)
class InstanceView(View):
    id: int
    process_key: str
    version: int
    case_code: str
    status: str
    revision: int
    started_at: datetime
    started_by: str
    updated_at: datetime
    ended_at: datetime | None
    incident_element: str | None
    incident_message: str | None
    variables: dict[str, Any]
    open_tasks: list[TaskView]
    timers: list[TimerView]


@dataclasses.dataclass(frozen=True)
class ProcessStateView(View):
    """One process diagram of an instance as the viewer paints it.

    ``process_key`` is the ``bpmn:process`` shown; the document holding it is
    ``RepositoryService.xml(definition_key, version)`` (another key only when a called
    process is defined in its caller's file). Element ids: ``completed`` (green),
    ``active`` (blue: a task waiting for people, a timer, a called process),
    ``incidents`` (red); each element is in one list only, the most urgent. ``taken_flows``
    are the ids of the sequence flows the instance went along.
    """

    process_key: str
    definition_key: str
    version: int
    completed: list[str]
    active: list[str]
    incidents: list[str]
    taken_flows: list[str]


@dataclasses.dataclass(frozen=True)
class DiagramStateView(View):
    """Every process an instance has entered, its own first, then the processes it called
    in the order it entered them."""

    instance_id: int
    status: str
    revision: int
    processes: list[ProcessStateView]

    def process(self, key: str) -> ProcessStateView:
        found = [p for p in self.processes if p.process_key == key]
        if not found:
            raise KeyError(f"instance {self.instance_id} has not entered process {key!r}")
        return found[0]


@dataclasses.dataclass(frozen=True)
class EventView(View):
    id: int
    at: datetime
    actor: str
    event_type: str
    instance_id: int | None
    task_id: int | None
    element_id: str | None
    data_keys: list[str]
    detail: str | None
    revealed: bool = False
    """The detail is a sealed reason shown to this reader: a read of personal data."""


@dataclasses.dataclass(frozen=True)
class DeadlineView(View):
    """A legal deadline as the tracker shows it; ``days_left`` counts to the latest safe day."""

    id: int
    instance_id: int
    case_code: str
    kind: str
    ref: str
    title: str
    owner_role: str
    jurisdiction: str
    legal_date: date
    latest_safe_day: date
    status: str
    days_left: int
    met_on: date | None
    met_by_element: str | None
    cancel_reason: str | None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    unconfirmed_basis: list[str] = dataclasses.field(default_factory=list)
    """The jurisdiction's numbers this deadline is counted from that the law's text has
    not confirmed (``reflection.days``): its legal basis is still to be confirmed."""


@dataclasses.dataclass(frozen=True)
class NotificationView(View):
    id: int
    instance_id: int | None
    case_code: str | None
    role: str
    subject: str
    body: str
    element_id: str | None
    created_at: datetime
    source: str = "procedure"


@dataclasses.dataclass(frozen=True)
class InboxItem(View):
    """A notification as one user sees it in her inbox: read or not, by her."""

    id: int
    role: str
    case_code: str | None
    subject: str
    body: str
    source: str
    created_at: datetime
    read_at: datetime | None
    instance_id: int | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


@dataclasses.dataclass(frozen=True)
class UserView(View):
    username: str
    display_name: str
    email: str | None
    roles: list[str]
    active: bool
    created_at: datetime
    language: str | None = None
    """The language she picked for the pages; None: her browser's."""


@dataclasses.dataclass(frozen=True)
class EmailView(View):
    """One message of the e-mail outbox."""

    id: int
    notification_id: int
    username: str
    address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    sent_at: datetime | None


@dataclasses.dataclass(frozen=True)
class CaseView(View):
    """Everything done for one person: every procedure, the open tasks, every deadline."""

    code: str
    instances: list[InstanceSummaryView]
    open_tasks: list[TaskView]
    deadlines: list[DeadlineView]


@dataclasses.dataclass(frozen=True)
class ConsentView(View):
    """One of her answers in the consent register (engine.obligations.consents)."""

    id: int
    case_code: str
    purpose: str
    purpose_text: str
    recipient: str
    status: str
    decided_on: date
    given_by: str
    obtained: str
    interpreter_used: bool
    instance_id: int | None
    recorded_by: str
    recorded_at: datetime
    withdrawn_on: date | None
    withdrawal_recorded_by: str | None


@dataclasses.dataclass(frozen=True)
class ElementMoveView(View):
    """One element an instance is at, or passed, and where it goes in the target."""

    element_id: str
    target_id: str | None
    state: str
    """``active`` (the instance is at it) or ``passed`` (kept in its path)."""


@dataclasses.dataclass(frozen=True)
class MigrationView(View):
    """The move of one instance to another version, planned or done.

    It names elements and versions only: nothing of the case's data."""

    instance_id: int
    process_key: str
    from_version: int
    to_version: int
    moves: list[ElementMoveView]
    problems: list[Problem]
    """Why it cannot move; empty when it can (or did)."""
    set_up_again: list[str] = dataclasses.field(default_factory=list)
    """Elements the instance was at whose element changed, so they started over."""
    done: bool = False


@dataclasses.dataclass(frozen=True)
class DeadlineOutcomes(View):
    """Legal deadlines by how they ended: met in time, met after the legal date, or
    not met at all."""

    met: int
    met_late: int
    missed: int


@dataclasses.dataclass(frozen=True)
class StepStats(View):
    """One element of a procedure: its tasks' durations and its deadlines' outcomes."""

    element_id: str
    title: str | None
    completed: int
    median_hours: float | None
    p90_hours: float | None
    waiting: int
    """Tasks open at this element now."""
    waiting_median_hours: float | None
    deadlines: DeadlineOutcomes


@dataclasses.dataclass(frozen=True)
class MonthStats(View):
    month: str
    """``YYYY-MM``: tasks completed in it, deadlines whose legal date falls in it."""
    completed: int
    median_hours: float | None
    deadlines: DeadlineOutcomes


@dataclasses.dataclass(frozen=True)
class ProcedureStatsView(View):
    """How one procedure performs; only counts and durations, nothing of a case."""

    key: str
    version: int | None
    since: date | None
    until: date | None
    jurisdiction: str
    steps: list[StepStats]
    months: list[MonthStats]
    deadlines: DeadlineOutcomes


@dataclasses.dataclass(frozen=True)
class StatisticsRow(View):
    category: str
    counts: list[int | None]
    """One count per period (the quarters, then the year); None where suppressed."""


@dataclasses.dataclass(frozen=True)
class StatisticsTable(View):
    key: str
    rows: list[StatisticsRow]


@dataclasses.dataclass(frozen=True)
class StatisticsView(View):
    """The referral mechanism's anonymous counts for one year: no case, no date, no text."""

    year: int
    jurisdiction: str
    threshold: int
    """Counts from 1 to one less than this are suppressed."""
    periods: list[str]
    tables: list[StatisticsTable]


@dataclasses.dataclass(frozen=True)
class DeadlineMoveView(View):
    """An open legal deadline of a transferred case, counted again on the new calendar."""

    kind: str
    legal_date: date
    latest_safe_day_before: date
    latest_safe_day: date


@dataclasses.dataclass(frozen=True)
class TransferView(View):
    case_code: str
    source: str
    target: str
    deadlines: list[DeadlineMoveView]
