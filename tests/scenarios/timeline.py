"""A case's timeline, as the engine recorded it, compared with an expected file.

``timeline(engine, code)`` reads the audit trail of every procedure of one case (the
engine's history, with the task rows for titles and roles and the deadline rows for their
owners) and writes one line per event, oldest first, in Ljubljana time: the task opened
or completed and by whom (role/user), deadlines opened, moved, met, missed or cancelled,
notices with the roles they went to, reminders, escalations and the timers that fired.
It ends with each legal deadline as it stands. It prints only element names, roles, user
names, dates, deadline kinds and notice subjects: never what she or an actor typed (the
reasons a deadline was cancelled, the data of a form), and no database id, so the text is
the same on SQLite and PostgreSQL.

``assert_timeline(text, name)`` compares it with ``timelines/<name>.txt`` next to this
module and fails with a unified diff. After a change to the procedures that is meant,
rewrite the expected files and read the difference before committing it::

    VARNAPOT_UPDATE_TIMELINES=1 .venv/bin/pytest tests/scenarios/test_timelines.py

``clock_to(engine, day, hour)`` moves the manual clock as a timer worker would see time
pass: it stops at each timer's due moment on the way, so that reminders and timers fire
(and show) when they are due, not when the test next looks.
"""

from __future__ import annotations

import difflib
import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine import ProcessEngine
from engine.views import EventView, TaskView
from tests.scenarios.case import LJUBLJANA

TIMELINES = Path(__file__).parent / "timelines"
UPDATE = "VARNAPOT_UPDATE_TIMELINES"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WHO_WIDTH = 28
TASK_STATUSES = ("open", "completed", "cancelled")
SKIPPED = {"data_changed", "handler_completed", "timer_cancelled", "task_claimed",
           "task_unclaimed", "notification_emailed"}
"""Bookkeeping that says nothing about who did what: left out of the timeline."""


def clock_to(engine: ProcessEngine, day: str, hour: int = 9) -> None:
    """Move the clock to ``day`` at ``hour`` in Ljubljana, firing each timer at its time."""
    target = datetime.fromisoformat(day).replace(hour=hour, tzinfo=LJUBLJANA).astimezone(UTC)
    while (due := engine.timers.next_due()) is not None and engine.clock.now() < due < target:
        # A second after: SpiffWorkflow fires a BPMN timer only once its moment has passed.
        engine.set_clock(min(due + timedelta(seconds=1), target))
    engine.set_clock(target)


def timeline(engine: ProcessEngine, code: str) -> str:
    """Every procedure of the case ``code``, event by event, then its deadlines and tasks."""
    instances = engine.runtime.instances(case_code=code)
    events = sorted((e for i in instances for e in engine.history.events(instance_id=i.id)),
                    key=lambda e: (e.at, e.id))
    tasks = {t.id: t for i in instances for status in TASK_STATUSES
             for t in engine.tasks.tasks(instance_id=i.id, status=status)}
    owners = {(d.instance_id, _label(d.kind, d.ref)): d.owner_role
              for d in engine.deadlines.deadlines(case_code=code)}
    names = _timer_names(engine)
    process_of = {i.id: i.process_key for i in instances}

    lines = [f"Case {code}: times in Europe/Ljubljana", ""]
    opened: dict[tuple[int | None, str], str] = {}
    previous: tuple[datetime, str] | None = None
    notice: tuple[tuple[datetime, str], str, list[str]] | None = None  # the last line's
    for event in _consents_after_tasks(events):
        if event.event_type in SKIPPED:
            continue
        task = tasks.get(event.task_id) if event.task_id is not None else None
        group = (event.at, event.actor)
        if event.event_type == "notification_sent":
            role, subject = (event.detail or "").split(": ", 1)
            if notice and notice[0] == group and notice[1] == subject:
                notice[2].append(role)  # one line per notice, with all its roles
                lines[-1] = _indent(event.at, f"notice to {', '.join(notice[2])}: {subject}")
                continue
            notice = (group, subject, [role])
        else:
            notice = None
        what = _what(event, task, owners, names, process_of, opened)
        if event.event_type == "task_completed" or previous != group:
            who = f"{task.role}/{event.actor}" if event.event_type == "task_completed" \
                and task else event.actor
            lines.append(f"{_when(event.at)}  {who:<{WHO_WIDTH}}{what}")
        else:
            lines.append(_indent(event.at, what))
        previous = group
    lines += ["", "Legal deadlines at the end:"]
    for d in engine.deadlines.deadlines(case_code=code):
        done = f", done on {d.met_on}" if d.met_on else ""
        lines.append(f"  {_label(d.kind, d.ref):<34} {d.owner_role:<15} legal date "
                     f"{d.legal_date}, act by {d.latest_safe_day}: {d.status}{done}")
    lines += ["", "Open tasks at the end:"]
    lines += [f"  {t.title} [{t.role}]" for i in instances for t in i.open_tasks] or ["  none"]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def assert_timeline(text: str, name: str) -> None:
    """Compare ``text`` with ``timelines/<name>.txt``, or rewrite it when asked to."""
    path = TIMELINES / f"{name}.txt"
    if os.environ.get(UPDATE) == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path} does not exist; write it with {UPDATE}=1 and read it")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = difflib.unified_diff(expected.splitlines(keepends=True),
                                    text.splitlines(keepends=True),
                                    f"expected {path.name}", "this run")
        pytest.fail(f"the timeline differs from {path} (rewrite it with {UPDATE}=1 if the "
                    f"change is meant):\n{''.join(diff)}", pytrace=False)


def _what(event: EventView, task: TaskView | None,
          owners: dict[tuple[int | None, str], str], names: dict[str, str],
          process_of: dict[int, str], opened: dict[tuple[int | None, str], str]) -> str:
    """What the event did, in the words of the timeline."""
    kind = event.event_type
    detail = event.detail or ""
    title = task.title if task else event.element_id
    label = detail.split(":", 1)[0]
    if kind == "instance_started":
        return f"started procedure {process_of.get(event.instance_id, '?')}"
    if kind == "instance_completed":
        return f"procedure {process_of.get(event.instance_id, '?')} completed"
    if kind == "task_created":
        return f"task opened: {title} [{task.role if task else detail}]"
    if kind == "task_completed":
        return f"completed: {title}"
    if kind == "task_cancelled":
        return f"task closed by the procedure: {title}"
    if kind == "deadline_opened":
        key = (event.instance_id, label)
        dates = detail.split(": ", 1)[1].replace("latest safe day", "act by")
        verb = "opened" if key not in opened else "unchanged" if opened[key] == dates \
            else "moved"
        opened[key] = dates
        return f"deadline {verb}: {label} [{owners.get(key, '?')}] {dates}"
    if kind in ("deadline_met", "deadline_missed"):
        return f"deadline {kind.removeprefix('deadline_')}: {detail}"
    if kind == "deadline_cancelled":
        return f"deadline cancelled: {label}"
    if kind == "notification_sent":
        role, subject = detail.split(": ", 1)
        return f"notice to {role}: {subject}"
    if kind == "reminder_sent":
        return f"reminder: {detail}"
    if kind == "deadline_escalated":
        return f"escalated: {label}"
    if kind == "timer_fired":
        return f"timer fired: {names.get(event.element_id or '', event.element_id)}"
    if kind.startswith("consent_"):
        return f"consent {kind.removeprefix('consent_')}: {detail}"
    if kind in ("case_paused", "case_resumed", "incident", "timer_failed"):
        return f"{kind.replace('_', ' ')}: {event.element_id or ''}"
    return kind.replace("_", " ")


def _consents_after_tasks(events: list[EventView]) -> list[EventView]:
    """The engine records a consent just before the task that asked for it: move it after."""
    ordered: list[EventView] = []
    held: dict[int, list[EventView]] = {}
    for event in events:
        if event.event_type.startswith("consent_") and event.task_id is not None:
            held.setdefault(event.task_id, []).append(event)
            continue
        ordered.append(event)
        if event.event_type == "task_completed" and event.task_id is not None:
            ordered += held.pop(event.task_id, [])
    return ordered + [e for waiting in held.values() for e in waiting]


def _label(kind: str, ref: str) -> str:
    return f"{kind}[{ref}]" if ref else kind


def _indent(at: datetime, what: str) -> str:
    """A line that follows from the one above: no time, no actor of its own."""
    return f"{'':<{len(_when(at))}}  {'':<{WHO_WIDTH}}{what}"


def _when(at: datetime) -> str:
    local = at.astimezone(LJUBLJANA)
    return f"{WEEKDAYS[local.weekday()]} {local:%Y-%m-%d %H:%M}"


def _timer_names(engine: ProcessEngine) -> dict[str, str]:
    """Element id -> name of the timer events of every deployed procedure."""
    names: dict[str, str] = {}
    for definition in engine.repository.definitions():
        root = ET.fromstring(engine.repository.xml(definition.key).encode())
        for element in root.iter():
            timer = any(c.tag.endswith("}timerEventDefinition") for c in element)
            if timer and element.get("id"):
                names[element.get("id", "")] = element.get("name") or element.get("id", "")
    return names
