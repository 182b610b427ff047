"""What the training pages show: workspaces, the debrief and the before/after report.

Trainees appear by pseudonym only; nothing here comes from live data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class TraineeView:
    id: int
    workspace: int
    pseudonym: str
    role: str
    sector: str
    group: int
    username: str


@dataclass(frozen=True)
class InjectedView:
    event_id: str
    title: str
    at: datetime


@dataclass(frozen=True)
class GroupView:
    number: int
    clock: datetime
    instance_id: int
    trainees: list[TraineeView]
    injected: list[InjectedView]


@dataclass(frozen=True)
class WorkspaceView:
    id: int
    name: str
    case_key: str
    case_title: str
    join_code: str
    opened_by: str
    opened_at: datetime
    groups: list[GroupView]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    """task (a step completed), event (injected by the facilitator) or deadline."""
    text: str
    by: str = ""


@dataclass(frozen=True)
class DecisionOutcome:
    decision_id: str
    rule: str
    expected: str
    taken: str | None
    verdict: str
    """right, wrong, or not_taken."""
    timing: str | None
    """in_time, late (met after its latest safe day), missed, open; None without a deadline."""
    on: date | None
    by: str


@dataclass(frozen=True)
class GroupDebrief:
    number: int
    timeline: list[TimelineEntry]
    decisions: list[DecisionOutcome]
    right: int
    """How many expected decisions this group took as expected."""


@dataclass(frozen=True)
class DebriefView:
    workspace: WorkspaceView
    groups: list[GroupDebrief]


@dataclass(frozen=True)
class Share:
    """Right answers out of all answers; ``percent`` is None when nobody answered."""

    right: int
    answered: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.right / self.answered, 1) if self.answered else None


@dataclass(frozen=True)
class ReportRow:
    key: str
    label: str
    before: Share
    after: Share


@dataclass(frozen=True)
class TestReport:
    """The before/after comparison seed 003 reports: overall, by sector of the trainees,
    by question, and by (pseudonymous) trainee."""

    workspace: WorkspaceView
    overall: ReportRow
    sectors: list[ReportRow]
    questions: list[ReportRow]
    trainees: list[ReportRow]
