"""The debrief of a training and the before/after report of its knowledge tests.

A group's debrief is read from its own engine: the steps it completed and when (by its
clock), the events injected, its legal deadlines, and each expected decision of the
script, right or wrong by the answers recorded, in time or not by its deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.obligations.deadlines import MET, MET_LATE, deadline_outcome
from engine.process_engine import ProcessEngine

from .scripts import Decision, QuestionBank, ScriptedCase
from .views import (
    DebriefView,
    DecisionOutcome,
    GroupDebrief,
    ReportRow,
    Share,
    TestReport,
    TimelineEntry,
)
from .workspaces import SETUP_ACTOR, TrainingService


def debrief(service: TrainingService, workspace_id: int) -> DebriefView:
    workspace = service.workspace(workspace_id)
    script = service.script_of(workspace)
    groups = []
    for group in workspace.groups:
        engine = service.group_engine(workspace_id, group.number)
        engine.reload_clock()
        names = {t.username: f"{t.pseudonym} ({t.role})" for t in group.trainees}
        groups.append(_group(engine, script, group.number, names,
                             [(i.at, i.title) for i in group.injected]))
    return DebriefView(workspace=workspace, groups=groups)


def _group(engine: ProcessEngine, script: ScriptedCase, number: int, names: dict[str, str],
           injected: list[Any]) -> GroupDebrief:
    done = [t for t in engine.tasks.tasks(status="completed", case_code=script.code)
            if t.completed_by != SETUP_ACTOR]
    deadlines = engine.deadlines.deadlines(case_code=script.code)
    started = {i.process_key for i in engine.cases.case(script.code).instances}
    timeline = [TimelineEntry(at=t.ended_at, kind="task", text=t.title,
                              by=names.get(t.completed_by or "", t.completed_by or ""))
                for t in done if t.ended_at]
    timeline += [TimelineEntry(at=at, kind="event", text=title) for at, title in injected]
    timeline += [TimelineEntry(at=engine.ctx.jurisdiction_of(d.jurisdiction)
                               .at_reminder_hour(d.met_on or d.legal_date),
                               kind="deadline", text=f"{d.title}: {d.status}")
                 for d in deadlines if d.status in ("met", "missed")]
    timeline.sort(key=lambda entry: entry.at)
    decisions = [_decision(engine, d, done, deadlines, started, names)
                 for d in script.decisions]
    return GroupDebrief(number=number, timeline=timeline, decisions=decisions,
                        right=sum(d.verdict == "right" for d in decisions))


def _words(answers: dict[str, Any]) -> str:
    """``field = value`` pairs as a trainer reads them: yes and no, not True and False."""
    return ", ".join(f"{k} = {_value(v)}" for k, v in answers.items())


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "-" if value is None else str(value)


def _decision(engine: ProcessEngine, decision: Decision, done: list[Any],
              deadlines: list[Any], started: set[str],
              names: dict[str, str]) -> DecisionOutcome:
    expected = _words(decision.expect) or "done"
    if decision.started:
        taken = decision.started in started
        return DecisionOutcome(decision_id=decision.id, rule=decision.rule,
                               expected=f"{decision.started} started",
                               taken="started" if taken else None,
                               verdict="right" if taken else "not_taken",
                               timing=None, on=None, by="")
    task = next((t for t in done if t.element_id == decision.task), None)
    if task is None:
        return DecisionOutcome(decision_id=decision.id, rule=decision.rule, expected=expected,
                               taken=None, verdict="not_taken",
                               timing=_timing(decision, deadlines), on=None, by="")
    answers = engine.tasks.answers(task.id, decision.expect)
    right = all(answers[k] == v for k, v in decision.expect.items())
    return DecisionOutcome(
        decision_id=decision.id, rule=decision.rule, expected=expected,
        taken=_words(answers) or "done",
        verdict="right" if right else "wrong", timing=_timing(decision, deadlines),
        on=task.ended_at.date() if task.ended_at else None,
        by=names.get(task.completed_by or "", task.completed_by or ""))


def _timing(decision: Decision, deadlines: list[Any]) -> str | None:
    """In time (by the latest safe day), late (after it, or even after the legal date),
    missed, or still open; what a cancelled deadline says, as it is."""
    if not decision.deadline:
        return None
    found = [d for d in deadlines if d.kind == decision.deadline]
    if not found:
        return "open"
    deadline = found[0]
    if deadline.status in ("open", "cancelled"):
        return str(deadline.status)
    ended = deadline_outcome(deadline.status, deadline.met_on)
    if ended == MET:
        return "in_time" if deadline.met_on <= deadline.latest_safe_day else "late"
    return "late" if ended == MET_LATE else "missed"


def report(service: TrainingService, workspace_id: int) -> TestReport:
    """Share of right answers before and after: overall, by the trainees' sectors, by
    question, by trainee (pseudonymous)."""
    workspace = service.workspace(workspace_id)
    bank = service.questions()
    trainees = {t.id: t for g in workspace.groups for t in g.trainees}
    answers = service.answers(workspace_id)

    def row(key: str, label: str, chosen: Iterable[Any]) -> ReportRow:
        chosen = list(chosen)
        return ReportRow(key=key, label=label,
                         before=_share(a for a in chosen if a.test == "pre"),
                         after=_share(a for a in chosen if a.test == "post"))

    return TestReport(
        workspace=workspace, overall=row("all", "All", answers),
        sectors=[row(key, label, (a for a in answers
                                  if trainees[a.trainee_id].sector == key))
                 for key, label in bank.sectors.items()
                 if any(t.sector == key for t in trainees.values())],
        questions=[row(q.id, q.text, (a for a in answers if a.question_id == q.id))
                   for q in bank.questions],
        trainees=[row(t.pseudonym, f"{t.pseudonym} ({_sector(bank, t.sector)})",
                      (a for a in answers if a.trainee_id == t.id))
                  for t in sorted(trainees.values(), key=lambda t: t.pseudonym)])


def _share(answers: Iterable[Any]) -> Share:
    answers = list(answers)
    return Share(right=sum(a.right for a in answers), answered=len(answers))


def _sector(bank: QuestionBank, key: str) -> str:
    return bank.sectors.get(key, key)
