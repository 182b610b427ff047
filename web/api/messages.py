"""/api/messages: an outside party's answer, delivered to the procedure that waits for it.

The court's final decision, the administrative unit's decision, the partner
organisation's confirmation: whoever records it sends the message by name to her case
(see :mod:`engine.services.messages`). 404 when nothing waits for it and no procedure starts with
it, 409 when several wait and a correlation pair must tell them apart.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask.views import MethodView
from flask_login import login_required
from marshmallow import Schema, fields, validate

from engine.identity.users import MONITORS

from ..common.acting import acting_user, engine, roles_required
from ..common.security import csrf_unless_token
from .blueprint import ApiBlueprint

SENDERS = (*MONITORS, "legal_adviser", "admin_unit")
"""Who records an outside answer: the monitors, the legal adviser who receives the
court's and the authorities' decisions, and the administrative unit."""

blp = ApiBlueprint("messages_api", __name__, url_prefix="/api",
                   description="Messages from outside parties to a waiting procedure.")
blp.before_request(csrf_unless_token)


class MessageSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 100), metadata={
        "description": "The message's name in the diagram (bpmn:message name)."})
    case = fields.String(required=True, validate=validate.Length(1, 100), metadata={
        "description": "Her case code."})
    correlate = fields.Dict(load_default=dict, metadata={
        "description": "Variables the waiting procedure must hold with these values."})
    data = fields.Dict(load_default=dict, metadata={
        "description": "Named values (number, true/false, null or text) that become the "
                       "procedure's variables."})


class DeliverySchema(Schema):
    instance_id = fields.Integer()
    process_key = fields.String()
    started = fields.Boolean(metadata={"description": "A procedure started with it."})


@blp.route("/messages")
class Messages(MethodView):
    decorators = [login_required]

    @roles_required(*SENDERS)
    @blp.arguments(MessageSchema)
    @blp.response(200, DeliverySchema)
    @blp.errors(400, 403, 404, 409, 410, 422)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Deliver a message to the one procedure of the case that waits for it."""
        delivery = engine().messages.correlate(
            body["name"], body["case"], correlate=body["correlate"], data=body["data"],
            actor=acting_user().username)
        return dataclasses.asdict(delivery)
