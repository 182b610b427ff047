"""Need to know: which roles may read which data of a case.

The data of a case falls in five kinds:

* ``case``: dates, decisions, outcomes, flags: what the procedures run on;
* ``identity``: what tells who she is: name, date of birth, documents, languages;
* ``contact``: where she is and how to reach her, what her traffickers would want most;
* ``disclosed``: what she chose to disclose for the criminal proceedings, in the words
  she agreed to give the prosecutor;
* ``narrative``: free text in her words or an actor's, which may say anything.

A form field says its kind in its metadata (``forms.fields``: every free-text field is a
narrative unless it is written for the proceedings; ``identifying=True`` marks identity);
a process variable takes the most sensitive kind of the form fields it comes from, nested
ones included, and is ``case`` when no form writes it (a handler's date or flag), unless
:data:`DERIVED` says a handler builds it from a form's text. A role reads the kinds in
:data:`READS`; what it may not read is left out of what it is shown, never blanked.

The rights are not a ladder: the prosecutor reads what she disclosed but not where she
lives, the legal adviser where she lives but not what she disclosed. So "most sensitive"
of two kinds is the least kind in :data:`KINDS` that only the readers of both may read
(:func:`joined`): a variable written both as contact and as disclosed is a narrative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields

CASE, IDENTITY, CONTACT, DISCLOSED, NARRATIVE = (
    "case", "identity", "contact", "disclosed", "narrative")
KINDS = (CASE, IDENTITY, CONTACT, DISCLOSED, NARRATIVE)
"""From least to most sensitive."""
PERSONAL = frozenset({IDENTITY, CONTACT, DISCLOSED, NARRATIVE})

READS: dict[str, frozenset[str]] = {
    "coordinator": frozenset(KINDS),
    "ngo_counsellor": frozenset(KINDS),
    "social_work": frozenset(KINDS),
    "prosecutor": frozenset({CASE, IDENTITY, DISCLOSED}),
    "police": frozenset({CASE, IDENTITY}),
    "legal_adviser": frozenset({CASE, IDENTITY, CONTACT}),
    "admin_unit": frozenset({CASE, IDENTITY, CONTACT}),
    "return_officer": frozenset({CASE, IDENTITY}),
    "first_line": frozenset({CASE}),
    "school": frozenset({CASE}),
    "admin": frozenset({CASE}),
    "policy_analyst": frozenset(),
}
"""The counsellors, social workers and the coordinator work with her account; the offices
that decide on her stay need to know who she is and where to write to her, the police and
the return officer who she is, none of them her story; a school, the first-line officer
who referred her and the technical admin need none of it.

Support and prosecution stay apart. The prosecutor reads the case data, who she is, and
what she chose to disclose for the criminal proceedings, nothing else she said: not the
counselling, the intake notes, her own view of her situation or her health. Her private
life and identity are protected and her data used only for its purpose (Council of Europe
Convention on Action against Trafficking in Human Beings, CETS No. 197, Art. 11); her
support does not depend on her being a witness (Art. 12(6)), and what she tells those who
support her reaches law enforcement only as far as she decides (OSCE/ODIHR, National
Referral Mechanisms handbook: support and the criminal justice process are kept apart;
seed 000: confidentiality in every phase of the legal proceedings, and her consent to any
disclosure). Every role that reads narratives also reads what she disclosed."""


PERSON_READERS = tuple(role for role, kinds in READS.items() if kinds & PERSONAL)
"""Who may open her record at all; each sees only her own kinds of field."""
CASE_READERS = ("coordinator", "legal_adviser", "admin")
"""Who reads a whole case: its procedures, their data, its history and its access log."""
DIAGRAM_READERS = ("policy_analyst", "coordinator", "admin")
"""Who reads the procedures' diagrams and decision tables."""
STATISTICS_READERS = ("policy_analyst", "coordinator", "admin")
"""Who reads the anonymous statistics of the referral mechanism (never a case)."""
DEADLINE_OVERSEERS = ("legal_adviser", "coordinator", "admin")
"""Who sees every legal deadline; every other role sees the deadlines it owns."""

DERIVED: dict[str, str] = {
    "indicators": NARRATIVE,
    "plan_services": NARRATIVE,
    "intake_sessions": NARRATIVE,
}
"""Variables a handler builds from a form's free text, by the kind of that text: her
plan's indicators and services with their descriptions (handlers.protection_plan), the
notes of each intake session (handlers.reintegration). No form writes them, so they would
otherwise count as case data and reach every role."""


def readable(roles: Iterable[str]) -> frozenset[str]:
    """The kinds of data someone holding ``roles`` may read."""
    found: set[str] = set()
    for role in roles:
        found |= READS.get(role, frozenset())
    return frozenset(found)


def joined(*kinds: str) -> str:
    """The kind of data made of ``kinds``: the least kind only their common readers read.

    Along the ladder it is the most sensitive of them; for kinds no ladder orders
    (contact and disclosed) it is the first kind that no one reading just one of them
    reads, so mixing them never widens who reads either.
    """
    readers = {role for role, reads in READS.items() if all(k in reads for k in kinds)}
    for kind in KINDS[max((KINDS.index(k) for k in kinds), default=0):]:
        if {role for role, reads in READS.items() if kind in reads} <= readers:
            return kind
    return NARRATIVE


class VariableKinds:
    """The kind of each process variable, from the form fields that write it and
    :data:`DERIVED`."""

    def __init__(self, forms: Any) -> None:
        self._kinds: dict[str, str] = {}
        for key in forms:
            form = forms.get(key)
            if form is not None:
                for name, field in form().load_fields.items():
                    self._note(field.data_key or name, _kind(field))
        for name, kind in DERIVED.items():
            self._note(name, kind)

    def _note(self, name: str, kind: str) -> None:
        self._kinds[name] = joined(self._kinds.get(name, CASE), kind)

    def kind(self, name: str) -> str:
        return self._kinds.get(name, CASE)

    def shown(self, variables: Mapping[str, Any],
              allowed: frozenset[str]) -> tuple[dict[str, Any], list[str]]:
        """The variables of the ``allowed`` kinds, and the personal ones among them."""
        shown = {name: value for name, value in variables.items()
                 if self.kind(name) in allowed}
        return shown, sorted(name for name in shown if self.kind(name) in PERSONAL)


def _kind(field: fields.Field) -> str:
    """The kind of ``field``: its own joined with its nested parts' and list items'."""
    kinds = [field.metadata.get("personal", CASE)]
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        kinds += [_kind(inner) for inner in field.schema.load_fields.values()]
    elif isinstance(field, fields.List):
        kinds.append(_kind(field.inner))
    return joined(*kinds)
