"""What happened in her case, in plain words: a history a caseworker reads, not a log.

The engine's history names events by code (``task_completed``), steps by element id
(``formal_identification``) and changed data by variable name. Here each event becomes
a line in the reader's language: when (by her locale, in the jurisdiction's time), what
(the event, and the step by the name the procedure gives it), who, in which procedure,
and what it changed by the labels of the data. The case file merges the histories of all
her procedures, newest first; the instance page shows one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask import g
from flask_babel import gettext

from engine.bpmn.diagrams import read_xml
from engine.protection.access import Reader
from engine.services.repository import RepositoryService
from engine.views import CaseView, EventView

from .acting import engine
from .i18n import term
from .procedure_texts import deployed, procedure_name, translate
from .recorded import label_of, moment_in_words


@dataclass(frozen=True)
class Happening:
    """One line of the timeline."""

    id: int
    at: datetime
    when: str
    what: str
    step: str
    who: str
    procedure_key: str
    procedure: str
    changed: str
    detail: str | None
    event_type: str
    """The engine's code of the event, for styling and tests; never shown."""

    @property
    def by(self) -> str:
        """Who did it, in words: a person, or the engine in the course of her step."""
        return done_by(self.event_type, self.who)


SAID_AS_WRITTEN = frozenset({"incident"})
"""Events whose detail is a message for people (what failed); other details are the
engine's notes (a version, a kind, a role) and a typed reason shows only when sealed."""
BOOKKEEPING = frozenset({"data_changed", "handler_completed", "task_created", "task_claimed",
                         "task_unclaimed", "notification_sent", "notification_emailed",
                         "timer_cancelled"})
"""Events that tell how the engine worked, not what happened to her: the case file
leaves them out unless asked for every step."""


AUTOMATIC = frozenset({"deadline_opened", "deadline_met", "deadline_missed",
                       "deadline_cancelled", "handler_completed", "timer_cancelled",
                       "task_cancelled", "instance_completed", "notification_sent",
                       "data_changed"})
"""Events the engine brings about in the course of someone's step (her completion opens
a deadline): they are told as the engine's, not as if that person had done them."""


def done_by(event_type: str, actor: str) -> str:
    if event_type in AUTOMATIC:
        return gettext("automatically, in a step by %(who)s", who=actor)
    return gettext("by %(who)s", who=actor)


def case_timeline(case: CaseView, reader: Reader, *,
                  every_step: bool = False) -> list[Happening]:
    """Every procedure's history of her case as one timeline, newest first."""
    found = []
    for instance in case.instances:
        events = engine().disclosure.history(reader, instance.id, "case file timeline",
                                             reasons=False)
        found += happenings([e for e in events
                             if every_step or e.event_type not in BOOKKEEPING],
                            instance.process_key, instance.version)
    return sorted(found, key=lambda h: (h.at, h.id), reverse=True)


def happenings(events: Iterable[EventView], process_key: str,
               version: int) -> list[Happening]:
    """One procedure's events in words, in their order."""
    procedure = procedure_name(process_key)
    names = _step_names(process_key, version)
    return [Happening(
        id=e.id, at=e.at, when=moment_in_words(e.at), what=term(e.event_type, "event").capitalize(),
        step=_named(names, e.element_id),
        who=e.actor, procedure_key=process_key, procedure=procedure,
        changed=", ".join(label_of(key) for key in e.data_keys),
        detail=e.detail if e.revealed or e.event_type in SAID_AS_WRITTEN else None,
        event_type=e.event_type) for e in events]


def step_name(process_key: str, version: int, element_id: str | None) -> str:
    """A step of a procedure by the name the procedure gives it, in the reader's words."""
    return _named(_step_names(process_key, version), element_id)


def _named(names: dict[str, str], element_id: str | None) -> str:
    if not element_id:
        return ""
    return translate(names[element_id]) if element_id in names \
        else element_id.replace("_", " ")


def _step_names(process_key: str, version: int) -> dict[str, str]:
    """Every named element of the version an instance runs, and of every procedure
    deployed now (a called procedure's steps are recorded on its caller)."""
    repository = engine().repository
    if "step_names" not in g:  # once a request: the deployed procedures' names
        g.step_names = {}
        for definition in deployed():
            g.step_names.update(_names_in(repository, definition.key, definition.version))
    return {**g.step_names, **_names_in(repository, process_key, version)}


@lru_cache(maxsize=256)
def _names_in(repository: RepositoryService, key: str, version: int) -> dict[str, str]:
    """The names a deployed version gives its elements; a version never changes."""
    root = read_xml(repository.xml(key, version).encode())
    return {str(element.get("id")): str(element.get("name")) for element in root.iter()
            if element.get("id") and element.get("name")}
