"""Where she stands, in words, at the top of her case file.

One line for each thing a caseworker asks first: is she identified, until when may she
stay, is a permit applied for or granted, is she at school, when is her plan reviewed,
what has she consented to, and is anything stuck. Each line says it in a sentence and
links to the task or the procedure that holds it.

The lines are read from what the case already holds: her legal deadlines (the law's
dates, kept by the engine, met, missed or open), her consents, the state of her
procedures, and what the tasks that identified her recorded, as far as the reader's
roles may read it (through ``engine.disclosure``, so a read of her personal data is
logged like any other). A line whose facts the reader may not read, or that nothing has
happened for yet, says so instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import format_date, gettext

from engine.protection.access import Reader
from engine.views import CaseView, ConsentView, DeadlineView, TaskView

from .acting import engine
from .i18n import term
from .procedure_texts import procedure_name
from .recorded import value_in_words
from .urgency import deadline_urgency

INCIDENT = "incident"
DECIDING_TASKS = ("record_preliminary", "formal_identification")
"""The tasks whose records say how and when she was identified, the later one last."""
SHOWN_FACTS = ("identification_outcome", "identification_date", "identified_on",
               "preliminary_on", "observed_on", "referring_sector")
"""What the summary reads of those records: no more is read, or logged as read."""
STAY_DEADLINES = ("reflection_end", "lawful_stay_end")
"""The deadlines that end her permitted stay."""
PERMIT_DEADLINES = ("permit_application_due", "appeal_due", "renewal_application_due",
                    "further_permit_application_due", "permit_expiry")
"""The permit's deadlines."""


@dataclass(frozen=True)
class Standing:
    """One line of where she stands: what it is about, the sentence, where to act."""

    key: str
    """What it is about, for the page and its tests: identification, stay, permit, ..."""
    topic: str
    text: str
    link: str | None = None
    tone: str = ""
    """A deadline's urgency (missed, late, urgent, soon), ``done``, or '' (nothing to do)."""


Linker = Callable[[int], str | None]
"""The page for an instance the reader may open, else None."""


def where_she_stands(case: CaseView, consents: list[ConsentView], reader: Reader,
                     link_instance: Linker) -> list[Standing]:
    """The lines of her case file's summary, in the order a caseworker asks."""
    facts = _facts(case, reader)
    tasks = {t.element_id: t for t in case.open_tasks}

    def line(key: str, topic: str, kinds: tuple[str, ...], otherwise: str) -> Standing:
        deadline = standing_deadline(case.deadlines, kinds)
        if deadline is None:
            return Standing(key, topic, otherwise)
        return Standing(key, topic, deadline_in_words(deadline),
                        link_instance(deadline.instance_id), _tone(deadline))

    return [
        _identification(facts, tasks, case, link_instance, reader.roles),
        line("stay", gettext("Permitted stay"), STAY_DEADLINES, gettext("Not granted yet.")),
        line("permit", gettext("Residence permit"), PERMIT_DEADLINES,
             gettext("Not applied for.")),
        line("school", gettext("School"), ("school_enrolment_due",),
             gettext("No school enrolment is due.")),
        line("plan", gettext("Protection plan review"), ("plan_review_due",),
             gettext("No review is due.")),
        _consents(consents),
        _incidents(case, link_instance),
    ]


def standing_deadline(deadlines: Iterable[DeadlineView],
                      kinds: tuple[str, ...]) -> DeadlineView | None:
    """The deadline of ``kinds`` that stands now: the open one to act on first, else the
    last one that was met, missed or cancelled."""
    mine = [d for d in deadlines if d.kind in kinds]
    still_open = sorted((d for d in mine if d.status == "open"),
                        key=lambda d: d.latest_safe_day)
    if still_open:
        return still_open[0]
    return max(mine, key=lambda d: (d.legal_date, d.id), default=None)


def deadline_in_words(deadline: DeadlineView) -> str:
    """A deadline as a sentence: what to do by when, or what became of it."""
    what = term(deadline.kind, "kind").capitalize()
    if deadline.status == "met":
        return gettext("%(what)s: met on %(day)s.", what=what,
                       day=_day(deadline.met_on or deadline.legal_date))
    if deadline.status == "missed":
        return gettext("%(what)s: missed, the legal date was %(legal)s.", what=what,
                       legal=_day(deadline.legal_date))
    if deadline.status != "open":
        return gettext("%(what)s: no longer applies.", what=what)
    if deadline.latest_safe_day == deadline.legal_date:
        return gettext("%(what)s: %(legal)s.", what=what, legal=_day(deadline.legal_date))
    return gettext("%(what)s: act by %(safe)s (legal date %(legal)s).", what=what,
                   safe=_day(deadline.latest_safe_day), legal=_day(deadline.legal_date))


def _tone(deadline: DeadlineView) -> str:
    if deadline.status == "met":
        return "done"
    return deadline_urgency(deadline)


def _facts(case: CaseView, reader: Reader) -> dict[str, Any]:
    """What the tasks that decided about her recorded, as far as ``reader`` may read it.

    Each is read from the task that recorded it, not from the procedure's latest data:
    in parallel branches (her permitted stay offered on reasonable grounds runs beside
    her formal identification) the latest step run may not have seen the decision.
    """
    found: dict[str, Any] = {}
    decided = engine().cases.last_completed(case.code, DECIDING_TASKS)
    for element in DECIDING_TASKS:
        if element in decided:
            view = engine().disclosure.task(reader, decided[element], "case file summary",
                                            only=SHOWN_FACTS)
            found.update({k: v for k, v in view.variables.items() if v is not None})
    return found


def _day(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value, "medium") if isinstance(value, date) else str(value)


def _identification(facts: Mapping[str, Any], tasks: Mapping[str, TaskView],
                    case: CaseView, link_instance: Linker, roles: Iterable[str]) -> Standing:
    open_task = next((tasks[e] for e in ("formal_identification", "record_preliminary",
                                         "ask_referral_consent")
                      if e in tasks and tasks[e].role in set(roles)), None)  # hers to open
    link = (url_for("worklist.task", task_id=open_task.id) if open_task is not None
            else _first_link(case, link_instance, "identification"))
    outcome = facts.get("identification_outcome")
    decided = _day(facts.get("identified_on") or facts.get("identification_date"))
    if outcome == "victim":
        text, tone = gettext("Identified as a victim of trafficking on %(day)s.",
                             day=decided), "done"
    elif outcome == "not_victim":
        text, tone = gettext("Not identified as a victim, on %(day)s.", day=decided), "done"
    elif facts.get("preliminary_on") or facts.get("observed_on"):
        # The officer's own form says the day she met her; the engine copies it into
        # preliminary_on only when it assesses the referral.
        text, tone = gettext("Under way since %(day)s: no outcome yet.", day=_day(
            facts.get("preliminary_on") or facts["observed_on"])), ""
    else:
        text, tone = gettext("Not recorded, or not yours to read."), ""
    sector = facts.get("referring_sector")
    if sector:
        text += " " + gettext("Referred by: %(sector)s.",
                              sector=value_in_words("referring_sector", sector))
    return Standing("identification", gettext("Identification"), text, link, tone)


def _consents(consents: Iterable[ConsentView]) -> Standing:
    topic = gettext("Her consents")
    by_status: dict[str, list[str]] = {}
    for consent in consents:  # newest first: the first answer for a purpose stands
        if any(consent.purpose in purposes for purposes in by_status.values()):
            continue
        by_status.setdefault(consent.status, []).append(consent.purpose)
    if not by_status:
        return Standing("consents", topic, gettext("None asked yet."))
    parts = [gettext("%(status)s: %(purposes)s", status=term(status, "consent").capitalize(),
                     purposes=", ".join(term(p, "purpose") for p in purposes))
             for status, purposes in by_status.items()]
    return Standing("consents", topic, "; ".join(parts) + ".",
                    tone="urgent" if "withdrawn" in by_status else "")


def _incidents(case: CaseView, link_instance: Linker) -> Standing:
    topic = gettext("Stuck procedures")
    stuck = [i for i in case.instances if i.status == INCIDENT]
    if not stuck:
        return Standing("incidents", topic, gettext("None."))
    names = ", ".join(procedure_name(i.process_key) for i in stuck)
    return Standing("incidents", topic, names + ".", link_instance(stuck[0].id), "missed")


def _first_link(case: CaseView, link_instance: Linker, process_key: str) -> str | None:
    """Her first procedure of ``process_key``, else her first procedure (which calls it)."""
    found = next((i for i in case.instances if i.process_key == process_key),
                 case.instances[0] if case.instances else None)
    return link_instance(found.id) if found is not None else None
