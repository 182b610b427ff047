"""The coordinator's answer to a legal deadline whose latest safe day passed unmet.

The escalation is started by the timer worker, not by a diagram of the procedure, so the
task must say by itself what happened and what was done: the answer is kept in the case
history for the legal adviser and for any later review of why a deadline was missed.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from . import FORMS
from .base import FormSchema
from .fields import choice, day, text

ACTIONS = ("done_late", "new_date_obtained", "remedy_filed", "no_longer_needed",
           "other")


@FORMS.register("escalation.resolve")
class ResolveEscalation(FormSchema):
    action_taken = choice(
        ACTIONS, "What was done",
        "done_late: the action was done after the latest safe day (record it in its own "
        "task too); new_date_obtained: the authority granted more time; remedy_filed: a "
        "legal remedy was filed; no_longer_needed: the procedure changed and the deadline "
        "no longer applies; other: explain below.", required=True)
    acted_on = day("Date of the action", "The day it was done; not in the future.",
                   past=True, required=True)
    explanation = text(
        "Explanation", "Why the safe day was missed and what protects her now. Use the "
        "case code, never her name.", required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if not str(data.get("explanation", "")).strip():
            raise ValidationError("Explain what happened and what was done.", "explanation")
