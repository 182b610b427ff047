"""A role by what it is called in her case's jurisdiction.

The procedures name roles by key (``admin_unit``); the body that holds the role differs
by country: Slovenia's upravna enota, Serbia's police administration for foreigners, the
Service for Foreigners' Affairs in Bosnia and Herzegovina. A jurisdiction file names its
own where it differs (``[roles]``); everywhere else the generic label stands.

A page lists tasks of many cases: :func:`role_of` reads the jurisdictions of every case
the page shows in one query, the first time it is asked, and keeps them for the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, g

from engine.kit.jurisdiction import JurisdictionError

from .acting import engine
from .i18n import term
from .procedure_texts import translate


def init_app(app: Flask) -> None:
    app.jinja_env.filters["role_of"] = role_of
    app.jinja_env.globals["know_cases"] = know_cases


def know_cases(items: Iterable[Any]) -> str:
    """Read the jurisdictions of the cases of ``items`` (rows with a ``case_code``) at
    once, before a list asks for their roles; renders as nothing."""
    _read_places({getattr(item, "case_code", None) for item in items})
    return ""


def _read_places(codes: set[str | None]) -> dict[str, str]:
    places: dict[str, str] = g.setdefault("case_places", {})
    missing = {code for code in codes if code} - set(places)
    if missing:
        places.update(engine().cases.jurisdictions(missing))
    return places


def role_of(role: str | None, case_code: str | None = None) -> str:
    """The role's label in the reader's language, as the case's jurisdiction calls it."""
    if not role:
        return ""
    if case_code:
        try:
            place = engine().ctx.jurisdiction_of(_read_places({case_code})[case_code])
        except JurisdictionError:  # its file left the deployment: the generic label
            return term(role, "role")
        label = place.role_labels.get(role)
        if label:
            return translate(label)
    return term(role, "role")

