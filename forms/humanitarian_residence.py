"""Forms of the residence of a foreign victim in Serbia and in Bosnia and Herzegovina.

Both countries give a foreigner presumed to be a victim a period to recover and decide,
and then temporary residence on humanitarian grounds; in neither is it conditional on
cooperating with the authorities as Slovenia's Art. 50 permit is. Each country's
procedure has its own forms (``protection_rs.*``, ``protection_ba.*``): the same questions,
titled with the law that asks them. The legal numbers the forms check (a permit of 6 to
12 months) come from the case's jurisdiction file.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from engine.kit.dates import stored_date
from engine.kit.texts import translatable

from . import FORMS
from .base import FormSchema
from .fields import check_appeal, only_when, served_after
from .fields import choice as _choice
from .fields import day as _date
from .fields import flag as _flag
from .fields import number as _number
from .fields import text as _text

STAY_DECISIONS = ("granted", "refused")
APPLICATIONS = ("filed", "she_returns", "not_needed")
SERVED = {"stay": "stay_decision_date", "residence": "residence_served_on"}
"""What an appeal counts from, by the refusal it is against (``appeal_against``)."""
RESIDENCE_DECISIONS = ("granted", "refused")
LAWS = {"rs": "Law on Foreigners of Serbia",
        "ba": "Law on Foreigners of Bosnia and Herzegovina and Rulebook 79/16"}


def _needed(data: dict[str, Any], field: str, asked: bool, message: str) -> None:
    """``field`` must be given when the answer it follows from asks for it."""
    if asked and not data.get(field):
        raise ValidationError(message, field)


class PresumedVictim(FormSchema):
    title = ""

    reasonable_grounds_on = _date("Reasonable grounds noted on",
                                  "The day there were first reasonable grounds to believe "
                                  "she is a victim: her period to recover counts from the "
                                  "decision, not from this day.", past=True, required=True)
    is_child = _flag("She is a child", "Under 18, or presumed to be while her age is not "
                     "known.", load_default=False)
    unaccompanied_minor = _flag("A child without a parent or guardian here",
                                "The guardianship authority appoints a guardian at once.",
                                load_default=False)


class StayDecision(FormSchema):
    title = ""

    stay_decision = _choice(STAY_DECISIONS, "Decision on the recovery and reflection period",
                            "Granted to a presumed victim whether or not she cooperates "
                            "with the authorities.", required=True)
    stay_decision_date = _date("Decided on", "The day the decision was made: the period "
                               "counts from the day after.", past=True, required=True)
    stay_refusal_reasons = only_when(
        _text("Reasons for refusing", "As the decision states them; it can be appealed.",
              load_default=""), "stay_decision", "refused")

    @validates_schema
    def _reasons(self, data: dict[str, Any], **_: Any) -> None:
        _needed(data, "stay_refusal_reasons", data.get("stay_decision") == "refused",
                translatable("Give the reasons the decision states."))


class ResidenceApplication(FormSchema):
    title = ""

    residence_application = _choice(
        APPLICATIONS, "Temporary residence on humanitarian grounds",
        "Filed with her before her period to recover ends; or she chose a voluntary "
        "return; or she needs no permit (she stays on another basis).", required=True,
        labels={"filed": "application filed", "she_returns": "she chose a voluntary return",
                "not_needed": "not needed: she stays on another basis"})
    residence_filed_on = only_when(
        _date("Filed on", "The day the application reached the authority.", past=True,
              allow_none=True, load_default=None), "residence_application", "filed")

    @validates_schema
    def _filed_on(self, data: dict[str, Any], **_: Any) -> None:
        _needed(data, "residence_filed_on", data.get("residence_application") == "filed",
                translatable("Give the day the application was filed."))


class ResidenceDecision(FormSchema):
    title = ""

    residence_decision = _choice(RESIDENCE_DECISIONS, "Decision on temporary residence",
                                 "Granted for a number of months, or refused with reasons.",
                                 required=True)
    residence_decided_on = _date("Decided on", "The day the decision was made.", past=True,
                                 required=True)
    residence_served_on = _date("Served on", "The day it was served on her: an appeal "
                                "against a refusal counts from the day after.", past=True,
                                required=True)
    residence_months = only_when(
        _number("Granted for (months)", "The permit's length, within the limits of the law.",
                1, 60, "Give a number of months from 1 to 60.", allow_none=True,
                load_default=None), "residence_decision", "granted")

    @validates_schema
    def _months(self, data: dict[str, Any], **_: Any) -> None:
        served_after(data.get("residence_decided_on"), data.get("residence_served_on"),
                     "residence_served_on")
        if data.get("residence_decision") != "granted":
            return
        months, place = data.get("residence_months"), self.jurisdiction
        if months is None or not place.permit_min_months <= months <= place.permit_max_months:
            raise ValidationError(
                translatable("The permit is granted for {least} to {most} months.").format(
                    least=place.permit_min_months, most=place.permit_max_months),
                "residence_months")


class Appeal(FormSchema):
    title = ""

    appeal_filed = _flag("Appeal filed", "Decided with her, with an interpreter if she needs "
                         "one.", load_default=False)
    appeal_filed_on = only_when(
        _date("Filed on", "The day the appeal was filed.", past=True, allow_none=True,
              load_default=None), "appeal_filed", "yes")
    reason_not_appealed = only_when(
        _text("Why she does not appeal", "For example another basis of stay or her wish to "
              "return.", load_default=""), "appeal_filed", "no")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        """The project's rule for every appeal: filed on a day not before the refusal was
        served, or not filed, with her reason."""
        served = SERVED[self.variables.get("appeal_against") or "residence"]
        check_appeal(data, stored_date(self.variables.get(served)),
                     translatable("An appeal is filed after the refusal was served."))


TITLES = {"start": "A foreigner presumed to be a victim of trafficking",
          "stay": "Recovery and reflection period",
          "application": "Temporary residence on humanitarian grounds: the application",
          "decision": "Temporary residence on humanitarian grounds: the decision",
          "appeal": "Appeal against a refusal"}
FORM_OF = {"start": PresumedVictim, "stay": StayDecision, "application": ResidenceApplication,
           "decision": ResidenceDecision, "appeal": Appeal}

for _country, _law in LAWS.items():
    for _step, _form in FORM_OF.items():
        FORMS.register(f"protection_{_country}.{_step}")(
            type(f"{_form.__name__}{_country.upper()}", (_form,),
                 {"title": f"{TITLES[_step]} ({_law})", "__module__": __name__}))
