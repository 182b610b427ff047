"""Moving running instances to another version: one instance, or every running instance
of a version. ``dry_run`` answers what the move would do, and stores nothing.

A move that cannot be made answers 422 with each element that has no counterpart under
its id (``<instance>:<element>`` for a version); nothing has moved then. The answers
name elements and versions only, never a case's data.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine.identity.users import MIGRATORS
from engine.services.migration import MAX_MAPPED
from engine.views import MigrationView

from ..common.acting import acting_user, engine, roles_required
from ..common.bounds import whole
from ..common.security import csrf_unless_token
from .blueprint import ApiBlueprint
from .schemas import ProblemSchema

blp = ApiBlueprint("migration_api", __name__, url_prefix="/api",
                   description="Moving running instances to another version.")
blp.before_request(csrf_unless_token)

ELEMENT_ID = fields.String(validate=validate.Length(1, 200))


class MoveBodySchema(Schema):
    to_version = whole(1, required=True, metadata={"description": "The target version."})
    mapping = fields.Dict(keys=ELEMENT_ID, values=ELEMENT_ID, load_default=dict,
                          validate=validate.Length(max=MAX_MAPPED), metadata={
                              "description": "Element id in the instance's version -> "
                                             "element id in the target, for elements "
                                             "whose id changed."})
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "Only say what the move would do."})


class InstanceMoveBodySchema(MoveBodySchema):
    revision = whole(0, metadata={"description": "Refuse (409) if the instance moved on."})


class ElementMoveSchema(Schema):
    element_id = fields.String()
    target_id = fields.String(allow_none=True)
    state = fields.String(metadata={"description": "active (the instance is at it) or "
                                                   "passed (kept in its path)"})


class MigrationSchema(Schema):
    instance_id = fields.Integer()
    process_key = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    moves = fields.List(fields.Nested(ElementMoveSchema))
    problems = fields.List(fields.Nested(ProblemSchema))
    set_up_again = fields.List(fields.String(), metadata={
        "description": "Elements the instance was at that changed, so they started over."})
    done = fields.Boolean(metadata={"description": "False for a dry run."})


@blp.route("/process-instances/<int:instance_id>/migration")
class InstanceMigration(MethodView):
    @roles_required(*MIGRATORS)
    @blp.arguments(InstanceMoveBodySchema)
    @blp.response(200, MigrationSchema)
    @blp.errors(403, 404, 409, 410, 422)
    def post(self, body: dict[str, Any], instance_id: int) -> MigrationView:
        """Move one running instance to another version of its procedure."""
        migration = engine().migration
        if body["dry_run"]:
            return migration.plan(instance_id, body["to_version"], body["mapping"])
        return migration.migrate(instance_id, body["to_version"], mapping=body["mapping"],
                                 actor=acting_user().username, revision=body.get("revision"))


@blp.route("/process-definitions/<key>/<int:version>/migration")
class VersionMigration(MethodView):
    @roles_required(*MIGRATORS)
    @blp.arguments(MoveBodySchema)
    @blp.response(200, MigrationSchema(many=True))
    @blp.errors(403, 404, 409, 410, 422)
    def post(self, body: dict[str, Any], key: str, version: int) -> list[MigrationView]:
        """Move every running instance of one version; if one cannot move, none does."""
        migration = engine().migration
        if body["dry_run"]:
            return migration.plan_version(key, version, body["to_version"], body["mapping"])
        return migration.migrate_version(key, version, body["to_version"],
                                         mapping=body["mapping"],
                                         actor=acting_user().username)
