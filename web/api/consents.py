"""/api/cases/{code}/consents: the consent register of her case.

Who works with her reads it; the coordinator, NGO counsellors and social workers record
an answer she gave outside a task and record her withdrawal, which stops the tasks that
needed that consent.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import login_required
from marshmallow import Schema, fields, validate

from engine.obligations.consents import (
    GIVEN,
    GUARDIAN,
    HERSELF,
    KEEPERS,
    MAX_NOTE,
    PURPOSES,
    REFUSED,
)
from engine.protection.privacy import CASE_READERS

from ..common.acting import acting_user, engine, reader, roles_required
from ..common.bounds import day
from ..common.security import csrf_unless_token
from .blueprint import ApiBlueprint

blp = ApiBlueprint("consents_api", __name__, url_prefix="/api",
                   description="Her consents: given, refused, withdrawn.")
blp.before_request(csrf_unless_token)

CONSENT_KEEPERS = KEEPERS
CONSENT_READERS = tuple(dict.fromkeys((*CASE_READERS, *CONSENT_KEEPERS)))


class ConsentSchema(Schema):
    id = fields.Integer()
    case_code = fields.String()
    purpose = fields.String()
    purpose_text = fields.String()
    recipient = fields.String(metadata={"description": "To whom her data may go."})
    status = fields.String(metadata={"description": "given, refused or withdrawn"})
    decided_on = fields.Date()
    given_by = fields.String(metadata={
        "description": "herself; guardian (with the child); or best_interests: no one's "
                       "consent but the centre for social work's decision, in the best "
                       "interests of a child whose guardian refused (CETS Art. 10(4))"})
    obtained = fields.String()
    interpreter_used = fields.Boolean()
    instance_id = fields.Integer(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    withdrawn_on = fields.Date(allow_none=True)
    withdrawal_recorded_by = fields.String(allow_none=True)


class AnswerSchema(Schema):
    purpose = fields.String(required=True, validate=validate.OneOf(list(PURPOSES)))
    status = fields.String(required=True, validate=validate.OneOf([GIVEN, REFUSED]))
    decided_on = day(required=True)
    obtained = fields.String(required=True, validate=validate.Length(min=1, max=MAX_NOTE),
                             metadata={"description": "How: a signed form, in a meeting "
                                                      "with an interpreter..."})
    interpreter_used = fields.Boolean(load_default=False)
    given_by = fields.String(load_default=HERSELF, validate=validate.OneOf([HERSELF,
                                                                            GUARDIAN]),
                             metadata={"description": "herself, or guardian; a decision in "
                                                      "a child's best interests is recorded "
                                                      "only by its task, with the reasons"})


class WithdrawalSchema(Schema):
    withdrawn_on = day(load_default=None, metadata={"description": "Today if left out."})


@blp.route("/cases/<code>/consents")
class Consents(MethodView):
    decorators = [login_required]

    @roles_required(*CONSENT_READERS)
    @blp.response(200, ConsentSchema(many=True))
    @blp.errors(403, 404, 410)
    def get(self, code: str) -> Any:
        """Every answer of hers, the newest first."""
        return engine().consents.consents(code, reader(), "consents API")

    @roles_required(*CONSENT_KEEPERS)
    @blp.arguments(AnswerSchema)
    @blp.response(201, ConsentSchema)
    @blp.errors(403, 404, 409, 410)
    def post(self, body: dict[str, Any], code: str) -> Any:
        """Record an answer she gave outside a task."""
        return engine().consents.record(code, body["purpose"], status=body["status"],
                                        decided_on=body["decided_on"],
                                        obtained=body["obtained"],
                                        interpreter_used=body["interpreter_used"],
                                        given_by=body["given_by"],
                                        user=acting_user().username)


@blp.route("/cases/<code>/consents/<int:consent_id>/withdraw")
class Withdrawal(MethodView):
    decorators = [login_required]

    @roles_required(*CONSENT_KEEPERS)
    @blp.arguments(WithdrawalSchema)
    @blp.response(200, ConsentSchema)
    @blp.errors(403, 404, 409, 410)
    def post(self, body: dict[str, Any], code: str, consent_id: int) -> Any:
        """She withdrew this consent: the tasks that need it stop, the coordinator is told."""
        return engine().consents.withdraw(code, consent_id, on=body["withdrawn_on"],
                                          user=acting_user().username)
