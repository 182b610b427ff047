"""Her personal record: who she is and how to reach her, kept apart from the procedures.

The procedures run on the case code; her name, documents and contacts are needed only by
some actors, and only with her consent (seed 000: the name only with consent). Every
field says its kind for engine.privacy: ``identity``, ``contact`` or ``narrative``. The
record is sealed with the case's key (engine.vault) and every read of it is logged.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from .base import FormSchema
from .fields import choice, day, line, text

DOCUMENT_TYPES = ("passport", "identity_card", "residence_permit", "travel_document", "other")


def _contact(label: str, help_text: str) -> fields.String:
    found = line(label, help_text, load_default="")
    found.metadata["personal"] = "contact"
    return found


class Document(Schema):
    class Meta:
        unknown = RAISE

    type = fields.String(validate=validate.OneOf(DOCUMENT_TYPES, error="Choose one of: "
                                                                       "{choices}."),
                         required=True, metadata={
                             "label": "Document", "help": "What kind of document it is.",
                             "choices": list(DOCUMENT_TYPES), "choice_labels": {},
                             "personal": "identity"})
    number = line("Number", "As written on the document.", identifying=True, required=True)
    issued_by = line("Issued by", "The country or authority.", identifying=True,
                     load_default="")
    valid_until = day("Valid until", "Leave empty if unknown.", identifying=True,
                      allow_none=True, load_default=None)


NAME_FIELDS = ("given_name", "family_name", "other_names")
"""Her name: recorded only with her consent, or on a legal basis written down here."""
IDENTITY_BASES = ("residence_procedure", "criminal_proceedings", "child_protection")


class PersonRecord(FormSchema):
    """What a form shows and the API takes; every field may be left empty."""

    title = "Her personal record"
    name_fields = NAME_FIELDS

    identity_basis = choice(
        IDENTITY_BASES, "Legal basis for her name without her consent",
        "Only when she has not consented to her name being recorded (consent register: "
        "recording her name) and a law requires it: her residence permit application "
        "(ZTuj-2, Art. 50), criminal proceedings in which she is a witness, or a child in "
        "the guardianship of the social work centre.",
        labels={"residence_procedure": "Her residence permit application (ZTuj-2, Art. 50)",
                "criminal_proceedings": "Criminal proceedings in which she is a witness",
                "child_protection": "A child in the guardianship of the social work centre"},
        load_default="", allow_none=False)
    given_name = line("Given name", "Only with her consent to record her name.",
                      identifying=True, load_default="")
    family_name = line("Family name", "Only with her consent to record her name.",
                       identifying=True, load_default="")
    other_names = line("Other names", "Names she is also known by, if it helps to find "
                       "her records.", identifying=True, load_default="")
    date_of_birth = day("Date of birth", "If known.", past=True, identifying=True,
                        allow_none=True, load_default=None)
    place_of_birth = line("Place of birth", "Town and country, if known.", identifying=True,
                          load_default="")
    nationality = line("Nationality", "As far as known.", identifying=True, load_default="")
    languages = line("Languages", "The languages she speaks and prefers.", identifying=True,
                     load_default="")
    documents = fields.List(fields.Nested(Document), load_default=list, metadata={
        "label": "Documents", "help": "Her identity and travel documents, held by her or "
        "by someone else.", "personal": "identity"})
    phone = _contact("Phone", "A number on which it is safe to call her.")
    email = _contact("E-mail", "An address only she reads.")
    address = _contact("Address", "Where she stays now: a shelter's address is kept "
                       "confidential.")
    narrative = text("Her account", "What she told, in her words, as far as she agreed to "
                     "have it written down.", load_default="")


FIELDS: dict[str, str] = {name: field.metadata.get("personal", "identity")
                          for name, field in PersonRecord().load_fields.items()}
"""Each field of the record and its kind."""


def blank() -> dict[str, Any]:
    """An empty record as it is stored: every field, empty, dates as ISO text."""
    return PersonRecord().dump(PersonRecord().load({}))
