"""/api/process-instances, /api/cases, /api/history and /api/clock.

Coordinators and admins read, start and steer instances. Legal advisers also read cases
(their deadlines point there). The clock exists only when the engine runs on the settable
clock (training, simulation, tests).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.views import MethodView
from flask_login import login_required
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.errors import ValidationFailed
from engine.identity.users import MONITORS
from engine.kit.clock import ManualClock, parse_duration
from engine.protection.privacy import CASE_READERS
from engine.services.cases import case_cursor, new_code
from engine.services.summaries import summary_cursor
from engine.store.instances import STATUSES
from engine.views import EventView, InstanceView

from ..common.acting import acting_user, engine, reader, roles_required
from ..common.bounds import FIRST_MOMENT, LAST_MOMENT, MAX_DAYS, day, row_id
from ..common.security import csrf_unless_token
from .blueprint import ApiBlueprint
from .paging import CursorQuery, onward
from .schemas import DeadlineSchema, TaskSchema

blp = ApiBlueprint("instances_api", __name__, url_prefix="/api",
                   description="Process instances, cases and their history.")
blp.before_request(csrf_unless_token)


class TimerSchema(Schema):
    element_id = fields.String(allow_none=True)
    due_at = fields.DateTime()
    kind = fields.String()


class InstanceSummarySchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    case_code = fields.String()
    status = fields.String()
    started_at = fields.DateTime()
    updated_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    incident_message = fields.String(allow_none=True)
    open_tasks = fields.Integer()
    next_due = fields.Date(allow_none=True)
    overdue = fields.Boolean()


class ProcessStateSchema(Schema):
    process_key = fields.String()
    definition_key = fields.String(metadata={"description": "The definition whose XML "
                                             "holds this process."})
    version = fields.Integer()
    completed = fields.List(fields.String())
    active = fields.List(fields.String())
    incidents = fields.List(fields.String())
    taken_flows = fields.List(fields.String(), metadata={"description": "Sequence flows "
                                                          "the instance went along."})


class InstanceSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    case_code = fields.String()
    status = fields.String()
    revision = fields.Integer(metadata={"description": "Send it back with an action to "
                                        "refuse it if the instance moved meanwhile."})
    started_at = fields.DateTime()
    started_by = fields.String()
    updated_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    incident_element = fields.String(allow_none=True)
    incident_message = fields.String(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskSchema))
    timers = fields.List(fields.Nested(TimerSchema))


class InstanceDetailSchema(InstanceSchema):
    variables = fields.Dict(metadata={
        "description": "The process data her roles need to know; the rest is left out. "
                       "A read that shows personal data is written to the access log."})
    diagram = fields.List(fields.Nested(ProcessStateSchema), metadata={
        "description": "Completed and active elements per process entered."})
    deadlines = fields.List(fields.Nested(DeadlineSchema))


class InstanceQuerySchema(CursorQuery):
    process_key = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    case = fields.String(metadata={"description": "Part of a case code."})
    overdue = fields.Boolean()
    started_from = day()
    started_to = day()
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class StartSchema(Schema):
    process_key = fields.String(required=True)
    case = fields.String(validate=validate.Length(1, 100), metadata={
        "description": "Her case code; for a new case a random one like SI-7K3Q-9F2M, "
                       "which is made when left out."})
    data = fields.Dict(load_default=dict)
    jurisdiction = fields.String(validate=validate.Length(2, 10), metadata={
        "description": "For a new case, the code of the jurisdiction whose law and "
                       "calendar it follows (the deployment's when left out). A case keeps "
                       "its own: another is refused once a legal deadline was computed."})


class ActionSchema(Schema):
    reason = fields.String(validate=validate.Length(max=2000))
    revision = fields.Integer()


class CaseSummarySchema(Schema):
    code = fields.String()
    instances = fields.Integer()
    running = fields.Integer()
    open_tasks = fields.Integer()
    next_safe_day = fields.Date(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)


class CaseSchema(Schema):
    code = fields.String()
    instances = fields.List(fields.Nested(InstanceSummarySchema))
    open_tasks = fields.List(fields.Nested(TaskSchema))
    deadlines = fields.List(fields.Nested(DeadlineSchema))


class CaseQuerySchema(CursorQuery):
    code = fields.String(metadata={"description": "Part of a case code."})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class EventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    event_type = fields.String()
    instance_id = fields.Integer(allow_none=True)
    task_id = fields.Integer(allow_none=True)
    element_id = fields.String(allow_none=True)
    data_keys = fields.List(fields.String())
    detail = fields.String(allow_none=True)


class HistoryQuerySchema(Schema):
    instance = row_id(required=True)
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 5000))


class ClockSchema(Schema):
    advance = fields.String(metadata={"description": "An ISO 8601 duration, e.g. P91D."})
    to = fields.AwareDateTime(validate=validate.Range(FIRST_MOMENT, LAST_MOMENT),
                              metadata={"description": "A moment to set the clock to."})

    @validates_schema
    def one_of(self, data: dict[str, Any], **_: Any) -> None:
        if ("advance" in data) == ("to" in data):
            raise ValidationError("give either advance or to", "_schema")
        if "advance" in data:
            try:
                step = parse_duration(data["advance"])
            except (ValueError, OverflowError) as exc:
                raise ValidationError(f"not a duration this clock can take: {exc}",
                                      "advance") from exc
            if step > timedelta(days=MAX_DAYS):
                raise ValidationError(f"the clock moves at most {MAX_DAYS} days at once",
                                      "advance")


class ClockStateSchema(Schema):
    now = fields.DateTime()
    moved = fields.List(fields.Integer(), metadata={
        "description": "Instances moved by the timers that came due."})


@blp.route("/process-instances")
class Instances(MethodView):
    decorators = [login_required]

    @roles_required(*MONITORS)
    @blp.arguments(InstanceQuerySchema, location="query")
    @blp.response(200, InstanceSummarySchema(many=True))
    @blp.errors(403, 422)
    def get(self, query: dict[str, Any]) -> list[Any]:
        """Instances, newest first, with the monitor's filters."""
        if "case" in query:
            query["case_code"] = query.pop("case")
        listed = engine().runtime.summaries(**query)
        return onward(listed, query["limit"], summary_cursor, "instances_api.Instances")

    @roles_required(*MONITORS)
    @blp.arguments(StartSchema)
    @blp.response(201, InstanceSchema)
    @blp.errors(403, 404, 409, 410, 422)
    def post(self, body: dict[str, Any]) -> InstanceView:
        """Start the latest version of a procedure for a case."""
        process_engine = engine()
        place = body.get("jurisdiction")
        code = body.get("case") or new_code((place or process_engine.jurisdiction.code).upper())
        process_engine.cases.check_new_code(code)
        return process_engine.runtime.start(body["process_key"], code, body["data"],
                                            actor=acting_user().username, jurisdiction=place)


@blp.route("/process-instances/<int:instance_id>")
class InstanceResource(MethodView):
    decorators = [login_required]

    @roles_required(*MONITORS)
    @blp.response(200, InstanceDetailSchema)
    @blp.errors(403, 404, 410)
    def get(self, instance_id: int) -> dict[str, Any]:
        """Status, open tasks, timers, variables, the diagram's elements and deadlines."""
        process_engine = engine()
        found = process_engine.disclosure.instance(reader(), instance_id,
                                                   f"API instance {instance_id}")
        state = process_engine.runtime.diagram_state(instance_id).to_dict()
        return {**dataclasses.asdict(found), "diagram": state["processes"],
                "deadlines": process_engine.deadlines.deadlines(instance_id=instance_id)}


@blp.route("/process-instances/<int:instance_id>/<any(suspend,resume,cancel,retry):action>")
class InstanceAction(MethodView):
    decorators = [login_required]

    @roles_required(*MONITORS)
    @blp.arguments(ActionSchema)
    @blp.response(200, InstanceSchema)
    @blp.errors(403, 404, 409, 410)
    def post(self, body: dict[str, Any], instance_id: int, action: str) -> InstanceView:
        """Suspend, resume, cancel (a reason is required) or retry an incident."""
        runtime = engine().runtime
        user = acting_user().username
        reason = (body.get("reason") or "").strip() or None
        revision = body.get("revision")
        if action == "cancel" and not reason:
            raise ValidationFailed("a reason is required to cancel",
                                   {"reason": ["Give a reason for cancelling."]})
        if action == "retry":
            return runtime.retry(instance_id, actor=user)
        method = {"suspend": runtime.suspend, "resume": runtime.resume,
                  "cancel": runtime.cancel}[action]
        return method(instance_id, actor=user, revision=revision, reason=reason)


@blp.route("/cases")
class Cases(MethodView):
    decorators = [login_required]

    @roles_required(*CASE_READERS)
    @blp.arguments(CaseQuerySchema, location="query")
    @blp.response(200, CaseSummarySchema(many=True))
    @blp.errors(403, 422)
    def get(self, query: dict[str, Any]) -> list[Any]:
        """Each person by her case code, with counts of her procedures and tasks, the
        most recently active first."""
        listed = engine().cases.cases(code_contains=query.get("code"), limit=query["limit"],
                                      offset=query["offset"], after=query.get("after"))
        return onward(listed, query["limit"], case_cursor, "instances_api.Cases")


@blp.route("/cases/<code>")
class CaseResource(MethodView):
    decorators = [login_required]

    @roles_required(*CASE_READERS)
    @blp.response(200, CaseSchema)
    @blp.errors(403, 404, 410)
    def get(self, code: str) -> Any:
        """All procedures, open tasks and legal deadlines of one person."""
        return engine().cases.case(code)


class AccessEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    username = fields.String()
    roles = fields.List(fields.String())
    case_code = fields.String()
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields", metadata={
        "description": "The names of the personal data shown, never their values."})
    what = fields.String()
    source = fields.String(metadata={"description": "The client's address, or the "
                                                    "command line."})
    outcome = fields.String(metadata={"description": "granted or refused"})


@blp.route("/cases/<code>/access")
class CaseAccess(MethodView):
    decorators = [login_required]

    @roles_required(*MONITORS)
    @blp.response(200, AccessEventSchema(many=True))
    @blp.errors(403)
    def get(self, code: str) -> Any:
        """Who read her personal data, or was refused, newest first (the access log)."""
        return engine().access.events(case_code=code)


@blp.route("/history")
class History(MethodView):
    decorators = [login_required]

    @roles_required(*MONITORS)
    @blp.arguments(HistoryQuerySchema, location="query")
    @blp.response(200, EventSchema(many=True))
    @blp.errors(403, 404, 410)
    def get(self, query: dict[str, Any]) -> list[EventView]:
        """The audit events of an instance, oldest first."""
        engine().runtime.instance(query["instance"])  # 404 for an unknown instance
        return engine().disclosure.history(reader(), query["instance"],
                                           f"API history of instance {query['instance']}",
                                           limit=query["limit"])


clock_blp = ApiBlueprint("clock_api", __name__, url_prefix="/api",
                         description="The settable clock (only with VARNAPOT_CLOCK=manual).")
clock_blp.before_request(csrf_unless_token)


@clock_blp.route("/clock")
class Clock(MethodView):
    decorators = [login_required]

    @clock_blp.response(200, ClockStateSchema)
    def get(self) -> dict[str, Any]:
        """The engine's time."""
        return {"now": engine().clock.now(), "moved": []}

    @roles_required(*MONITORS)
    @clock_blp.arguments(ClockSchema)
    @clock_blp.response(200, ClockStateSchema)
    @clock_blp.errors(403)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Move the clock forward and fire every timer that came due."""
        process_engine = engine()
        if "advance" in body:
            step = parse_duration(body["advance"])
            if process_engine.clock.now() + step > LAST_MOMENT:
                raise ValidationFailed("the clock would pass the last day it keeps",
                                       {"advance": [f"The clock stops at {LAST_MOMENT:%Y-%m-%d}."]})
            moved = process_engine.advance_clock(step)
        else:
            moved = process_engine.set_clock(body["to"])
        return {"now": process_engine.clock.now(), "moved": moved}


def has_settable_clock(app: Flask) -> bool:
    return isinstance(app.extensions["varnapot"].clock, ManualClock)
