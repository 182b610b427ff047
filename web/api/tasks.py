"""/api/tasks: the worklist, a task with its form as JSON Schema, claim, unclaim, complete.

The same role rule as the pages: a task of a role she does not hold is a 403. A task
comes with the case data her roles may read (engine.privacy), as on its page. The API
speaks English, but the form's JSON Schema carries its titles, descriptions and choice
labels in the caller's language (stored with her account, else Accept-Language), for a
client that renders the form to her.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask.views import MethodView
from flask_login import login_required
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from engine.services.tasks import check_release, task_cursor
from engine.views import TaskView

from ..common.acting import acting_user, engine
from ..common.bounds import day, row_id
from ..common.form_fields import json_schema
from ..common.procedure_texts import translate
from ..common.security import csrf_unless_token
from ..common.tasks import her_task, own_task, readable_instance
from ..common.urgency import lanes
from .blueprint import ApiBlueprint
from .paging import CursorQuery, onward
from .schemas import TaskSchema

blp = ApiBlueprint("tasks", __name__, url_prefix="/api/tasks",
                   description="Human tasks of the signed-in user's roles.")
blp.before_request(csrf_unless_token)


class TaskWithFormSchema(TaskSchema):
    revision = fields.Integer(metadata={"description": "Send it back with `complete` to "
                                        "refuse the completion if the case moved meanwhile."})
    form = fields.Dict(metadata={"description": "The form as JSON Schema."})
    variables = fields.Dict(metadata={
        "description": "What the case holds that your roles may read (need to know): the "
                       "rest is left out, and a read of her personal data is logged."})


class TaskQuerySchema(CursorQuery):
    role = fields.String(metadata={"description": "One of your roles; default: all."})
    assignee = fields.String(metadata={"description": "`me` for the tasks you claimed."})
    status = fields.String(load_default="open",
                           validate=validate.OneOf(("open", "completed", "cancelled")))
    instance_id = row_id()
    due_before = day()
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class CompleteSchema(Schema):
    data = fields.Dict(required=True, metadata={"description": "The form's fields."})
    revision = fields.Integer(metadata={"description": "The revision the task was read at."})


@blp.route("/")
class Tasks(MethodView):
    decorators = [login_required]

    @blp.arguments(TaskQuerySchema, location="query")
    @blp.response(200, TaskSchema(many=True))
    @blp.errors(403, 422)
    def get(self, query: dict[str, Any]) -> list[TaskView]:
        """Tasks of your roles, the most urgent first."""
        user = acting_user()
        roles = lanes(user)
        if query.get("role"):
            if query["role"] not in roles:
                abort(403)
            roles = [query["role"]]
        assignee = user.username if query.get("assignee") == "me" else query.get("assignee")
        listed = engine().tasks.tasks(
            roles=roles, assignee=assignee, status=query["status"],
            instance_id=query.get("instance_id"), due_before=query.get("due_before"),
            limit=query["limit"], offset=query["offset"], after=query.get("after"))
        return onward(listed, query["limit"], task_cursor, "tasks.Tasks")


@blp.route("/<int:task_id>")
class TaskResource(MethodView):
    decorators = [login_required]

    @blp.response(200, TaskWithFormSchema)
    @blp.errors(403, 404, 410)
    def get(self, task_id: int) -> dict[str, Any]:
        """The task, the revision of its case, and its form as JSON Schema."""
        task = own_task(task_id)
        schema = engine().tasks.form(task.form_key)()
        instance = readable_instance(task, f"API task {task_id}")
        return {**dataclasses.asdict(task), "revision": instance.revision,
                "variables": instance.variables,
                "form": json_schema(schema, translate(getattr(schema, "title", "") or task.title),
                                    translate=translate)}


@blp.route("/<int:task_id>/claim")
class Claim(MethodView):
    decorators = [login_required]

    @blp.response(200, TaskSchema)
    @blp.errors(403, 404, 409)
    def post(self, task_id: int) -> TaskView:
        """Take the task: others see it is yours and cannot complete it."""
        own_task(task_id)
        return engine().tasks.claim(task_id, acting_user().username)


@blp.route("/<int:task_id>/unclaim")
class Unclaim(MethodView):
    decorators = [login_required]

    @blp.response(200, TaskSchema)
    @blp.errors(403, 404, 409)
    def post(self, task_id: int) -> TaskView:
        """Give the task back to your role."""
        check_release(own_task(task_id), acting_user().username)
        return engine().tasks.unclaim(task_id, acting_user().username)


@blp.route("/<int:task_id>/complete")
class Complete(MethodView):
    decorators = [login_required]

    @blp.arguments(CompleteSchema)
    @blp.response(200, TaskSchema)
    @blp.errors(403, 404, 409, 410, 422)
    def post(self, body: dict[str, Any], task_id: int) -> TaskView:
        """Submit the form: 422 with the message of each field, 409 if the case moved."""
        with her_task():
            return engine().tasks.complete(task_id, acting_user().username, body["data"],
                                           revision=body.get("revision"),
                                           roles=acting_user().roles,
                                           bearer=acting_user().bearer)
