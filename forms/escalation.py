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

ACTIONS = {
    "done_late": "Done after the latest safe day (record it in its own task too)",
    "new_date_obtained": "The authority granted more time",
    "remedy_filed": "A legal remedy was filed",
    "no_longer_needed": "The procedure changed and the deadline no longer applies",
    "other": "Something else: explain below",
}


@FORMS.register("escalation.resolve")
class ResolveEscalation(FormSchema):
    action_taken = choice(
        tuple(ACTIONS), "What was done",
        "What became of the action whose latest safe day passed.", labels=ACTIONS,
        required=True)
    acted_on = day("Date of the action", "The day it was done; not in the future.",
                   past=True, required=True)
    explanation = text(
        "Explanation", "Why the safe day was missed and what protects her now. Use the "
        "case code, never her name.", required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if not str(data.get("explanation", "")).strip():
            raise ValidationError("Explain what happened and what was done.", "explanation")
