"""Bodies more than one resource answers with: a task, a legal deadline, a problem of a
diagram or of a move."""

from __future__ import annotations

from marshmallow import Schema, fields


class TaskSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    case_code = fields.String()
    process_key = fields.String()
    element_id = fields.String()
    title = fields.String()
    role = fields.String()
    form_key = fields.String()
    documentation = fields.String(allow_none=True)
    due_date = fields.Date(allow_none=True)
    legal_date = fields.Date(allow_none=True, metadata={
        "description": "The legal date of the deadline whose latest safe day is the due date"})
    assignee = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)


class DeadlineSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    case_code = fields.String()
    kind = fields.String()
    ref = fields.String()
    title = fields.String()
    owner_role = fields.String()
    jurisdiction = fields.String()
    legal_date = fields.Date()
    latest_safe_day = fields.Date(metadata={"description": "The last working day on which "
                                            "acting is still in time."})
    status = fields.String(metadata={"description": "open, met, missed or cancelled"})
    days_left = fields.Integer(metadata={"description": "Days to the latest safe day."})
    met_on = fields.Date(allow_none=True)
    met_by_element = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True, metadata={
        "description": "When a missed deadline was acknowledged: it left the missed list."})
    acknowledged_by = fields.String(allow_none=True)
    unconfirmed_basis = fields.List(fields.String(), metadata={
        "description": "The keys of the jurisdiction file (reflection.days) this deadline "
                       "is counted from whose number the text of the law has not yet "
                       "confirmed; empty when its legal basis is confirmed."})


class ProblemSchema(Schema):
    element_id = fields.String(allow_none=True)
    message = fields.String()
