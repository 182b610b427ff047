"""Forms of the top-level protection procedure, which links the others."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from . import FORMS
from .base import FormSchema
from .fields import choice, day
from .reflection import VICTIM_CATEGORIES, VICTIM_CATEGORY_LABELS

LAWFUL_STAY_BASES = ("temporary_protection", "other_permit", "visa", "visa_free", "other")
COOPERATION_CHOICES = ("cooperate", "not_now", "will_not")


@FORMS.register("protection.lawful_stay")
class LawfulStayCooperation(FormSchema):
    title = "Cooperation of a victim who stays lawfully"

    victim_category = choice(VICTIM_CATEGORIES, "She is a victim of",
                             "Art. 50 covers trafficking, illegal employment and domestic "
                             "violence alike.", labels=VICTIM_CATEGORY_LABELS, required=True)
    lawful_stay_basis = choice(LAWFUL_STAY_BASES, "Basis of her stay",
                               "What makes her stay lawful now, for example temporary "
                               "protection.", required=True)
    lawful_stay_end = day("Last day of her lawful stay",
                          "An Art. 50 permit must be applied for before this day ends "
                          "(Art. 50(6) ZTuj-2).", required=True)
    cooperation_choice = choice(COOPERATION_CHOICES, "Her decision",
                                "Whether she will cooperate as a witness; she may decide "
                                "later, before her lawful stay ends.", required=True)
    cooperation_decided_on = day("She decided on", "The day she said she will cooperate.",
                                 past=True, allow_none=True, load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("cooperation_choice") == "cooperate" and not data.get(
                "cooperation_decided_on"):
            raise ValidationError("Give the day she decided to cooperate.",
                                  "cooperation_decided_on")
