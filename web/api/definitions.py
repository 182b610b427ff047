"""/api/process-definitions: the diagrams, their versions and XML; deploy, validate, compare.

Anyone signed in may read a diagram; only policy analysts and admins deploy one. A refused
diagram answers 422 with each problem under the id of the element that has it.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_login import login_required
from flask_smorest import abort
from marshmallow import Schema, fields, validate
from werkzeug.http import dump_options_header

from engine.errors import Problem
from engine.identity.users import PUBLISHERS
from engine.services.repository import MAX_NOTE
from engine.views import DefinitionView, Deployed

from ..common.acting import acting_user, engine
from ..common.bounds import MAX_DIAGRAM_BYTES, whole
from ..common.security import csrf_unless_token
from .blueprint import ApiBlueprint
from .schemas import ProblemSchema

blp = ApiBlueprint("definitions_api", __name__, url_prefix="/api/process-definitions",
                   description="BPMN process definitions and their versions.")
blp.before_request(csrf_unless_token)

XML_TYPES = ("application/xml", "text/xml")
_NOT_IN_A_FILE_NAME = re.compile(r"[^A-Za-z0-9_.-]")
"""Deploy refuses such keys; one deployed before it did is still named safely."""


class DefinitionSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    version = fields.Integer()
    name = fields.String(allow_none=True)
    source = fields.String()
    deployed_at = fields.DateTime()
    deployed_by = fields.String()
    note = fields.String(allow_none=True, metadata={
        "description": "The change note the version was published with."})


class VersionSchema(DefinitionSchema):
    instances = fields.Integer(metadata={"description": "Instances started on this version."})
    running = fields.Integer(metadata={"description": "Of those, not yet ended."})


IGNORED = ("Settings accepted and not acted on (Camunda job, history and assignment "
           "attributes), each with what this engine does instead.")


class DeployedSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    new_version = fields.Boolean(metadata={"description": "False when the content was "
                                           "identical to the latest version."})
    warnings = fields.List(fields.Nested(ProblemSchema), metadata={"description": IGNORED})


class ValidationSchema(Schema):
    valid = fields.Boolean()
    problems = fields.List(fields.Nested(ProblemSchema))
    warnings = fields.List(fields.Nested(ProblemSchema), metadata={"description": IGNORED})


class ChangeSchema(Schema):
    element_id = fields.String()
    element_type = fields.String()
    name = fields.String(allow_none=True)
    change = fields.String(metadata={"description": "added, removed or changed in the "
                                                    "model, or moved: only its place on "
                                                    "the diagram differs"})
    details = fields.List(fields.String())


class PublishQuerySchema(Schema):
    note = fields.String(validate=validate.Length(max=MAX_NOTE), metadata={
        "description": "Why this version is published: kept with each new version and in "
                       "the audit trail. A multipart upload may send it as the field "
                       "'note' instead."})


class CompareQuerySchema(Schema):
    from_version = whole(1, required=True, data_key="from")
    to_version = whole(1, required=True, data_key="to")


DIAGRAM_BODY = {"content": {
    "application/xml": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}},
}}


def uploaded_diagram() -> tuple[bytes, str]:
    """The diagram of the request: an uploaded ``file`` or the raw XML body."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        content = upload.read(MAX_DIAGRAM_BYTES + 1) if upload else b""
        name = (upload.filename if upload else None) or "upload.bpmn"
    else:
        content, name = request.get_data(cache=False)[:MAX_DIAGRAM_BYTES + 1], "diagram"
        if content.strip() and request.mimetype not in XML_TYPES:
            abort(415, message="send the BPMN XML with Content-Type: application/xml, or as "
                               "a multipart upload named 'file'")
    if not content.strip():
        abort(400, message="send the BPMN XML as the body or as an uploaded file named 'file'")
    if len(content) > MAX_DIAGRAM_BYTES:
        abort(413, message="a diagram may be at most 2 MiB")
    return content, name


def require_publisher() -> None:
    if not acting_user().has_role(*PUBLISHERS):
        abort(403, message="only policy analysts and admins deploy diagrams")


@blp.route("/")
class Definitions(MethodView):
    decorators = [login_required]

    @blp.response(200, DefinitionSchema(many=True))
    def get(self) -> list[DefinitionView]:
        """The latest version of every process."""
        return engine().repository.definitions()

    @blp.doc(requestBody=DIAGRAM_BODY)
    @blp.arguments(PublishQuerySchema, location="query")
    @blp.response(201, DeployedSchema(many=True))
    @blp.errors(400, 403, 413, 415, 422)
    def post(self, query: dict[str, str]) -> list[Deployed]:
        """Deploy a diagram: a new version of each process in it whose content changed."""
        require_publisher()
        content, name = uploaded_diagram()
        note = request.form.get("note") if request.mimetype == "multipart/form-data" \
            else None
        return engine().repository.deploy(content, source=name, actor=acting_user().username,
                                          note=note if note is not None else query.get("note"))


@blp.route("/validate")
class Validate(MethodView):
    decorators = [login_required]

    @blp.doc(requestBody=DIAGRAM_BODY)
    @blp.response(200, ValidationSchema)
    @blp.errors(403, 413, 415)
    def post(self) -> dict[str, Any]:
        """Run every check of a deployment without storing anything."""
        require_publisher()
        content, name = uploaded_diagram()
        problems: list[Problem] = engine().repository.validate(content, source=name)
        return {"valid": not problems, "problems": problems,
                "warnings": engine().repository.warnings(content)}


@blp.route("/<key>")
class Versions(MethodView):
    decorators = [login_required]

    @blp.response(200, VersionSchema(many=True))
    @blp.errors(404)
    def get(self, key: str) -> list[Any]:
        """Every version of a process, oldest first, with how many instances run on it."""
        return engine().repository.versions(key)


@blp.route("/<key>/<int:version>/xml")
class DefinitionXml(MethodView):
    decorators = [login_required]

    @blp.response(200, content_type="application/xml")
    @blp.errors(404)
    def get(self, key: str, version: int) -> Response:
        """The BPMN XML of one version, as it was deployed."""
        xml = engine().repository.xml(key, version)
        download = request.args.get("download") == "1"
        disposition = "attachment" if download else "inline"
        name = f"{_NOT_IN_A_FILE_NAME.sub('_', key)}-v{version}.bpmn"
        return Response(xml, mimetype="application/xml", headers={
            "Content-Disposition": dump_options_header(disposition, {"filename": name})})


@blp.route("/<key>/compare")
class Compare(MethodView):
    decorators = [login_required]

    @blp.arguments(CompareQuerySchema, location="query")
    @blp.response(200, ChangeSchema(many=True))
    @blp.errors(404)
    def get(self, query: dict[str, int], key: str) -> list[Any]:
        """What changed between two versions: elements added, removed and changed."""
        return engine().repository.compare(key, query["from_version"], query["to_version"])
