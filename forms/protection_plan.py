"""Forms of the individual protection plan and its monitoring (seeds 000, 002, 004).

The plan has the nine sections of seed 000 (table 1). Each goal carries indicators with
a target date (seed 004); an indicator not reached by its date makes the coordinator
correct the plan. Everything rests on her consent: refusing the plan, or withdrawing
consent later, is a normal path that stops the referrals and leaves the door open.
Her name is never part of the plan data: the case code identifies her.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.kit.dates import stored_date as _stored_date
from engine.kit.roles import ROLES
from engine.kit.texts import translatable

from . import FORMS
from .base import ConsentAsked, FormSchema
from .fields import Section, only_when, rows
from .fields import choice as _choice
from .fields import day as _date
from .fields import flag as _flag
from .fields import line as _line
from .fields import text as _text

TERMS = ("immediate", "short_term", "long_term")
SERVICE_AREAS = ("health", "legal", "psychological", "accommodation",
                 "education_vocational", "financial", "reintegration_programme")
RISK_LEVELS = ("low", "medium", "high")
CLOSE_REASONS = ("goals_reached", "she_left", "consent_withdrawn", "transferred")
CONSENT_GIVERS = ("herself", "guardian_with_child")
ROLE_KEYS = tuple(ROLES)

_NO_NAMES = "Do not write her name: the case code identifies her."
_INDICATOR_ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$",
                                error="Use a short code of letters, digits, '.', '-' or '_' "
                                      "(at most 20), such as G1-1.")


def _nested(schema: type[Schema], label: str, help_text: str, **kwargs: Any) -> fields.Nested:
    return fields.Nested(schema, metadata={"label": label, "help": help_text}, **kwargs)


def _required_text(label: str, help_text: str, error: str) -> fields.String:
    return _text(label, help_text, required=True, validate=validate.Length(min=1, error=error))


# --- the nine sections of the plan (seed 000, table 1) ---------------------------------

class Profile(Section):
    age = fields.Integer(validate=validate.Range(0, 120, error="Give an age from 0 to 120."),
                         allow_none=True, load_default=None,
                         metadata={"label": "Age", "help": "Her age, if she gave it."})
    citizenship = _line("Citizenship", "As far as known.", identifying=True, load_default="")
    languages = _line("Languages", "The languages she speaks and prefers.", identifying=True,
                      required=True)
    cultural_considerations = _text("Cultural considerations",
                                    "What the professionals should respect.", load_default="")
    case_history = _required_text("Case history", "Briefly how and where she was exploited. "
                                  f"{_NO_NAMES}", "Give a short case history.")


class NeedsAssessment(Section):
    safety_risk_level = _choice(RISK_LEVELS, "Risk level",
                                "From the risk assessment: threats from the traffickers or "
                                "dangerous surroundings.", required=True)
    safety_risk_assessment = _required_text("Risk assessment",
                                            "Who or what threatens her, and how.",
                                            "Describe the risks to her safety.")
    safety_measures = _required_text("Safety measures",
                                     "Immediate and long-term: safe accommodation, "
                                     "relocation if needed.", "Describe the safety measures.")
    health_physical = _required_text("Physical health", "Injuries, malnutrition, untreated "
                                     "conditions.", "Describe her physical health needs.")
    health_mental = _required_text("Mental health", "Trauma, depression, anxiety.",
                                   "Describe her mental health needs.")
    legal_status = _required_text("Legal status", "Residence permit, asylum, documents.",
                                  "Describe her legal status.")
    legal_compensation = _text("Compensation and proceedings",
                               "Compensation claims (unpaid wages) and proceedings against "
                               "the traffickers.", load_default="")
    psychological = _required_text("Psychological needs",
                                   "Emotional support, counselling, self-esteem.",
                                   "Describe her psychological needs.")
    economic_social = _required_text("Economic and social needs",
                                     "Financial help, training, work, social network.",
                                     "Describe her economic and social needs.")


class Indicator(Section):
    id = _line("Code", "A short code of the indicator, unique in the plan (e.g. G1-1).",
               required=True, validate=_INDICATOR_ID)
    description = _required_text("Indicator", "The observable change that shows progress.",
                                 "Describe the indicator.")
    target_date = _date("Target date", "The day by which it should be reached; the team is "
                        "alerted the next morning if it is not.", required=True)


class Goal(Section):
    term = _choice(TERMS, "Term", "Immediate, short-term or long-term.", required=True)
    description = _required_text("Goal", "What should change in her life.",
                                 "Describe the goal.")
    indicators = rows(Indicator, "Indicators", "At least one indicator with a target date, "
                        "so that progress can be monitored.", required=True,
                        validate=validate.Length(min=1, error="Give the goal at least one "
                                                 "indicator."))


class Service(Section):
    area = _choice(SERVICE_AREAS, "Area", "Health, legal, psychological, accommodation, "
                   "education or vocational, financial, or the (re)integration programme.",
                   required=True)
    provider_role = _choice(ROLE_KEYS, "Provided by", "The role that provides it; they "
                            "receive the referral.", required=True)
    description = _required_text("Service or measure", "Which support, how and how often.",
                                 "Describe the service.")
    change_expected = _required_text("Change it should bring", "The positive change the "
                                     "support should bring to her life.",
                                     "Say what change the service should bring.")
    starts_on = _date("Starts on", "When it starts, if agreed.", allow_none=True,
                      load_default=None)


class Monitoring(Section):
    contact_frequency = _line("Regular contacts", "How often and how the coordinator keeps "
                              "in touch with her.", required=True)
    retrafficking_prevention = _required_text("Preventing re-trafficking",
                                              "Risk signs to watch and measures taken.",
                                              "Say how re-trafficking is prevented.")


class Roles(Section):
    lead_role = _choice(ROLE_KEYS, "Coordination lead", "Who oversees and coordinates the "
                        "plan.", load_default="coordinator")
    professionals = _required_text("Professionals involved", "Every service and institution "
                                   "that contributes (no personal names needed).",
                                   "List the professionals involved.")
    her_role = _required_text("Her own role", "Her part in the decisions and her "
                              "commitments (e.g. attending therapy).",
                              "Describe her own role.")


class Milestone(Section):
    description = _line("Milestone", "A therapy session, a legal filing...", required=True)
    due_on = _date("Date", "When it is planned.", required=True)


class Timeframe(Section):
    milestones = rows(Milestone, "Milestones", "Milestones of the services.",
                        load_default=list)
    notes = _text("Timeframe notes", "When the short- and long-term goals should be reached.",
                  load_default="")


class EmergencyContact(Section):
    service = _line("Service", "Case coordinator, shelter, health care, legal "
                    "representative, hotline.", required=True)
    phone = _line("Phone", "A number she can call.", required=True)


class Signatures(Section):
    she_signed = _flag("She signed the plan", "Her signature is her consent to the plan.",
                       required=True)
    signed_on = _date("Date signed", "The day she signed.", past=True, required=True)
    coordinator_signed = _flag("The coordinator signed", "The coordination lead signs too.",
                               load_default=False)


# --- checks shared by the plan and its updates -----------------------------------------

def plan_indicators(variables: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The plan's indicators by id, as the handlers keep them in the process data."""
    return {i["id"]: i for i in variables.get("indicators") or []}


def _check_goals(goals: Iterable[Mapping[str, Any]], field: str, earliest: date | None,
                 taken: set[str], too_early: str) -> None:
    """Indicator ids unique (also against ``taken``); no target date before ``earliest``."""
    seen = set(taken)
    for g, goal in enumerate(goals):
        for i, indicator in enumerate(goal.get("indicators") or []):
            problem = None
            if indicator["id"] in seen:
                problem = {"id": [translatable("The code {code} is used twice in the plan.")
                                  .format(code=indicator["id"])]}
            elif earliest and indicator["target_date"] < earliest:
                problem = {"target_date": [too_early]}
            if problem:
                raise ValidationError({field: {g: {"indicators": {i: problem}}}})
            seen.add(indicator["id"])


@FORMS.register("protection_plan.consent")
class AskPlanConsent(FormSchema):
    title = "Her consent to an individual protection plan"
    consent_asked = ConsentAsked("protection_plan", answer="plan_consent",
                                 on="plan_consent_date", interpreter="plan_interpreter_used")

    plan_consent = _flag("She agrees to a protection plan",
                         "The plan and every referral in it are voluntary. If she says no "
                         "the plan is not made, and she can ask for one later.", required=True)
    plan_consent_date = _date("Date", "The day she gave or refused her consent.",
                              past=True, required=True)
    plan_consent_given_by = _choice(CONSENT_GIVERS, "Consent given by",
                                    "For a child, the guardian decides together with the "
                                    "child.", load_default="herself")
    plan_consent_purpose = _line("Purpose explained to her", "What the plan is for.",
                                 load_default="individual protection plan and the referrals "
                                              "it names")
    plan_informed_of_data_use = _flag("She was told how her data will be used",
                                      "Which services see what, and that nothing is "
                                      "disclosed without her consent.", load_default=False)
    plan_interpreter_used = _flag("An interpreter was used",
                                  "Consent counts only if she understood.", load_default=False)
    name_disclosure_consent = _flag("She agrees that her name is shown to the professionals",
                                    "Without this her name stays out of every document "
                                    "shared under the plan.", load_default=False)
    plan_refusal_note = only_when(_text("Her reasons, if she wants to give them",
                                        "Optional.", load_default=""), "plan_consent", "no")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("plan_consent") and not data.get("plan_informed_of_data_use"):
            raise ValidationError("Tell her how her data will be used before she consents.",
                                  "plan_informed_of_data_use")
        if self.variables.get("is_child") and data.get("plan_consent_given_by") == "herself":
            raise ValidationError("For a child the guardian consents together with the "
                                  "child.", "plan_consent_given_by")


@FORMS.register("protection_plan.draw_up")
class DrawUpPlan(FormSchema):
    title = "Individual protection plan"
    builds_on = ("identified_on", "exploitation_forms", "current_state_and_needs",
                 "her_view", "immediate_needs", "needs_arranged", "unmet_needs_note",
                 "is_child", "interpreter_language")
    needs_consent = "protection_plan"

    plan_date = _date("Date of the plan", "The day the plan was agreed with her; target "
                      "dates and reviews count from it.", past=True, required=True)
    profile = _nested(Profile, "1. Personal profile", "Age, citizenship, languages, culture "
                      f"and a short case history. {_NO_NAMES}", required=True)
    needs = _nested(NeedsAssessment, "2. Needs assessment", "Safety with a risk assessment, "
                    "physical and mental health, legal, psychological, economic and social.",
                    required=True)
    goals = rows(Goal, "3. Goals", "Immediate, short-term and long-term goals, each with "
                   "indicators and target dates.", required=True,
                   validate=validate.Length(min=1, error="Give at least one goal."))
    services = rows(Service, "4. Services and measures", "Which support, what change it "
                      "should bring, and who provides it.", required=True,
                      validate=validate.Length(min=1, error="Name at least one service."))
    monitoring = _nested(Monitoring, "5. Monitoring", "Regular contacts and the prevention of "
                         "re-trafficking.", required=True)
    roles = _nested(Roles, "6. Roles and responsibilities", "The coordination lead, the "
                    "professionals and her own role.", required=True)
    timeframe = _nested(Timeframe, "7. Timeframe", "Milestones; reviews follow the "
                        "jurisdiction's review interval.", required=True)
    emergency_contacts = rows(EmergencyContact, "8. Emergency contacts",
                                "Numbers she can call at any hour.", required=True,
                                validate=validate.Length(min=1, error="Give at least one "
                                                         "emergency contact."))
    signatures = _nested(Signatures, "9. Signatures", "Her signature is her consent.",
                         required=True)
    reintegration_consent = _flag("She agrees to join the (re)integration programme",
                                  "Only when the services include the programme; the NGO "
                                  "counsellor then presents it to her.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        planned = data.get("plan_date")
        consent = _stored_date(self.variables.get("plan_consent_date"))
        if planned and consent and planned < consent:
            raise ValidationError("The plan cannot be dated before her consent.", "plan_date")
        _check_goals(data.get("goals") or [], "goals", planned, set(),
                     translatable("A target date cannot be before the plan date."))
        for m, milestone in enumerate((data.get("timeframe") or {}).get("milestones") or []):
            if planned and milestone["due_on"] < planned:
                raise ValidationError({"timeframe": {"milestones": {m: {"due_on": [
                    translatable("A milestone cannot be before the plan date.")]}}}})
        signatures = data.get("signatures") or {}
        if signatures and not signatures.get("she_signed"):
            raise ValidationError({"signatures": {"she_signed": [
                translatable("The plan needs her signature: it is her consent.")]}})
        signed = signatures.get("signed_on")
        if signed and planned and signed < planned:
            raise ValidationError({"signatures": {"signed_on": [
                translatable("She signs the plan on or after its date.")]}})
        areas = {s["area"] for s in data.get("services") or []}
        if data.get("reintegration_consent") and "reintegration_programme" not in areas:
            raise ValidationError("Add the (re)integration programme to the services first.",
                                  "reintegration_consent")


class Reached(Section):
    indicator_id = _line("Indicator", "The code of the indicator.", required=True)
    reached_on = _date("Reached on", "The day it was reached.", past=True, required=True)


class Rescheduled(Section):
    indicator_id = _line("Indicator", "The code of the indicator.", required=True)
    target_date = _date("New target date", "After the date of this update.", required=True)
    reason = _text("Why", "What got in the way.", load_default="")


class Dropped(Section):
    indicator_id = _line("Indicator", "The code of the indicator.", required=True)
    reason = _required_text("Why", "Why it no longer fits her plan.",
                            "Say why the indicator is dropped.")


class _PlanUpdate(FormSchema):
    """Changes to the plan made at a review or a correction, and closing it."""

    date_field = ""

    indicators_reached = rows(Reached, "Indicators reached", "Each with the day it was "
                                "reached.", load_default=list)
    indicators_rescheduled = rows(Rescheduled, "Indicators rescheduled",
                                    "A new target date for an indicator not reached yet.",
                                    load_default=list)
    indicators_dropped = rows(Dropped, "Indicators dropped",
                                "Indicators that no longer fit, with the reason.",
                                load_default=list)
    goals_added = rows(Goal, "Goals added", "New goals with their indicators.",
                         load_default=list)
    services_added = rows(Service, "Services added", "New referrals, with her consent.",
                            load_default=list)
    plan_adjustments = _text("Other adjustments", "What else changes in the plan, agreed "
                             "with her.", load_default="")
    plan_consent_withdrawn = _flag("She withdrew her consent",
                              "Then the referrals stop, every open deadline of the plan is "
                              "cancelled and the plan is closed.", load_default=False)
    plan_next_step = _choice(("continue", "close"), "Next step",
                             "Continue monitoring, or close the plan.", required=True)
    close_reason = _choice(CLOSE_REASONS, "Reason for closing",
                           "Goals reached, she left, she withdrew her consent, or the case "
                           "was transferred.", allow_none=True, load_default=None)

    @validates_schema
    def _check_update(self, data: dict[str, Any], **_: Any) -> None:
        on = data.get(self.date_field)
        planned = _stored_date(self.variables.get("plan_date"))
        if on and planned and on < planned:
            raise ValidationError("The date cannot be before the plan date.", self.date_field)
        indicators = plan_indicators(self.variables)
        open_ids = {k for k, v in indicators.items() if v.get("status") == "open"}
        used: set[str] = set()
        for name in ("indicators_reached", "indicators_rescheduled", "indicators_dropped"):
            ids = [item["indicator_id"] for item in data.get(name) or []]
            unknown = [i for i in ids if i not in open_ids]
            if unknown:
                raise ValidationError(translatable("Not an open indicator of this plan: {codes}.")
                                      .format(codes=", ".join(unknown)), name)
            twice = sorted(used.intersection(ids) | {i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValidationError(translatable("Each indicator once only: {codes}.")
                                      .format(codes=", ".join(twice)), name)
            used.update(ids)
        for r, item in enumerate(data.get("indicators_reached") or []):
            if planned and item["reached_on"] < planned:
                raise ValidationError({"indicators_reached": {r: {"reached_on": [
                    translatable("The day must be between the plan date and today.")]}}})
        for r, item in enumerate(data.get("indicators_rescheduled") or []):
            if on and item["target_date"] <= on:
                raise ValidationError({"indicators_rescheduled": {r: {"target_date": [
                    translatable("A new target date must be after the date of this update.")]}}})
        _check_goals(data.get("goals_added") or [], "goals_added", on, set(indicators),
                     translatable("A target date cannot be before the date of this update."))
        self._check_closing(data, open_ids - used | {
            i["indicator_id"] for i in data.get("indicators_rescheduled") or []})

    def _check_closing(self, data: dict[str, Any], still_open: set[str]) -> None:
        reason = data.get("close_reason")
        if data.get("plan_consent_withdrawn"):
            for name in ("indicators_rescheduled", "goals_added", "services_added"):
                if data.get(name):
                    raise ValidationError("Without her consent nothing new is planned or "
                                          "referred.", name)
            if data.get("plan_next_step") != "close":
                raise ValidationError("When she withdraws her consent the plan is closed.",
                                      "plan_next_step")
            if reason not in (None, "consent_withdrawn"):
                raise ValidationError("She withdrew her consent: that is the reason.",
                                      "close_reason")
            data["close_reason"] = "consent_withdrawn"
            return
        if data.get("plan_next_step") == "close":
            if not reason:
                raise ValidationError("Give the reason for closing the plan.", "close_reason")
            if reason == "consent_withdrawn":
                raise ValidationError("Tick that she withdrew her consent.",
                                      "plan_consent_withdrawn")
            if reason == "goals_reached" and still_open:
                raise ValidationError(translatable("Still open: {codes}. Record them as "
                                                   "reached or dropped first.")
                                      .format(codes=", ".join(sorted(still_open))),
                                      "close_reason")
        elif reason:
            raise ValidationError("A reason is given only when closing the plan.",
                                  "close_reason")


@FORMS.register("protection_plan.review")
class ReviewPlan(_PlanUpdate):
    title = "Review of the protection plan"
    date_field = "review_date"

    review_date = _date("Date of the review", "The day you reviewed the plan with her.",
                        past=True, required=True)
    review_notes = _required_text("How she is doing", "Progress, new needs and her own view, "
                                  f"agreed with her. {_NO_NAMES}",
                                  "Record how she is doing.")


@FORMS.register("protection_plan.correct")
class CorrectPlan(_PlanUpdate):
    title = "Correct the protection plan"
    date_field = "corrected_on"

    corrected_on = _date("Date of the correction", "The day the plan was corrected with her.",
                         past=True, required=True)
    reason_not_reached = _required_text("Why the indicators were not reached",
                                        "What got in the way, as the team and she see it.",
                                        "Say why the indicators were not reached.")

    def _check_closing(self, data: dict[str, Any], still_open: set[str]) -> None:
        super()._check_closing(data, still_open)
        if data.get("plan_next_step") == "close":
            return
        handled = {item["indicator_id"] for name in ("indicators_reached",
                   "indicators_rescheduled", "indicators_dropped")
                   for item in data.get(name) or []}
        missing = [i for i in self.variables.get("overdue_indicators") or []
                   if i not in handled]
        if missing:
            raise ValidationError(translatable("Correct every indicator not reached by its date: "
                                               "{codes} (reschedule it, drop it or record it "
                                               "as reached).").format(codes=", ".join(missing)),
                                  "indicators_rescheduled")
