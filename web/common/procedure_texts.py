"""The procedures' own words in the reader's language.

Forms, handlers and diagrams are written in English: the labels, help texts and choices
of the forms and the messages a form gives when it refuses a value; the names and
documentation of the tasks and procedures; the titles of legal deadlines. Pages show
them through :func:`translate` (the ``tr`` filter in templates) from the ``procedures``
catalogue, kept apart from the pages' own ``messages`` catalogue because its source is
the procedures, not ``web/``.

A text that is not in the catalogue is shown as written: a task an analyst renamed in
the modeler today keeps her new English name until it is translated. A message with a
code or a number in it (``Each indicator once only: I-2.``) is translated through the
template it was made from (``Each indicator once only: {codes}.``), which the catalogue
holds with the placeholder kept.

:func:`write_template` writes the template of the catalogue, every such text of
``forms/``, ``handlers/``, ``engine/`` and ``processes/`` (``make messages`` calls it).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from flask import Flask, g
from flask_babel import Domain
from marshmallow import Schema, fields

from engine.kit.jurisdiction import JURISDICTIONS, load_jurisdiction
from engine.kit.language import PLACEHOLDER, normalized, translate_in
from engine.kit.roles import ROLES
from engine.views import DefinitionView

from .acting import engine
from .form_fields import choice_label

DOMAIN = "procedures"
ROOT = Path(__file__).resolve().parents[2]
MARKED = {"forms": ("translatable", "ValidationError"), "handlers": ("translatable",),
          "engine": ("translatable",)}
"""By folder, the calls whose first argument, a literal, is a text to translate (see
``engine.kit.texts``).

A form's refusal is shown to the actor; the engine's own errors are for the log."""
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
STEP_KINDS = ("Task", "Event", "Gateway", "subProcess", "callActivity", "transaction")
"""The elements a history may name besides user tasks (``serviceTask``, ``boundaryEvent``,
``exclusiveGateway``...)."""

_domain = Domain(domain=DOMAIN)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["tr"] = translate
    app.jinja_env.filters["procedure"] = procedure_name


def deployed() -> list[DefinitionView]:
    """The latest version of every deployed procedure, read once per request: a page's
    names, filters and steps all come from this one read."""
    if "deployed" not in g:
        g.deployed = engine().repository.definitions()
    found: list[DefinitionView] = g.deployed
    return found


def procedure_name(key: str | None) -> str:
    """A procedure by its name in the reader's language, never by its key; a key no
    longer deployed is shown in words."""
    if not key:
        return ""
    name = next((d.name for d in deployed() if d.key == key), None)
    return translate(name) if name else key.replace("_", " ")


def translate(text: str | None) -> str:
    """``text`` in the reader's language, or as written when there is no translation."""
    return translate_in(_domain.get_translations(), text)


# --- the template of the catalogue ------------------------------------------------------


def texts() -> Iterator[tuple[str, str, str]]:
    """Every text to translate as (text, where, what it is), in a stable order."""
    yield from _form_texts()
    yield from _variable_texts()
    yield from _marked_texts()
    yield from _diagram_texts()
    yield from _role_texts()


def _variable_texts() -> Iterator[tuple[str, str, str]]:
    """The labels of what handlers write (``HANDLERS.describe``)."""
    from handlers import HANDLERS

    for name, label in sorted(HANDLERS.variables.items()):
        yield label, "", f"label of variable {name}"
        for value, words in HANDLERS.values.get(name, {}).items():
            yield words, "", f"value {value} of variable {name}"


def _form_texts() -> Iterator[tuple[str, str, str]]:
    from forms import FORMS
    from forms.person import PersonRecord

    forms = [(key, FORMS.get(key)) for key in FORMS] + [("case.person", PersonRecord)]
    for key, form in forms:
        assert form is not None
        if form.title:
            yield form.title, key, "form title"
        yield from _schema_texts(form(), key)


def _schema_texts(schema: Schema, where: str) -> Iterator[tuple[str, str, str]]:
    for message in schema.error_messages.values():
        if isinstance(message, str):
            yield message, "", "message of any form"
    for name, field in schema.load_fields.items():
        yield from _field_texts(field, where, field.data_key or name)


def _field_texts(field: fields.Field, where: str, name: str) -> Iterator[tuple[str, str, str]]:
    meta = field.metadata
    if meta.get("label"):
        yield meta["label"], where, f"label of {name}"
    if meta.get("help"):
        yield meta["help"], where, f"help of {name}"
    labels = meta.get("choice_labels") or {}
    for choice in meta.get("choices") or ():
        yield choice_label(choice, labels), where, f"choice {choice} of {name}"
    for message in field.error_messages.values():
        if isinstance(message, str):
            yield message, "", "message of any field"
    for rule in field.validators:
        if isinstance(getattr(rule, "error", None), str):
            yield rule.error, where, f"message of {name}"
    if isinstance(field, fields.Nested):
        nested = field.schema
        assert isinstance(nested, Schema)
        yield from _schema_texts(nested, f"{where}/{name}")
    elif isinstance(field, fields.List):
        yield from _field_texts(field.inner, where, name)


def _marked_texts() -> Iterator[tuple[str, str, str]]:
    for folder, calls in MARKED.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and _name(node.func) in calls and node.args
                        and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)):
                    yield (node.args[0].value, path.relative_to(ROOT).as_posix(),
                           "message")


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _diagram_texts() -> Iterator[tuple[str, str, str]]:
    for path in sorted((ROOT / "processes").glob("*.bpmn")):
        where = f"processes/{path.name}"
        for process in ElementTree.parse(path).getroot().iter(f"{BPMN}process"):
            if process.get("name"):
                yield process.get("name", ""), where, f"name of procedure {process.get('id')}"
            for task in process.iter(f"{BPMN}userTask"):
                element = task.get("id")
                if task.get("name"):
                    yield task.get("name", ""), where, f"name of task {element}"
                for documentation in task.iterfind(f"{BPMN}documentation"):
                    if documentation.text and documentation.text.strip():
                        yield documentation.text, where, f"documentation of task {element}"
            for step in process.iter():
                kind = step.tag.replace(BPMN, "")
                if step.get("name") and kind != "userTask" and kind.endswith(STEP_KINDS):
                    # The history names every step it passed: an event, an automatic
                    # step, a gateway's question.
                    yield step.get("name", ""), where, f"name of step {step.get('id')}"


def _role_texts() -> Iterator[tuple[str, str, str]]:
    """The roles by their generic labels, and by what each jurisdiction calls them."""
    for role, label in ROLES.items():
        yield label, "engine/kit/roles.py", f"label of role {role}"
    for path in sorted(JURISDICTIONS.glob("*.toml")):
        place = load_jurisdiction(path)
        where = f"processes/jurisdictions/{path.name}"
        for role, label in sorted(place.role_labels.items()):
            yield label, where, f"label of role {role} in {place.code}"


def template() -> Catalog:
    """The catalogue template: each text once, with where it is used and what it is."""
    catalog = Catalog(project="varnapot", copyright_holder="Varna pot", domain=DOMAIN,
                      fuzzy=False)
    for text, where, what in texts():
        key = normalized(text)
        if key in catalog:
            entry = catalog[key]
            assert entry is not None
            if what not in entry.auto_comments:
                entry.auto_comments.append(what)
            if where and (where, None) not in entry.locations:
                entry.locations.append((where, None))
        else:
            catalog.add(key, locations=[(where, None)] if where else [], auto_comments=[what],
                        flags=["python-brace-format"] if PLACEHOLDER.search(key) else [])
    return catalog


def write_template(path: str | Path) -> None:
    with Path(path).open("wb") as out:
        write_po(out, template(), width=100, sort_output=False, include_lineno=False)
