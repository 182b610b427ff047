"""The base of every form schema and the registry that maps form keys to schemas."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema
from marshmallow.decorators import VALIDATES_SCHEMA
from marshmallow.error_store import ErrorStore

from engine.kit.jurisdiction import Jurisdiction
from engine.kit.jurisdiction import jurisdiction as default_jurisdiction
from engine.kit.texts import translatable

FUTURE_DAY = translatable("The date cannot be in the future.")

ANSWER = translatable("Answer yes or no.")
GIVE_DATE = translatable("Give the date.")
REAL_DATE = translatable("Give a real date: day, month and year.")
CHOOSE_ONE = translatable("Choose one.")
CHOOSE_SOME = translatable("Choose at least one.")
ADD_ROW = translatable("Add at least one.")
WHOLE_NUMBER = translatable("Give a whole number.")
FILL_IN = translatable("Fill this in.")


@dataclass(frozen=True)
class ConsentAsked:
    """Where a form records her answer to a consent question, for the consent register.

    ``answer`` is a flag, or a choice whose value ``"given"`` means yes; ``on`` the day
    she answered; ``by_guardian`` when the guardian decides with the child;
    ``by_best_interests`` when it is no one's consent but the centre for social work's
    decision in a child's best interests, taken after hearing her, which protecting a
    child does not wait for (CETS Art. 10(4)).
    """

    purpose: str
    answer: str
    on: str
    interpreter: str | None = None
    by_guardian: bool = False
    by_best_interests: bool = False

    def __post_init__(self) -> None:
        if self.by_guardian and self.by_best_interests:
            raise ValueError("an answer is the guardian's or a best-interests decision, "
                             "not both")


class FormSchema(Schema):
    """A task form: marshmallow fields with ``metadata={"label": ..., "help": ...}``.

    ``variables`` are the instance's process data, ``today`` the local date and
    ``jurisdiction`` the legal numbers in force, so a form can check rules that depend on
    the case (an extension only once, a permit of 6-12 months). A day built with
    ``day(..., past=True)`` is refused after ``today`` without a check of its own.
    """

    title: ClassVar[str] = ""
    consent_asked: ClassVar[ConsentAsked | None] = None
    """Her answer to a consent question, written to the consent register (engine.consents)."""
    needs_consent: ClassVar[str | None] = None
    """The purpose a valid consent must exist for before this task can complete: the
    task refers her or discloses her data."""
    withdraws_consent: ClassVar[tuple[str, str] | None] = None
    """(purpose, flag field): ticking the flag withdraws her consent to that purpose."""
    builds_on: ClassVar[tuple[str, ...]] = ()
    """What earlier steps recorded that this task works from: its page shows these
    first, in this order, and folds the rest of the case's data (by need to know)."""

    class Meta:
        unknown = RAISE

    def __init__(self, *, variables: Mapping[str, Any] | None = None,
                 today: date | None = None, jurisdiction: Jurisdiction | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.variables: dict[str, Any] = dict(variables or {})
        self.today: date = today or date.today()
        self.jurisdiction: Jurisdiction = jurisdiction or default_jurisdiction()

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        in_words(field_obj)

    def _invoke_schema_validators(self, *, error_store: ErrorStore, pass_collection: bool,
                                  data: Any, original_data: Any, many: bool, partial: Any,
                                  field_errors: bool = False, unknown: Any = None) -> None:
        """Every problem in one round: the checks across fields run even when a field was
        refused, on the fields that were valid, so she is not sent back a second time
        for what the first answer could have said. What they say of a field already
        refused is left out (its own message stands), and a check that needs a refused
        field says nothing until that field is right."""
        if not field_errors or many:
            super()._invoke_schema_validators(
                error_store=error_store, pass_collection=pass_collection, data=data,
                original_data=original_data, many=many, partial=partial,
                field_errors=field_errors, unknown=unknown)
            return
        refused = set(error_store.errors)
        found = ErrorStore()
        for attr_name, hook_many, options in self._hooks[VALIDATES_SCHEMA]:
            if hook_many != pass_collection:
                continue
            try:
                self._run_validator(getattr(self, attr_name), data,
                                    original_data=original_data, error_store=found,
                                    many=many, partial=partial, unknown=unknown,
                                    pass_original=options.get("pass_original", False))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue  # it needs a field that was refused
        for name, messages in found.errors.items():
            if name not in refused:
                error_store.store_error(messages, name)

    @validates_schema
    def _check_past_days(self, data: dict[str, Any], **_: Any) -> None:
        """Refuse a future day in every field declared ``past``, nested ones included.

        Nested parts are plain schemas without ``today``, so the form walks them itself.
        """
        errors = _future_days(self, data, self.today)
        if errors:
            raise ValidationError(errors)


def _future_days(schema: Schema, data: Any, today: date) -> dict[str, Any]:
    """Messages by field for the loaded ``data`` of ``schema``, shaped as marshmallow's."""
    errors: dict[str, Any] = {}
    if not isinstance(data, Mapping):
        return errors
    for name, field in schema.load_fields.items():
        found = _future_day(field, data.get(field.attribute or name), today)
        if found:
            errors[field.data_key or name] = found
    return errors


def _future_day(field: fields.Field, value: Any, today: date) -> Any:
    """The messages for one loaded value: a list, or a dict by index or name when nested."""
    if value is None:
        return None
    if isinstance(field, fields.List):
        return _by_index(_future_day(field.inner, item, today) for item in value)
    if isinstance(field, fields.Nested):
        if field.many:
            return _by_index(_future_days(field.schema, item, today) for item in value)
        return _future_days(field.schema, value, today)
    if field.metadata.get("past") and isinstance(value, date) and value > today:
        return [FUTURE_DAY]
    return None


def _by_index(found: Iterable[Any]) -> dict[int, Any]:
    """Only the items with messages, keyed by position as marshmallow keys list errors."""
    return {i: messages for i, messages in enumerate(found) if messages}


class FormRegistry:
    """Form key -> schema class; diagrams name forms by key."""

    def __init__(self) -> None:
        self._schemas: dict[str, type[FormSchema]] = {}

    def register(self, key: str) -> Callable[[type[FormSchema]], type[FormSchema]]:
        def decorate(schema: type[FormSchema]) -> type[FormSchema]:
            if key in self._schemas:
                raise ValueError(f"form key {key!r} is registered twice")
            self._schemas[key] = schema
            return schema

        return decorate

    def get(self, key: str) -> type[FormSchema] | None:
        return self._schemas.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._schemas

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._schemas))


def in_words(field: fields.Field) -> None:
    """Say marshmallow's messages for a missing or malformed value as the form would:
    "Answer yes or no." for a question, "Give the date." for a day, and so on, in
    nested parts and rows too. A form's own message for a field stays as it is."""
    for kind, text in _words_for(field).items():
        if field.error_messages.get(kind) == _default_message(field, kind):
            field.error_messages[kind] = text
    if isinstance(field, fields.Nested):
        for inner in field.schema.fields.values():
            in_words(inner)
    elif isinstance(field, fields.List):
        in_words(field.inner)


def _words_for(field: fields.Field) -> dict[str, str]:
    if isinstance(field, fields.Boolean):
        return {"required": ANSWER, "null": ANSWER, "invalid": ANSWER}
    if isinstance(field, fields.Date):
        return {"required": GIVE_DATE, "null": GIVE_DATE, "invalid": REAL_DATE}
    if isinstance(field, fields.Integer):
        return {"required": FILL_IN, "null": FILL_IN, "invalid": WHOLE_NUMBER}
    if isinstance(field, fields.List):
        many = CHOOSE_SOME if field.metadata.get("choices") else ADD_ROW
        return {"required": many, "null": many}
    if field.metadata.get("choices"):
        return {"required": CHOOSE_ONE, "null": CHOOSE_ONE}
    return {"required": FILL_IN, "null": FILL_IN}


def _default_message(field: fields.Field, kind: str) -> str | None:
    """Marshmallow's own message of ``kind`` for this field's class."""
    for cls in type(field).__mro__:
        found = getattr(cls, "default_error_messages", {}).get(kind)
        if found:
            return found
    return None
