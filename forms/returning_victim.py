"""Forms of receiving a citizen trafficked abroad and returned home (Serbia, seed 002).

In Serbia and in Bosnia and Herzegovina most victims are their own citizens, exploited
abroad or at home. One returning from abroad is announced by an embassy, IOM or an
organisation abroad; the Coordination Service of the Centre for the Protection of
Victims of Trafficking prepares her reception, the border police meet her, and she is
identified and helped like any victim. What her exploitation was is her own account:
it is recorded at identification, not here.
"""

from __future__ import annotations

from . import FORMS
from .base import FormSchema
from .fields import choice as _choice
from .fields import choices as _choices
from .fields import day as _date
from .fields import flag as _flag
from .fields import line as _line
from .fields import text as _text

REFERRERS = ("embassy", "iom", "police_abroad", "organisation_abroad", "family", "herself")
STAY_PLACES = ("shelter", "family", "own_home", "other_safe_place")
ARRANGED = ("meeting_at_border", "transport", "medical_care", "interpreter",
            "documents", "psychological_support")
RISK_LEVELS = ("low", "medium", "high")
NEED_AREAS = ("safety", "health", "psychological", "legal", "accommodation",
              "education_vocational", "financial", "family")


@FORMS.register("returning_victim_rs.start")
class ReturnAnnounced(FormSchema):
    title = "A citizen trafficked abroad is coming home"

    referred_by = _choice(REFERRERS, "Announced by", "Who told the Centre she is coming "
                          "home.", required=True,
                          labels={"iom": "IOM", "police_abroad": "police abroad",
                                  "organisation_abroad": "an organisation abroad"})
    returning_from = _line("Returning from", "The country she was exploited in.",
                           identifying=True, required=True)
    expected_arrival = _date("Expected on", "The agreed day of her arrival: her reception "
                             "is prepared by then.", required=True)
    is_child = _flag("She is a child", "Under 18, or presumed to be while her age is not "
                     "known: the guardianship authority takes part at once.",
                     load_default=False)


@FORMS.register("returning_victim_rs.reception")
class Reception(FormSchema):
    title = "Her reception at home"

    arrival_crossing = _line("Border crossing or airport", "Where she will be met.",
                             required=True)
    stay_place = _choice(STAY_PLACES, "Where she will stay", "A safe place agreed with her; "
                         "the address is not written here.", required=True)
    arranged = _choices(ARRANGED, "Arranged for her arrival", "What is ready when she "
                        "arrives.", required=True)
    reception_notes = _text("Notes for those who meet her", "What they need to know to "
                            "receive her safely: no account of her exploitation.",
                            load_default="")


@FORMS.register("returning_victim_rs.arrival")
class Arrival(FormSchema):
    title = "Her arrival"

    arrived_on = _date("Arrived on", "The day she crossed the border.", past=True,
                       required=True)
    handed_over = _flag("Handed over to the Centre's professional",
                        "She was met and accompanied, not treated as an offender.",
                        required=True)


@FORMS.register("returning_victim_rs.assessment")
class NeedsAssessment(FormSchema):
    title = "Risks, strengths and needs"

    risk_level = _choice(RISK_LEVELS, "Risk of harm or of being trafficked again",
                         "As assessed with her now that she is home.", required=True)
    risks = _text("Risks", "Threats from those who exploited her, debts, her family's "
                  "situation, stigma.", required=True)
    strengths = _text("Strengths", "What she and the people around her can build on.",
                      required=True)
    needs = _choices(NEED_AREAS, "Needs", "The areas her individual plan must cover.",
                     required=True)
    assessed_on = _date("Assessed on", "The day of the assessment.", past=True,
                        required=True)
