"""/api/cases/{code}/person: her personal record, by need to know, every read logged."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_login import login_required
from marshmallow import Schema, fields
from webargs import core

from engine.protection.privacy import PERSON_READERS

from ..common.acting import engine, reader, roles_required
from ..common.security import csrf_unless_token
from .blueprint import ApiBlueprint, read_json

blp = ApiBlueprint("people_api", __name__, url_prefix="/api",
                   description="Her personal record, sealed and shown by need to know.")
blp.before_request(csrf_unless_token)


class PersonSchema(Schema):
    case_code = fields.String()
    fields_ = fields.Dict(data_key="fields", attribute="fields", metadata={
        "description": "The fields her roles may read; the others are absent. See "
                       "forms/person.py for each field."})
    editable = fields.Boolean()


CHANGE_BODY = {"content": {"application/json": {"schema": {
    "type": "object", "description": "The fields to change, by the names of forms/person.py; "
                                     "the others keep their values."}}}}


@blp.route("/cases/<code>/person")
class PersonResource(MethodView):
    decorators = [login_required]

    @roles_required(*PERSON_READERS)
    @blp.response(200, PersonSchema)
    @blp.errors(403, 404, 410)
    def get(self, code: str) -> Any:
        """The fields of her record her roles may read; the read is in the access log."""
        return engine().people.read(reader(), code, f"API record of {code}")

    @roles_required(*PERSON_READERS)
    @blp.doc(requestBody=CHANGE_BODY)
    @blp.response(200, PersonSchema)
    @blp.errors(403, 404, 410, 413, 415, 422)
    def patch(self, code: str) -> Any:
        """Change the fields given (coordinator, NGO counsellor, social work); 422 with
        the messages by field leaves the record as it was."""
        body = read_json(request)  # the engine checks it against forms/person.py
        return engine().people.write(reader(), code, {} if body is core.missing else body,
                                     f"API record of {code}")
