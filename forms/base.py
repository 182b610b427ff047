"""The base of every form schema and the registry that maps form keys to schemas."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError

from engine.jurisdiction import Jurisdiction
from engine.jurisdiction import jurisdiction as default_jurisdiction


class FormSchema(Schema):
    """A task form: marshmallow fields with ``metadata={"label": ..., "help": ...}``.

    ``variables`` are the instance's process data, ``today`` the local date and
    ``jurisdiction`` the legal numbers in force, so a form can check rules that depend on
    the case (an extension only once, a date not in the future, a permit of 6-12 months).
    """

    title: ClassVar[str] = ""

    class Meta:
        unknown = RAISE

    def __init__(self, *, variables: Mapping[str, Any] | None = None,
                 today: date | None = None, jurisdiction: Jurisdiction | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.variables: dict[str, Any] = dict(variables or {})
        self.today: date = today or date.today()
        self.jurisdiction: Jurisdiction = jurisdiction or default_jurisdiction()

    def not_in_future(self, value: date | None, field: str) -> None:
        if value is not None and value > self.today:
            raise ValidationError("The date cannot be in the future.", field)


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
