"""Scripted training cases and the knowledge tests' questions, read from
``processes/training``: data, so a facilitator's new case is a file, not code.

Each file is checked when it is read; anything missing or malformed is refused with the
file and key named, before a workspace is built on it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

TRAINING = Path(__file__).resolve().parents[2] / "processes" / "training"
QUESTIONS = "questions.toml"


class ScriptError(ValueError):
    """A training file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Fact:
    """What the trainees learn, from ``day`` of the case on (0: known from the start)."""

    day: int
    text: str


@dataclass(frozen=True)
class SetupStep:
    """A task already done before the training begins, completed with ``data``."""

    task: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Event:
    """What the facilitator injects around ``day``: a notice to ``roles``, or a
    procedure started for the case (``start`` with its ``data``)."""

    id: str
    day: int
    title: str
    notice: str
    roles: tuple[str, ...]
    start: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """A decision the trainees are expected to take: the task completed with the
    answers in ``expect`` (every one), or the procedure ``started``; in time when its
    legal ``deadline`` kind is met; right by ``rule``."""

    id: str
    rule: str
    task: str | None = None
    started: str | None = None
    expect: dict[str, Any] = field(default_factory=dict)
    deadline: str | None = None


@dataclass(frozen=True)
class ScriptedCase:
    key: str
    title: str
    summary: str
    procedure: str
    jurisdiction: str
    code: str
    starts: datetime
    roles: tuple[str, ...]
    facts: tuple[Fact, ...]
    start_data: dict[str, Any]
    setup: tuple[SetupStep, ...]
    events: tuple[Event, ...]
    decisions: tuple[Decision, ...]

    def known_on(self, day: int) -> list[Fact]:
        """The facts the trainees have discovered by ``day`` of the case."""
        return [fact for fact in self.facts if fact.day <= day]

    def event(self, event_id: str) -> Event:
        found = next((e for e in self.events if e.id == event_id), None)
        if found is None:
            raise ScriptError(f"{self.key}: no event {event_id!r}")
        return found


@dataclass(frozen=True)
class Question:
    id: str
    sector: str
    text: str
    options: tuple[str, ...]
    answer: int
    source: str


@dataclass(frozen=True)
class QuestionBank:
    sectors: dict[str, str]
    """Sector key to its name, in the order the reports show them."""
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def scripted_cases(folder: Path = TRAINING) -> dict[str, ScriptedCase]:
    """Every scripted case of ``folder``, by key."""
    found: dict[str, ScriptedCase] = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name == QUESTIONS:
            continue
        case = load_case(path)
        if case.key in found:
            raise ScriptError(f"{path.name}: case.key {case.key!r} is used twice")
        found[case.key] = case
    return found


def load_case(path: Path) -> ScriptedCase:
    read = _Reader(path)
    case = read.table("case")
    starts = case.get("starts")
    if not isinstance(starts, datetime) or starts.tzinfo is None:
        raise read.error("case.starts", "give a moment with its offset, "
                                        "2026-03-02T08:00:00+01:00")
    return ScriptedCase(
        key=read.text(case, "case.key"), title=read.text(case, "case.title"),
        summary=read.text(case, "case.summary"), procedure=read.text(case, "case.procedure"),
        jurisdiction=read.text(case, "case.jurisdiction"), code=read.text(case, "case.code"),
        starts=starts, roles=tuple(read.texts(case, "case.roles")),
        facts=tuple(_facts(read, case)),
        start_data=read.mapping(case, "case.start"),
        setup=tuple(SetupStep(task=read.text(step, f"setup[{i}].task"),
                              data=read.mapping(step, f"setup[{i}].data"))
                    for i, step in enumerate(read.tables("setup"))),
        events=tuple(_event(read, i, event) for i, event in enumerate(read.tables("events"))),
        decisions=tuple(_decision(read, i, decision)
                        for i, decision in enumerate(read.tables("decisions"))),
    )


def _facts(read: _Reader, case: dict[str, Any]) -> list[Fact]:
    """``facts``: a text known from the start, or ``{ day = 10, text = "..." }``
    discovered on that day of the case."""
    found = case.get("facts")
    if not isinstance(found, list) or not found:
        raise read.error("case.facts", "give a list of facts")
    facts = []
    for i, fact in enumerate(found):
        where = f"case.facts[{i}]"
        if isinstance(fact, str) and fact.strip():
            facts.append(Fact(0, fact))
            continue
        day = fact.get("day") if isinstance(fact, dict) else None
        text = fact.get("text") if isinstance(fact, dict) else None
        if isinstance(day, bool) or not isinstance(day, int) or day < 0 \
                or not isinstance(text, str) or not text.strip():
            raise read.error(where, "write a text, or { day = 10, text = \"...\" }")
        facts.append(Fact(day, text))
    return facts


def _event(read: _Reader, i: int, event: dict[str, Any]) -> Event:
    where = f"events[{i}]"
    day = event.get("day")
    if isinstance(day, bool) or not isinstance(day, int) or day < 0:
        raise read.error(f"{where}.day", "give the day after the start, 0 or more")
    return Event(id=read.text(event, f"{where}.id"), day=day,
                 title=read.text(event, f"{where}.title"),
                 notice=read.text(event, f"{where}.notice"),
                 roles=tuple(read.texts(event, f"{where}.roles")),
                 start=event.get("start"), data=read.mapping(event, f"{where}.data"))


def _decision(read: _Reader, i: int, decision: dict[str, Any]) -> Decision:
    where = f"decisions[{i}]"
    task, started = decision.get("task"), decision.get("started")
    if (task is None) == (started is None):
        raise read.error(f"{where}", "name either the task or the procedure started")
    return Decision(id=read.text(decision, f"{where}.id"),
                    rule=read.text(decision, f"{where}.rule"), task=task, started=started,
                    expect=read.mapping(decision, f"{where}.expect"),
                    deadline=decision.get("deadline"))


def question_bank(folder: Path = TRAINING) -> QuestionBank:
    path = folder / QUESTIONS
    read = _Reader(path)
    sectors = read.table("sectors")
    questions = []
    for i, item in enumerate(read.tables("questions")):
        where = f"questions[{i}]"
        sector = read.text(item, f"{where}.sector")
        if sector not in sectors:
            raise read.error(f"{where}.sector", f"{sector!r} is not one of [sectors]")
        options = tuple(read.texts(item, f"{where}.options"))
        answer = item.get("answer")
        if isinstance(answer, bool) or not isinstance(answer, int) \
                or not 0 <= answer < len(options):
            raise read.error(f"{where}.answer", f"give the right option, 0 to {len(options) - 1}")
        questions.append(Question(id=read.text(item, f"{where}.id"), sector=sector,
                                  text=read.text(item, f"{where}.text"), options=options,
                                  answer=answer, source=read.text(item, f"{where}.source")))
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise read.error("questions", "each question id once only")
    return QuestionBank(sectors={k: str(v) for k, v in sectors.items()},
                        questions=tuple(questions))


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.document = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ScriptError(f"{path}: no such training file") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ScriptError(f"{path.name}: not valid TOML: {exc}") from exc

    def error(self, key: str, problem: str) -> ScriptError:
        return ScriptError(f"{self.path.name}: {key}: {problem}")

    def table(self, key: str) -> dict[str, Any]:
        found = self.document.get(key)
        if not isinstance(found, dict):
            raise self.error(key, "missing")
        return found

    def tables(self, key: str) -> list[dict[str, Any]]:
        found = self.document.get(key, [])
        if not isinstance(found, list) or not all(isinstance(t, dict) for t in found):
            raise self.error(key, f"write it as [[{key}]] tables")
        return found

    def text(self, table: dict[str, Any], key: str) -> str:
        value = table.get(key.rpartition(".")[2])
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty text")
        return value

    def texts(self, table: dict[str, Any], key: str) -> list[str]:
        value = table.get(key.rpartition(".")[2])
        if not isinstance(value, list) or not value or not all(
                isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, "give a list of texts")
        return value

    def mapping(self, table: dict[str, Any], key: str) -> dict[str, Any]:
        value = table.get(key.rpartition(".")[2], {})
        if not isinstance(value, dict):
            raise self.error(key, "must be a table")
        return value
