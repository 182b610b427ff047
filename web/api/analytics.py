"""/api/process-definitions/<key>/analytics: how a procedure performs, step by step.

Counts and durations only (``engine.services.analytics``), for those who read diagrams.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validates

from engine.protection.privacy import DIAGRAM_READERS
from engine.views import ProcedureStatsView

from ..common.acting import engine, roles_required
from ..common.bounds import day, whole
from .blueprint import ApiBlueprint

blp = ApiBlueprint("analytics_api", __name__, url_prefix="/api",
                   description="How each procedure performs: step times, waiting cases and "
                               "legal deadlines.")


class AnalyticsQuerySchema(Schema):
    version = whole(1, metadata={"description": "One version; every version without it."})
    since = day(metadata={"description": "Tasks opened and legal dates from this day."})
    until = day(metadata={"description": "... up to this day, included."})
    jurisdiction = fields.String(metadata={"description": "The deployment's without it."})

    @validates("jurisdiction")
    def _known(self, value: str, **_: Any) -> None:
        codes = engine().ctx.jurisdiction_codes()
        if value not in codes:
            raise ValidationError(f"Must be one of: {', '.join(codes)}.")


class OutcomesSchema(Schema):
    met = fields.Integer()
    met_late = fields.Integer()
    missed = fields.Integer()


class StepSchema(Schema):
    element_id = fields.String()
    title = fields.String(allow_none=True)
    completed = fields.Integer()
    median_hours = fields.Float(allow_none=True)
    p90_hours = fields.Float(allow_none=True)
    waiting = fields.Integer()
    waiting_median_hours = fields.Float(allow_none=True)
    deadlines = fields.Nested(OutcomesSchema)


class MonthSchema(Schema):
    month = fields.String()
    completed = fields.Integer()
    median_hours = fields.Float(allow_none=True)
    deadlines = fields.Nested(OutcomesSchema)


class ProcedureStatsSchema(Schema):
    key = fields.String()
    version = fields.Integer(allow_none=True)
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)
    jurisdiction = fields.String()
    steps = fields.List(fields.Nested(StepSchema))
    months = fields.List(fields.Nested(MonthSchema))
    deadlines = fields.Nested(OutcomesSchema)


@blp.route("/process-definitions/<key>/analytics")
class ProcedureAnalytics(MethodView):
    @roles_required(*DIAGRAM_READERS)
    @blp.arguments(AnalyticsQuerySchema, location="query")
    @blp.response(200, ProcedureStatsSchema)
    @blp.errors(400, 403, 404)
    def get(self, query: dict[str, Any], key: str) -> ProcedureStatsView:
        """Each step's median and 90th-percentile time, the cases waiting at it now, and
        the legal deadlines met, met late or missed there; by month too."""
        return engine().analytics.procedure(key, **query)
