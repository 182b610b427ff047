"""Need to know: which roles may read which data of a case.

The data of a case falls in four kinds:

* ``case``: dates, decisions, outcomes, flags: what the procedures run on;
* ``identity``: what tells who she is: name, date of birth, documents, languages;
* ``contact``: where she is and how to reach her, what her traffickers would want most;
* ``narrative``: free text in her words or an actor's, which may say anything.

A form field says its kind in its metadata (``forms.fields``: every free-text field is a
narrative; ``identifying=True`` marks identity); a process variable takes the most
sensitive kind of the form fields it comes from, nested ones included, and is ``case``
when no form writes it (a handler's date or flag). A role reads the kinds in
:data:`READS`; what it may not read is left out of what it is shown, never blanked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields

CASE, IDENTITY, CONTACT, NARRATIVE = "case", "identity", "contact", "narrative"
KINDS = (CASE, IDENTITY, CONTACT, NARRATIVE)
"""From least to most sensitive."""
PERSONAL = frozenset({IDENTITY, CONTACT, NARRATIVE})

READS: dict[str, frozenset[str]] = {
    "coordinator": frozenset(KINDS),
    "ngo_counsellor": frozenset(KINDS),
    "social_work": frozenset(KINDS),
    "prosecutor": frozenset(KINDS),
    "police": frozenset({CASE, IDENTITY}),
    "legal_adviser": frozenset({CASE, IDENTITY, CONTACT}),
    "admin_unit": frozenset({CASE, IDENTITY, CONTACT}),
    "return_officer": frozenset({CASE, IDENTITY}),
    "first_line": frozenset({CASE}),
    "school": frozenset({CASE}),
    "admin": frozenset({CASE}),
    "policy_analyst": frozenset(),
}
"""The counsellors, social workers, coordinator and prosecutor work with her account; the
offices that decide on her stay need to know who she is and where to write to her, the
police and the return officer who she is, none of them her story; a school, the
first-line officer who referred her and the technical admin need none of it."""


def readable(roles: Iterable[str]) -> frozenset[str]:
    """The kinds of data someone holding ``roles`` may read."""
    found: set[str] = set()
    for role in roles:
        found |= READS.get(role, frozenset())
    return frozenset(found)


class VariableKinds:
    """The kind of each process variable, from the form fields that write it."""

    def __init__(self, forms: Any) -> None:
        self._kinds: dict[str, str] = {}
        for key in forms:
            form = forms.get(key)
            if form is not None:
                for name, field in form().load_fields.items():
                    self._note(field.data_key or name, _kind(field))

    def _note(self, name: str, kind: str) -> None:
        known = self._kinds.get(name, CASE)
        self._kinds[name] = max(known, kind, key=KINDS.index)

    def kind(self, name: str) -> str:
        return self._kinds.get(name, CASE)

    def shown(self, variables: Mapping[str, Any],
              allowed: frozenset[str]) -> tuple[dict[str, Any], list[str]]:
        """The variables of the ``allowed`` kinds, and the personal ones among them."""
        shown = {name: value for name, value in variables.items()
                 if self.kind(name) in allowed}
        return shown, sorted(name for name in shown if self.kind(name) in PERSONAL)


def _kind(field: fields.Field) -> str:
    """The most sensitive kind in ``field``, walking nested parts and lists."""
    kinds = [field.metadata.get("personal", CASE)]
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        kinds += [_kind(inner) for inner in field.schema.load_fields.values()]
    elif isinstance(field, fields.List):
        kinds.append(_kind(field.inner))
    return max(kinds, key=KINDS.index)
