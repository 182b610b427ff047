"""/api/modeling: what a diagram may name, and a check of one expression as it is typed.

The modeler's properties panel offers lists instead of free text for everything the
engine looks up by name (roles, forms, handlers, legal deadlines, procedures, decision
tables), and checks each expression against the same safe evaluator that deploy uses, so
a policy analyst learns of a mistake on the field she is typing in, not at publishing.
Neither answer holds anything about a person: any signed-in user may read them.
"""

from __future__ import annotations

import inspect
from typing import Any

from flask.views import MethodView
from flask_login import login_required
from marshmallow import Schema, fields, validate

from engine.bpmn.diagram_code import EDITED_SITES, expression_problem
from engine.bpmn.expressions import MAX_LENGTH
from engine.kit.effects import DEADLINE_KINDS
from engine.kit.roles import ROLES

from ..common.acting import engine
from ..common.i18n import term
from ..common.procedure_texts import procedure_name, translate
from .blueprint import ApiBlueprint

blp = ApiBlueprint("modeling_api", __name__, url_prefix="/api/modeling",
                   description="What a diagram may name, and live checks of expressions.")


class NamedSchema(Schema):
    key = fields.String(metadata={"description": "What the diagram holds."})
    label = fields.String(metadata={"description": "What a person reads, in her language."})


class VocabularySchema(Schema):
    roles = fields.List(fields.Nested(NamedSchema), metadata={
        "description": "Lane names: the role that does the user tasks in the lane."})
    forms = fields.List(fields.Nested(NamedSchema), metadata={
        "description": "camunda:formKey of a user task or a none start event."})
    handlers = fields.List(fields.Nested(NamedSchema), metadata={
        "description": "camunda:topic of a service task (with camunda:type=\"external\")."})
    deadlines = fields.List(fields.Nested(NamedSchema), metadata={
        "description": "Legal deadlines a user task's camunda:dueDate names as "
                       "deadline:<key>."})
    processes = fields.List(fields.Nested(NamedSchema), metadata={
        "description": "Deployed procedures a call activity may call (calledElement)."})
    decisions = fields.List(fields.Nested(NamedSchema), metadata={
        "description": "Deployed decision tables (camunda:decisionRef)."})
    sites = fields.List(fields.String(), metadata={
        "description": "The places an expression is written, for /api/modeling/check."})


class CheckQuerySchema(Schema):
    site = fields.String(required=True, validate=validate.OneOf(EDITED_SITES))
    expression = fields.String(required=True,
                               validate=validate.Length(min=1, max=MAX_LENGTH))


class CheckSchema(Schema):
    problem = fields.String(allow_none=True, metadata={
        "description": "What deploy would refuse in this expression; null when it passes."})


def _summary(function: Any) -> str:
    """The first line of a handler's docstring: what it does, in the programmer's words."""
    doc = inspect.getdoc(function) or ""
    return doc.split("\n", 1)[0]


@blp.route("/vocabulary")
class Vocabulary(MethodView):
    decorators = [login_required]

    @blp.response(200, VocabularySchema)
    def get(self) -> dict[str, Any]:
        """Every name a diagram may use, each with its label."""
        repository = engine().repository
        forms, handlers = repository.forms, repository.handlers
        return {
            "roles": [{"key": k, "label": term(k, "role")} for k in ROLES],
            "forms": [{"key": k, "label": translate(getattr(forms.get(k), "title", "") or k)}
                      for k in forms],
            "handlers": [{"key": k, "label": _summary(handlers.get(k)) or k} for k in handlers],
            "deadlines": [{"key": k, "label": term(k, "kind")} for k in DEADLINE_KINDS],
            "processes": [{"key": d.key, "label": procedure_name(d.key)}
                          for d in repository.definitions()],
            "decisions": [{"key": d.key, "label": d.name or d.key}
                          for d in repository.decisions()],
            "sites": list(EDITED_SITES),
        }


@blp.route("/check")
class Check(MethodView):
    decorators = [login_required]

    @blp.arguments(CheckQuerySchema, location="query")
    @blp.response(200, CheckSchema)
    def get(self, query: dict[str, str]) -> dict[str, Any]:
        """What deploy would say of one expression at one place; nothing is stored."""
        return {"problem": expression_problem(query["expression"], query["site"])}
