"""Task forms for people and for programs, from the marshmallow schema alone.

A form in ``forms/`` declares its fields with a label, a help text and, where it has
them, choices. From that one declaration this module makes:

* :func:`describe`: the fields as the worklist page renders them (HTML names, kinds,
  current values, the messages of a refused submission next to each field);
* :func:`submitted`: the posted HTML form turned back into the data the schema loads,
  so the page and the REST API are validated by the same schema;
* :func:`json_schema`: the form as JSON Schema, for other clients of the API.

Nested parts use dotted HTML names (``profile.age``); rows of a list of parts are
numbered (``annex_steps.0.cost``), and rows left blank are dropped.

The words of a form are English in ``forms/``; :func:`describe` and :func:`json_schema`
take the ``translate`` of the reader's language (``web.common.procedure_texts.translate``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from markupsafe import Markup
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

BLANK_ROWS = 2
"""Empty rows offered after the filled ones of a list of parts."""

Translate = Callable[[str], str]


def as_written(text: str) -> str:
    return text


@dataclass
class FieldSpec:
    """One input of a rendered form."""

    name: str
    """The HTML name: the data key, dotted below nested parts."""
    label: str
    help: str
    kind: str
    """text, multiline, date, number, decimal, flag, question, choice, choices, lines,
    part, rows"""
    required: bool
    value: Any = None
    choices: list[str] = field(default_factory=list)
    choice_labels: dict[str, str] = field(default_factory=dict)
    """What the form shows for each choice, in the reader's language."""
    errors: list[str] = field(default_factory=list)
    children: list[FieldSpec] = field(default_factory=list)
    rows: list[list[FieldSpec]] = field(default_factory=list)
    past: bool = False
    shown_when: dict[str, Any] | None = None
    """The field applies only when another field holds one of some answers
    (``forms.fields.only_when``): the page hides it otherwise."""
    first_by: dict[str, Any] | None = None
    """The choices another field's answer puts first, the rest folded under ``others``
    (``forms.fields.first_by``)."""

    @property
    def html_id(self) -> str:
        return "f-" + self.name.replace(".", "-")

    def error_id(self, number: int) -> str:
        """The element id of the field's ``number``-th message, counted from 1."""
        return f"{self.html_id}-error" + (f"-{number}" if number > 1 else "")

    def aria(self, *, required: bool = True) -> Markup:
        """The attributes that give a screen reader what the eye sees around the control:
        its help and messages, whether it was refused and whether it must be filled.
        ``required=False`` for a group of checkboxes, whose role has no such state."""
        described = ([f"{self.html_id}-help"] if self.help else []) + [
            self.error_id(number) for number in range(1, len(self.errors) + 1)]
        attributes = []
        if described:
            attributes.append(Markup('aria-describedby="{}"').format(" ".join(described)))
        if self.errors:
            attributes.append(Markup('aria-invalid="true"'))
        if required and self.required:
            attributes.append(Markup('aria-required="true"'))
        return Markup(" ").join(attributes)


def describe(schema: Schema, values: Mapping[str, Any] | None = None,
             errors: Mapping[str, Any] | None = None, prefix: str = "",
             translate: Translate = as_written) -> list[FieldSpec]:
    """The inputs of ``schema``, filled with ``values`` and marked with ``errors``.

    ``errors`` may be marshmallow's nested messages or the engine's flat ones
    (``goals.0.description``, engine.services.tasks.field_messages): both reach the
    field inside its section or row."""
    values = values or {}
    errors = _nested(errors or {})
    specs = []
    for name, schema_field in schema.load_fields.items():
        key = schema_field.data_key or name
        specs.append(_spec(schema_field, f"{prefix}{key}", values.get(key), errors.get(key),
                           translate))
    return specs


def _spec(schema_field: fields.Field, name: str, value: Any, errors: Any,
          translate: Translate) -> FieldSpec:
    meta = schema_field.metadata
    choices = list(meta.get("choices", []))
    spec = FieldSpec(name=name, label=translate(meta.get("label", name)),
                     help=translate(meta.get("help", "")),
                     kind=_kind(schema_field), required=schema_field.required,
                     value=value, choices=choices,
                     choice_labels=_choice_labels(meta, translate),
                     errors=[translate(m) for m in _messages(
                         errors, items=_kind(schema_field) in ("choices", "lines"))],
                     past=bool(meta.get("past")), shown_when=_shown_when(meta, name),
                     first_by=_first_by(meta, name, translate))
    if spec.kind == "part":
        assert isinstance(schema_field, fields.Nested)
        spec.children = describe(_schema(schema_field), value if isinstance(value, Mapping)
                                 else {}, errors if isinstance(errors, Mapping) else {},
                                 prefix=f"{name}.", translate=translate)
    elif spec.kind == "rows":
        inner = _schema(schema_field.inner)  # type: ignore[attr-defined]
        filled = [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []
        row_errors = errors if isinstance(errors, Mapping) else {}
        spec.rows = [describe(inner, row, row_errors.get(i) or row_errors.get(str(i)),
                              prefix=f"{name}.{i}.", translate=translate)
                     for i, row in enumerate([*filled, *([{}] * BLANK_ROWS)])]
    elif spec.kind == "lines" and isinstance(value, list):
        spec.value = "\n".join(str(v) for v in value)
    return spec


def _shown_when(meta: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The condition with the controlling field's HTML name, beside this one's."""
    rule = meta.get("shown_when")
    if not rule:
        return None
    return {"field": _sibling(name, rule["field"]), "is": list(rule["is"])}


def _first_by(meta: Mapping[str, Any], name: str,
              translate: Translate) -> dict[str, Any] | None:
    rule = meta.get("first_by")
    if not rule:
        return None
    return {"field": _sibling(name, rule["field"]), "groups": rule["groups"],
            "others": translate(rule["others"])}


def _sibling(name: str, other: str) -> str:
    """The HTML name of the field ``other`` in the same part or row as ``name``."""
    return f"{name.rsplit('.', 1)[0]}.{other}" if "." in name else other


def init_app(app: Flask) -> None:
    app.jinja_env.globals["problems"] = problems


def problems(specs: list[FieldSpec]) -> list[tuple[str, str, str]]:
    """Every refused field, nested ones too, as (label, first message, element id): the
    summary at the top of a refused form links each to its field."""
    found = []
    for spec in specs:
        if spec.errors:
            found.append((spec.label, spec.errors[0], spec.html_id))
        found += problems(spec.children)
        for row in spec.rows:
            found += problems(row)
    return found


def choice_label(choice: str, labels: Mapping[str, str]) -> str:
    """What a form shows for a choice: its label, else its key in words."""
    return labels.get(choice) or choice.replace("_", " ")


def _choice_labels(meta: Mapping[str, Any], translate: Translate) -> dict[str, str]:
    labels = meta.get("choice_labels") or {}
    return {c: translate(choice_label(c, labels)) for c in meta.get("choices", [])}


def _kind(schema_field: fields.Field) -> str:
    meta = schema_field.metadata
    if isinstance(schema_field, fields.Nested):
        return "part"
    if isinstance(schema_field, fields.List):
        if isinstance(schema_field.inner, fields.Nested):
            return "rows"
        return "choices" if meta.get("choices") else "lines"
    if isinstance(schema_field, fields.Boolean):
        return "question" if schema_field.required else "flag"
    if isinstance(schema_field, fields.Date):
        return "date"
    if isinstance(schema_field, fields.Integer):
        return "number"
    if isinstance(schema_field, fields.Decimal | fields.Float):
        return "decimal"
    if meta.get("choices"):
        return "choice"
    return "multiline" if meta.get("multiline") else "text"


def _schema(nested: Any) -> Schema:
    schema = nested.schema
    assert isinstance(schema, Schema)
    return schema


def _nested(errors: Mapping[str, Any]) -> dict[str, Any]:
    """``{"goals.0.title": [...]}`` as ``{"goals": {"0": {"title": [...]}}}``; a
    section's own messages stay beside those of its fields, under ``_schema``."""
    found: dict[str, Any] = {}
    for key, messages in errors.items():
        _put(found, str(key).split("."), messages)
    return found


def _put(into: dict[str, Any], path: list[str], messages: Any) -> None:
    head, rest = path[0], path[1:]
    if not rest:
        if isinstance(into.get(head), dict) and not isinstance(messages, Mapping):
            into[head]["_schema"] = messages
        else:
            into[head] = messages
        return
    inner = into.get(head)
    if not isinstance(inner, dict):
        inner = {} if inner is None else {"_schema": inner}
        into[head] = inner
    _put(inner, rest, messages)


def _messages(errors: Any, *, items: bool = False) -> list[str]:
    """A field's own messages; with ``items``, those of its items too (a list of
    choices or lines refused item by item)."""
    if isinstance(errors, list):
        return [str(e) for e in errors if isinstance(e, str)]
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, Mapping):
        if items:
            return [m for key in sorted(errors, key=str)
                    for m in _messages(errors[key], items=True)]
        if "_schema" in errors:
            return _messages(errors["_schema"])
    return []


def prefill(schema: Schema, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The values a new form is offered: each field declared ``prefilled`` from a
    variable the case holds (and the reader may read) starts with that value."""
    values = {}
    for name, schema_field in schema.load_fields.items():
        source = schema_field.metadata.get("prefill")
        if source and variables.get(source) is not None:
            values[schema_field.data_key or name] = variables[source]
    return values


# --- the posted form -> data ------------------------------------------------------------


def submitted(schema: Schema, form: MultiDict[str, str], prefix: str = "") -> dict[str, Any]:
    """The posted fields of ``schema`` as the data its ``load`` expects.

    A blank optional input is left out, so the schema's default applies; a blank
    required one is left out too, so the schema says it is missing. A question (a
    required yes or no, such as her consent) is answered only by choosing one: left
    unanswered it is missing, never a no.
    """
    data: dict[str, Any] = {}
    for name, schema_field in schema.load_fields.items():
        key = schema_field.data_key or name
        html = f"{prefix}{key}"
        kind = _kind(schema_field)
        if kind == "flag":
            data[key] = form.get(html) in ("on", "true", "1", "yes")
        elif kind == "question":
            answer = form.get(html, "").strip()
            if answer:
                data[key] = {"yes": True, "no": False}.get(answer, answer)
        elif kind == "choices":
            data[key] = form.getlist(html)
        elif kind == "lines":
            text = form.get(html, "")
            if text.strip() or schema_field.required:
                data[key] = [line.strip() for line in text.splitlines() if line.strip()]
        elif kind == "part":
            part = submitted(_schema(schema_field), form, prefix=f"{html}.")
            if part or schema_field.required:
                data[key] = part
        elif kind == "rows":
            rows = _rows(_schema(schema_field.inner), form, html)  # type: ignore[attr-defined]
            if rows or schema_field.required:
                data[key] = rows
        else:
            text = form.get(html, "").strip()
            if text:
                data[key] = text
    return data


def _rows(schema: Schema, form: MultiDict[str, str], name: str) -> list[dict[str, Any]]:
    """Numbered rows in order; a row whose inputs are all blank is not a row."""
    numbers = sorted({int(key[len(name) + 1:].split(".", 1)[0]) for key in form
                      if key.startswith(f"{name}.") and key[len(name) + 1:].split(".", 1)[0]
                      .isdigit()})
    rows = []
    for number in numbers:
        prefix = f"{name}.{number}."
        if any(form.get(key, "").strip() for key in form if key.startswith(prefix)):
            rows.append(submitted(schema, form, prefix=prefix))
    return rows


# --- JSON Schema ------------------------------------------------------------------------


def json_schema(schema: Schema, title: str = "",
                translate: Translate = as_written) -> dict[str, Any]:
    """The form as a JSON Schema object, with labels as titles and help as descriptions."""
    properties: dict[str, Any] = {}
    required = []
    for name, schema_field in schema.load_fields.items():
        key = schema_field.data_key or name
        properties[key] = _property(schema_field, translate)
        if schema_field.required:
            required.append(key)
    result: dict[str, Any] = {"type": "object", "properties": properties,
                              "additionalProperties": False}
    if title:
        result["title"] = title
    if required:
        result["required"] = required
    return result


def _property(schema_field: fields.Field, translate: Translate) -> dict[str, Any]:
    meta = schema_field.metadata
    kind = _kind(schema_field)
    found: dict[str, Any]
    if kind == "part":
        found = json_schema(_schema(schema_field), translate=translate)
    elif kind == "rows":
        inner = _schema(schema_field.inner)  # type: ignore[attr-defined]
        found = {"type": "array", "items": json_schema(inner, translate=translate)}
    elif kind == "choices":
        found = {"type": "array", "items": {"type": "string", "enum": meta["choices"]},
                 "uniqueItems": True}
    elif kind == "lines":
        found = {"type": "array", "items": {"type": "string"}}
    elif kind in ("flag", "question"):
        found = {"type": "boolean"}
    elif kind == "date":
        found = {"type": "string", "format": "date"}
    elif kind == "number":
        found = {"type": "integer", **_range(schema_field)}
    elif kind == "decimal":
        found = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}
    elif kind == "choice":
        found = {"type": "string", "enum": meta["choices"]}
    else:
        found = {"type": "string"}
    if meta.get("choices"):
        found["x-choice-labels"] = _choice_labels(meta, translate)  # what a form shows
    if schema_field.allow_none:
        found["type"] = [found["type"], "null"] if "type" in found else found.get("type")
    found["title"] = translate(meta.get("label", ""))
    if meta.get("help"):
        found["description"] = translate(meta["help"])
    if meta.get("past"):
        found["x-not-after-today"] = True
    return found


def _range(schema_field: fields.Field) -> dict[str, Any]:
    for rule in schema_field.validators:
        if isinstance(rule, validate.Range):
            return {k: v for k, v in (("minimum", rule.min), ("maximum", rule.max))
                    if v is not None}
    return {}
