"""/api/cases/{code}/person: her personal record, by need to know, every read logged."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_login import login_required
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..auth import engine, reader, roles_required
from ..people import PERSON_READERS
from ..security import csrf_unless_token

blp = Blueprint("people_api", __name__, url_prefix="/api",
                description="Her personal record, sealed and shown by need to know.")
blp.before_request(csrf_unless_token)


class PersonSchema(Schema):
    case_code = fields.String()
    fields_ = fields.Dict(data_key="fields", attribute="fields", metadata={
        "description": "The fields her roles may read; the others are absent. See "
                       "forms/person.py for each field."})
    editable = fields.Boolean()


@blp.route("/cases/<code>/person")
class PersonResource(MethodView):
    decorators = [login_required]

    @roles_required(*PERSON_READERS)
    @blp.response(200, PersonSchema)
    def get(self, code: str) -> Any:
        """The fields of her record her roles may read; the read is in the access log."""
        return engine().people.read(reader(), code, f"API record of {code}")

    @roles_required(*PERSON_READERS)
    @blp.response(200, PersonSchema)
    def patch(self, code: str) -> Any:
        """Change the fields given (coordinator, NGO counsellor, social work); 422 with
        the messages by field leaves the record as it was."""
        return engine().people.write(reader(), code, request.get_json(silent=True) or {},
                                     f"API record of {code}")
