"""What the case holds, in words: each variable by its label, each value as a person reads it.

A variable is written by a form, whose field gives its label and the words of each of
its choices, or by a handler, which names its variables in ``HANDLERS.describe``. A
reader sees "Yes", "3. 12. 2026" and "Foreigner without lawful stay" in her language,
never ``True``, ``2026-12-03`` or a stored key. A variable neither names is shown by its
name, and the test of the pages' words fails on it. Templates say days and moments the
same way, through the ``day`` and ``moment`` filters, and name variables through ``label``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from flask import Flask
from flask_babel import get_locale, gettext
from marshmallow import Schema, fields

from engine.obligations.reminders import ESCALATION_VARIABLES

from .acting import engine
from .form_fields import choice_label
from .i18n import term
from .procedure_texts import translate

_TERMS = {"deadline_kind": "kind", "deadline_owner": "role"}
"""Variables whose value is one of the engine's codes, by the group of its words."""
_TEXTS = frozenset({"deadline_title"})
"""Variables whose value is a procedure's text, shown in the reader's language."""

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class Known:
    """What the product says of one variable: its label and the words of its choices."""

    label: str
    choices: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    """One row of "what the case holds": the variable, its label and its value in words."""

    name: str
    label: str
    value: str


def init_app(app: Flask) -> None:
    app.jinja_env.filters["day"] = day_in_words
    app.jinja_env.filters["moment"] = moment_in_words
    app.jinja_env.filters["label"] = label_of
    app.jinja_env.filters["size"] = size_in_words


def size_in_words(size: int) -> str:
    """A file's size as a reader counts it: "240 kB", "1,4 MB" in Slovene."""
    if size < 1024 * 1024:
        return gettext("%(size)s kB", size=format_decimal(max(1, round(size / 1024)),
                                                          locale=get_locale()))
    return gettext("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1),
                                                      locale=get_locale()))


def recorded(variables: Mapping[str, Any]) -> list[Recorded]:
    """The variables as rows in the reader's language, in the order of their labels."""
    known = _vocabulary(engine().config.forms, engine().config.handlers)
    rows = []
    for name, value in variables.items():
        about = known.get(name)
        label = translate(about.label) if about else name
        if name in _TERMS and isinstance(value, str):
            shown = term(value, _TERMS[name])
        elif name in _TEXTS and isinstance(value, str):
            shown = translate(value)
        else:
            shown = in_words(value, about.choices if about else {})
        rows.append(Recorded(name, label, shown))
    return sorted(rows, key=lambda row: row.label.casefold())


def label_of(name: str) -> str:
    """A variable's label in the reader's language, else its name in words."""
    about = _vocabulary(engine().config.forms, engine().config.handlers).get(name)
    return translate(about.label) if about else name.replace("_", " ")


def value_in_words(name: str, value: Any) -> str:
    """One variable's value in words, with the words of its choices."""
    about = _vocabulary(engine().config.forms, engine().config.handlers).get(name)
    return in_words(value, about.choices if about else {})


def in_words(value: Any, choices: Mapping[str, str] | None = None) -> str:
    """A stored value as the page shows it: yes or no, a date by the reader's locale, the
    label of a choice, a list joined by commas, and a dash for nothing recorded."""
    choices = choices or {}
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return moment_in_words(value)
    if isinstance(value, date):
        return day_in_words(value)
    if isinstance(value, str):
        if value in choices:
            return translate(choices[value])
        if _DAY.match(value):
            return day_in_words(date.fromisoformat(value))
        if _INSTANT.match(value):
            try:
                return moment_in_words(datetime.fromisoformat(value))
            except ValueError:
                return value
        return value
    if isinstance(value, list | tuple):
        return ", ".join(in_words(item, choices) for item in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{label_of(key)}: {value_in_words(key, item)}"
                         for key, item in value.items())
    return str(value)


def day_in_words(day: date | None) -> str:
    """A day as the reader writes it (3. 12. 2026 in Slovene, Dec 3, 2026 in English)."""
    return format_date(day, "medium", locale=get_locale()) if day else ""


def moment_in_words(moment: datetime) -> str:
    """A moment as the reader says it: the day by her locale and the time to the
    minute, in the jurisdiction's local time, where legal days are counted."""
    zone = engine().ctx.timezone
    local = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
    locale = get_locale()
    return (f"{format_date(local.date(), 'medium', locale=locale)}, "
            f"{format_time(local, 'short', tzinfo=zone, locale=locale)}")


@lru_cache(maxsize=4)
def _vocabulary(forms: Any, handlers: Any) -> Mapping[str, Known]:
    """Each variable by its handler's label, else by the first form field that writes it.

    A handler's label comes first: a variable that a handler and several forms write
    (her referral consent, asked of her or of her guardian) needs the words that fit
    each of them."""
    found: dict[str, Known] = {}
    values = getattr(handlers, "values", {})
    for name, label in [*getattr(handlers, "variables", {}).items(),
                        *ESCALATION_VARIABLES.items()]:
        found.setdefault(name, Known(label, values.get(name, {})))
    nested: dict[str, Known] = {}
    for key in forms:
        form = forms.get(key)
        if form is not None:
            _learn(form(), found, nested)
    for name, known in nested.items():  # a part's fields name what a top field does not
        found.setdefault(name, known)
    return {name: known for name, known in found.items() if known.label}


def _learn(schema: Any, found: dict[str, Known], nested: dict[str, Known]) -> None:
    for name, schema_field in schema.load_fields.items():
        meta = schema_field.metadata
        labels = meta.get("choice_labels") or {}
        found.setdefault(schema_field.data_key or name, Known(
            meta.get("label", ""), {c: choice_label(c, labels) for c in meta.get("choices", [])}))
        inner = getattr(schema_field, "inner", schema_field)
        if isinstance(inner, fields.Nested) and isinstance(inner.schema, Schema):
            _learn(inner.schema, nested, nested)
