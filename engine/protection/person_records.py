"""Her personal record: read and written by need to know, sealed, every read logged.

The record (its form is forms.person, given by the config) lives in her case record,
sealed with her data key. A role reads the fields of the kinds engine.protection.privacy
gives it; the others are left out. A read that shows a filled field writes an access
event with the names of the fields shown; a role that may read none of it is refused,
and the refusal is logged too. Only the roles that work with her directly write it; each
change is in the history by field name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError

from engine.context import EngineContext
from engine.errors import Forbidden, ValidationFailed
from engine.kit.texts import translatable
from engine.obligations import consents
from engine.protection.access import REFUSED, AccessLog, Reader
from engine.protection.plain_text import refuse_broken_text
from engine.protection.privacy import PERSONAL, readable
from engine.services.tasks import field_messages
from engine.store.models import CaseRecord
from engine.views import View

WRITERS = ("coordinator", "ngo_counsellor", "social_work")
EMPTY = ("", None, [])


@dataclass(frozen=True)
class PersonView(View):
    case_code: str
    fields: dict[str, Any]
    """Only the fields her roles may read; the others are absent."""
    editable: bool


class PersonRecordService:
    def __init__(self, ctx: EngineContext, access: AccessLog, schema: type[Schema]) -> None:
        """``schema`` is the form of her record (``forms.person``, given by the config):
        each field's ``personal`` metadata says its kind, ``name_fields`` which hold her
        name."""
        self.ctx = ctx
        self.access = access
        self.schema = schema
        self.kinds = {name: field.metadata.get("personal", "identity")
                      for name, field in schema().load_fields.items()}
        self.name_fields = tuple(getattr(schema, "name_fields", ()))

    def read(self, reader: Reader, code: str, what: str) -> PersonView:
        allowed = readable(reader.roles) & PERSONAL
        if not allowed:
            self.access.record(reader, code, [], what, REFUSED)
            raise Forbidden("your roles do not allow reading her personal record")
        with self.ctx.db.transaction() as session:
            record = self.ctx.vault.case_record(session, code)
            stored = self._stored(session, record)
            shown = {name: value for name, value in stored.items() if self.kinds[name] in allowed}
            filled = [name for name, value in shown.items() if value not in EMPTY]
            if filled:
                self.access.record_in(session, reader, code, filled, what)
        return PersonView(code, shown, editable=any(r in WRITERS for r in reader.roles))

    def write(self, reader: Reader, code: str, data: Any, what: str) -> PersonView:
        """Change the given fields; the others keep their values."""
        if not any(role in WRITERS for role in reader.roles):
            self.access.record(reader, code, [], what, REFUSED)
            raise Forbidden("only the coordinator, NGO counsellors and social workers "
                            "change her personal record")
        if not isinstance(data, Mapping):
            raise ValidationFailed("her personal record was not changed",
                                   {"_form": ["Send the fields as a JSON object."]})
        refuse_broken_text(data, "her personal record was not changed")
        schema = self.schema(today=self.ctx.today())
        try:
            given = schema.load(data, partial=True)
        except ValidationError as exc:
            raise ValidationFailed("her personal record was not changed",
                                   field_messages(exc.messages)) from exc
        with self.ctx.db.transaction() as session:
            record = self.ctx.vault.case_record(session, code)
            before = self._stored(session, record)
            after = {**before, **self.schema().dump(given)}
            changed = sorted(name for name in after if after[name] != before.get(name))
            _check_name_basis(session, code, after, changed, self.name_fields)
            if changed:
                record.person = self.ctx.vault.seal(session, code, "person", after)
                session.audit("person_record_changed", reader.username,
                               data_keys=changed, detail=f"case {code}")
        return self.read(reader, code, what)

    def _stored(self, session: Any, record: CaseRecord) -> dict[str, Any]:
        empty = self.schema().dump(self.schema().load({}))
        if record.person is None:
            return empty
        return {**empty, **self.ctx.vault.open(session, record.code, "person", record.person)}


NAME_NEEDS_BASIS = translatable(
    "Her name is recorded only with her consent or on a legal basis: record her consent "
    "to recording her name in the consent register, or choose the legal basis.")


def _check_name_basis(session: Any, code: str, after: Mapping[str, Any],
                      changed: list[str], name_fields: tuple[str, ...]) -> None:
    """A name written into her record needs her standing consent to it, or a legal basis
    recorded with it (seed 000: her name only with her consent)."""
    named = [name for name in name_fields if name in changed and after.get(name)]
    if not named or after.get("identity_basis"):
        return
    if consents.standing(session, code, "record_identity") is None:
        raise ValidationFailed("her personal record was not changed",
                               {name: [NAME_NEEDS_BASIS] for name in named})
