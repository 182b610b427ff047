"""Forms of ending a reflection period early (Directive 2004/81/EC Art. 6(4)).

The grounds are the directive's and no others; she is heard before the decision, and the
decision is checked against the hearing and its service, since the appeal period counts
from the service.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from engine.kit.dates import stored_date
from engine.kit.texts import translatable

from . import FORMS
from .base import FormSchema
from .fields import (
    check_appeal,
    check_appeal_decision,
    choice,
    day,
    flag,
    served_after,
    text,
)

EARLY_END_GROUNDS = ("renewed_contact_with_suspects", "public_policy", "national_security")
"""Directive 2004/81/EC Art. 6(4): the only grounds to end a reflection period early."""


@FORMS.register("early_end.start")
class EarlyEndStart(FormSchema):
    title = "Start ending her reflection period early"

    is_child = flag("She is a child", "Her guardian takes part in the hearing, and her best "
                    "interests are weighed before any decision.", load_default=False)


@FORMS.register("early_end.hearing")
class EarlyEndHearing(FormSchema):
    title = "Hearing before the reflection period may end early"

    early_end_ground = choice(EARLY_END_GROUNDS, "Ground considered",
                              "Only the grounds of Directive 2004/81/EC Art. 6(4); she is "
                              "told it.", required=True)
    contact_on_her_own_initiative = flag(
        "She made the contact actively, voluntarily and on her own initiative",
        "For renewed contact only: contact forced on her, or made under threat or "
        "pressure, is no ground.", load_default=False)
    heard_on = day("Heard on", "The day she was told the ground and could reply.", past=True,
                   required=True)
    interpreter_provided = flag("An interpreter was provided", "Free for her (Art. 50(3) "
                                "ZTuj-2).", load_default=False)
    understands_language = flag("She understands the language of the procedure well",
                                "Only then is no interpreter needed.", load_default=False)
    she_could_reply = flag("She could reply", "In her language, with her legal adviser if she "
                           "wished, and with time to do so.", required=True)
    guardian_present = flag("Her guardian took part", "Required for a child.",
                            load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        renewed = data.get("early_end_ground") == "renewed_contact_with_suspects"
        if renewed and not data.get("contact_on_her_own_initiative"):
            raise ValidationError("Renewed contact is a ground only when she made it actively, "
                                  "voluntarily and on her own initiative (Directive "
                                  "2004/81/EC Art. 6(4)).", "contact_on_her_own_initiative")
        if not renewed and data.get("contact_on_her_own_initiative"):
            raise ValidationError("This goes with the ground of renewed contact only.",
                                  "contact_on_her_own_initiative")
        if not (data.get("interpreter_provided") or data.get("understands_language")):
            raise ValidationError("She has the right to a free interpreter (Art. 50(3) "
                                  "ZTuj-2): hear her with one, unless she understands the "
                                  "language of the procedure well.", "interpreter_provided")
        if data.get("she_could_reply") is False:
            raise ValidationError("Give her the chance to reply before anything is decided "
                                  "(ZUP Art. 9).", "she_could_reply")
        if self.variables.get("is_child") and not data.get("guardian_present"):
            raise ValidationError("She is a child: hear her with her guardian (CETS Art. "
                                  "10(4)).", "guardian_present")


@FORMS.register("early_end.decision")
class DecideEarlyEnd(FormSchema):
    title = "Decision on ending the reflection period early"

    early_end_decision = choice(("ended", "continues"), "Decision",
                                "End the period early, or let it go on.", required=True)
    early_end_decided_on = day("Decided on", "The date on the decision.", past=True,
                               required=True)
    early_end_served_on = day("Served on her on", "For an early end: the appeal period counts "
                              "from the day after.", past=True, allow_none=True,
                              load_default=None)
    best_interests_weighed = flag("Her best interests were weighed", "Required to end the "
                                  "period of a child.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        decided, served = data.get("early_end_decided_on"), data.get("early_end_served_on")
        heard = stored_date(self.variables.get("heard_on"))
        if decided and heard and decided < heard:
            raise ValidationError(translatable("She was heard on {day}: the decision comes "
                                               "after her hearing.").format(
                                                   day=heard.isoformat()),
                                  "early_end_decided_on")
        if data.get("early_end_decision") != "ended":
            if served:
                raise ValidationError("Only a decision to end the period is served for an "
                                      "appeal.", "early_end_served_on")
            return
        if not served:
            raise ValidationError("Give the day the decision was served on her.",
                                  "early_end_served_on")
        served_after(decided, served, "early_end_served_on")
        if self.variables.get("is_child") and not data.get("best_interests_weighed"):
            raise ValidationError("She is a child: weigh her best interests before ending "
                                  "her reflection period (CETS Art. 10(4)).",
                                  "best_interests_weighed")


@FORMS.register("early_end.appeal")
class ConsiderEarlyEndAppeal(FormSchema):
    title = "Appeal against the early end of the reflection period"

    appeal_filed = flag("She appeals", "Agreed with her; the period goes on until the appeal "
                        "is decided.", required=True)
    appeal_filed_on = day("Appeal filed on", "Within the appeal period counted from the day "
                          "the decision was served on her.", past=True, allow_none=True,
                          load_default=None)
    reason_not_appealed = text("Why she does not appeal", "For example another basis of stay "
                               "or her wish to return.", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        check_appeal(data, stored_date(self.variables.get("early_end_served_on")),
                     translatable("An appeal is filed after the decision was served."))


@FORMS.register("early_end.appeal_decision")
class RecordEarlyEndAppealDecision(FormSchema):
    title = "Decision on the appeal against the early end"

    early_end_appeal_decision = choice(("upheld", "dismissed"), "Decision on the appeal",
                                       "Upheld: the period goes on. Dismissed: the early end is "
                                       "final.", required=True)
    appeal_decided_on = day("Decided on", "The date on the decision.", past=True,
                            required=True)
    appeal_decision_served_on = day("Served on her on", "A dismissal makes the early end final "
                                    "on the day it is served.", past=True, required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        check_appeal_decision(data, stored_date(self.variables.get("appeal_filed_on")))
