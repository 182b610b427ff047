"""Forms of an assisted voluntary return, coordinated by the coordinator only if she wants it.

Every step after her consent carries the same withdrawal fields: she may withdraw her
consent at any step, and recording that is a normal answer, not an error. A withdrawn
step asks for nothing else, so the actor never has to invent travel details to say she
changed her mind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from marshmallow import ValidationError, fields, validate, validates_schema

from engine.kit.dates import stored_date as _stored_date
from engine.kit.texts import translatable

from . import FORMS
from .base import ConsentAsked, FormSchema
from .fields import choice as _choice
from .fields import choices as _choices
from .fields import day as _date
from .fields import flag as _flag
from .fields import line as _line
from .fields import text as _text

RISK_LEVELS = ("low", "medium", "high")
FAMILY_SITUATIONS = ("supportive", "unknown", "unsafe", "involved_in_trafficking")
FAMILY_RISK = {"supportive": "low", "unknown": "medium", "unsafe": "high",
               "involved_in_trafficking": "high"}
"""How much risk each family situation adds: a family that took part in the trafficking
is as dangerous as a direct threat."""
PARTNER_SERVICES = ("reception_on_arrival", "accommodation", "medical_care",
                    "psychosocial_support", "legal_aid", "economic_support",
                    "education_training", "family_mediation")
DOCUMENT_TYPES = ("passport", "emergency_travel_document", "identity_card", "laissez_passer")
TRANSPORT = ("air", "bus", "train", "car", "other")
ESCORTS = ("none", "return_officer", "police", "social_worker", "partner_staff")
PROTECTION_MEASURES = ("safe_accommodation", "reflection_period", "residence_permit",
                       "reintegration_programme", "other_legal_basis",
                       "relocation_in_country", "other")
FOLLOW_UP_METHODS = ("partner_report", "phone", "video_call", "visit")
SITUATIONS_AFTER_RETURN = ("safe_and_supported", "difficulties", "at_risk", "not_reachable")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _ticked(data: Any, name: str) -> bool:
    """Whether the raw form data ticks ``name`` (as marshmallow's Boolean would read it)."""
    if not isinstance(data, Mapping):
        return False
    try:
        return data.get(name) in fields.Boolean.truthy
    except TypeError:  # an unhashable value: the field itself will reject it
        return False


def check_interpreter(data: Mapping[str, Any]) -> None:
    """Consent is informed only in a language she understands."""
    if data.get("interpreter_needed") and not data.get("interpreter_used"):
        raise ValidationError("She needs an interpreter: talk to her again with one "
                              "(interpreting is free for her).", "interpreter_used")
    if data.get("interpreter_used") and _blank(data.get("interpreter_language")):
        raise ValidationError("Say which language was interpreted.", "interpreter_language")


@FORMS.register("voluntary_return.consent")
class ReturnConsent(FormSchema):
    title = "Her informed consent to return"
    consent_asked = ConsentAsked("voluntary_return", answer="return_consent",
                                 on="consent_date", interpreter="interpreter_used")

    return_consent = _choice(("given", "refused"), "Does she want to return?",
                             "Only she decides. Refusing is a normal answer: she may ask "
                             "for a return later.", required=True)
    consent_date = _date("Date", "The day she gave or refused her consent.", past=True,
                         required=True)
    consent_purpose = _line("What she agreed to",
                            "For example: assisted voluntary return to her country of "
                            "origin, with a hand-over to a partner organisation.",
                            allow_none=True, load_default=None)
    interpreter_needed = _flag("She needs an interpreter",
                               "Tick if she does not understand the language of the talk "
                               "well enough.", load_default=False)
    interpreter_used = _flag("An interpreter was present", "Interpreting is free for her.",
                             load_default=False)
    interpreter_language = _line("Language interpreted", "Her mother tongue or a language "
                                 "she understands well.", allow_none=True, load_default=None)
    informed_of_process = _flag(
        "She was told what the return involves",
        "The steps, the risk assessment, the partner organisation, travel and follow-up, "
        "in words she understands.", load_default=False)
    informed_of_right_to_withdraw = _flag(
        "She was told she may withdraw at any step",
        "She can change her mind at any time until she has arrived; nothing is held "
        "against her.", load_default=False)
    data_sharing_consent = _flag(
        "She agrees that the partner organisation receives her data",
        "Only what the hand-over needs; without her agreement nothing is shared.",
        load_default=False)
    consent_notes = _text("Notes", "Her questions and wishes (no names of other people).",
                          load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        check_interpreter(data)
        if data.get("return_consent") != "given":
            return
        if _blank(data.get("consent_purpose")):
            raise ValidationError("Write what she agreed to.", "consent_purpose")
        if not data.get("informed_of_process"):
            raise ValidationError("Her consent is informed only when she was told what the "
                                  "return involves.", "informed_of_process")
        if not data.get("informed_of_right_to_withdraw"):
            raise ValidationError("Tell her that she may withdraw her consent at any step.",
                                  "informed_of_right_to_withdraw")
        if not data.get("data_sharing_consent"):
            raise ValidationError("The hand-over needs her agreement to share her data with "
                                  "the partner organisation; ask her, or record her refusal "
                                  "to return as it stands.", "data_sharing_consent")


class ReturnStep(FormSchema):
    """A step of the return at which she may withdraw her consent."""

    step: ClassVar[str] = ""
    withdraws_consent = ("voluntary_return", "consent_withdrawn")

    consent_withdrawn = _flag("She withdrew her consent",
                              "Tick if she no longer wants to return. The return stops here; "
                              "this is her right, and the rest of the form can stay empty.",
                              load_default=False)
    withdrawal_reason = _text("Reason she gave",
                              "In her words; write 'no reason given' if she gave none.",
                              allow_none=True, load_default=None)
    withdrawn_on = _date("Date she withdrew", "Leave empty for today.", past=True, allow_none=True,
                         load_default=None)
    withdrawal_step = fields.String(
        dump_only=True, metadata={"label": "Step at which she withdrew",
                                  "help": "Set by the engine from the form."})

    def load(self, data: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if _ticked(data, "consent_withdrawn"):
            kwargs["partial"] = True  # the step itself is no longer done
        loaded = super().load(data, **kwargs)
        loaded["withdrawal_step"] = self.step if loaded.get("consent_withdrawn") else None
        return loaded

    @validates_schema
    def _check_withdrawal(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("consent_withdrawn"):
            return
        if _blank(data.get("withdrawal_reason")):
            raise ValidationError("Record the reason she gave (or 'no reason given').",
                                  "withdrawal_reason")

    @staticmethod
    def withdrawn(data: Mapping[str, Any]) -> bool:
        return bool(data.get("consent_withdrawn"))


@FORMS.register("voluntary_return.best_interests")
class BestInterests(ReturnStep):
    title = "Guardian's consent and best-interests assessment"
    step = "best_interests"

    guardian_consent = _choice(("given", "refused"), "Guardian's consent",
                               "A child returns only with her guardian's consent.",
                               required=True)
    guardian_consent_date = _date("Date of the guardian's answer",
                                  "The day the guardian gave or refused consent.", past=True,
                                  required=True)
    child_heard = _flag("Her views were heard",
                        "Hear her, according to her age and maturity, before concluding.",
                        load_default=False)
    family_traced = _choice(("found_safe", "found_unsafe", "not_found"), "Family tracing",
                            "Whether her family was found and is safe for her.",
                            required=True)
    care_on_return = _choice(("family", "foster_care", "care_institution", "other_guardian"),
                             "Care on arrival", "Who will look after her after the hand-over.",
                             required=True)
    best_interests_outcome = _choice(("in_best_interests", "not_in_best_interests"),
                                     "Conclusion", "Is returning in her best interests?",
                                     required=True)
    best_interests_assessment = _text("Assessment",
                                      "Her safety, care, schooling and family situation on "
                                      "return, and her own views.", required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.withdrawn(data):
            return
        if not data.get("child_heard"):
            raise ValidationError("Hear her views (according to her age and maturity) before "
                                  "the assessment is concluded.", "child_heard")
        if _blank(data.get("best_interests_assessment")):
            raise ValidationError("Write the assessment.", "best_interests_assessment")
        if data.get("care_on_return") == "family" and data.get("family_traced") != "found_safe":
            raise ValidationError("She can only return to her family if it was found and "
                                  "assessed as safe; choose another form of care.",
                                  "care_on_return")


@FORMS.register("voluntary_return.risk")
class ReturnRiskAssessment(ReturnStep):
    title = "Risk assessment of the return"
    step = "risk_assessment"

    assessed_on = _date("Date of the assessment", "The day the assessment was concluded.",
                        past=True, required=True)
    retrafficking_risk = _choice(RISK_LEVELS, "Risk of being trafficked again",
                                 "Debts, recruiters in her home area, no income on return.",
                                 required=True)
    threat_risk = _choice(RISK_LEVELS, "Threats", "Threats from the traffickers or their "
                          "associates to her or her family.", required=True)
    family_situation = _choice(FAMILY_SITUATIONS, "Family situation",
                               "Whether her family can support her, or was part of what "
                               "happened to her.", required=True)
    police_consulted = _flag("The police were consulted",
                             "Ask the police about threats known from the investigation "
                             "when needed.", load_default=False)
    risk_level = _choice(RISK_LEVELS, "Overall risk of the return",
                         "Not lower than the highest risk found.", required=True)
    risk_notes = _text("What the risks are and what reduces them", "No names of other people.",
                       required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.withdrawn(data):
            return
        found = {
            "the risk of being trafficked again": data.get("retrafficking_risk"),
            "the threats": data.get("threat_risk"),
            "the family situation": FAMILY_RISK.get(data.get("family_situation", "")),
        }
        overall = data.get("risk_level")
        if overall not in RISK_LEVELS:
            return
        for what, level in found.items():
            if level in RISK_LEVELS and RISK_LEVELS.index(level) > RISK_LEVELS.index(overall):
                raise ValidationError(translatable("The overall risk cannot be lower than the "
                                                   "highest risk found ({level}: {what}).")
                                      .format(level=level, what=what), "risk_level")
        if _blank(data.get("risk_notes")):
            raise ValidationError("Describe the risks and what reduces them.", "risk_notes")


@FORMS.register("voluntary_return.high_risk")
class HighRiskDecision(ReturnStep):
    title = "Decision on a high-risk return"
    step = "high_risk_review"

    high_risk_decision = _choice(("continue", "stop"), "Decision",
                                 "Continue only with a justification and safeguards; "
                                 "otherwise stop the return and plan her protection.",
                                 required=True)
    high_risk_decided_on = _date("Date of the decision", "The day the decision was taken.",
                                 past=True, required=True)
    high_risk_justification = _text("Justification", "Why the return may go on despite the "
                                    "high risk, or why it is stopped.", required=True)
    safeguards = _text("Safeguards", "What reduces the risk: shelter on arrival, escort, no "
                       "contact with the family, follow-up...", allow_none=True,
                       load_default=None)
    she_was_told_the_risk = _flag("She knows the risk and still wants to return",
                                  "Explained in words she understands.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.withdrawn(data):
            return
        if _blank(data.get("high_risk_justification")):
            raise ValidationError("Give the justification of the decision.",
                                  "high_risk_justification")
        if data.get("high_risk_decision") != "continue":
            return
        if _blank(data.get("safeguards")):
            raise ValidationError("A high-risk return may go on only with safeguards: list "
                                  "them.", "safeguards")
        if not data.get("she_was_told_the_risk"):
            raise ValidationError("She must know about the high risk, in words she "
                                  "understands, and still want to return.",
                                  "she_was_told_the_risk")


@FORMS.register("voluntary_return.protection")
class ProtectionInstead(FormSchema):
    title = "Plan her protection instead of the return"

    protection_measures = _choices(PROTECTION_MEASURES, "Protection measures",
                                   "What keeps her safe now that she does not return.",
                                   required=True,
                                   validate=validate.Length(min=1, error="Choose at least one "
                                                            "measure."))
    protection_notes = _text("Plan", "Who does what, and when.", required=True)
    told_her = _flag("She was told why the return was stopped",
                     "And that she may ask again when her situation changes.",
                     load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if _blank(data.get("protection_notes")):
            raise ValidationError("Write the protection plan.", "protection_notes")
        if not data.get("told_her"):
            raise ValidationError("Tell her why the return was stopped and that she may ask "
                                  "again later.", "told_her")


@FORMS.register("voluntary_return.partner")
class PartnerContact(ReturnStep):
    title = "Partner organisation in her country of origin"
    needs_consent = "voluntary_return"
    step = "partner_contact"

    partner_organisation = _line("Partner organisation", "The organisation that receives "
                                 "and supports her on arrival.", required=True)
    partner_country = _line("Country", "Her country of origin.", required=True)
    contact_confirmed = _flag("The partner confirmed it will receive her",
                              "Only a confirmed contact allows the return to be arranged.",
                              load_default=False)
    contact_confirmed_on = _date("Date of the confirmation",
                                 "The day the partner confirmed.", past=True, required=True)
    partner_services = _choices(PARTNER_SERVICES, "Support the partner will give",
                                "At least one service.", required=True,
                                validate=validate.Length(min=1, error="Choose what the "
                                                         "partner will provide."))
    partner_notes = _text("Notes", "Arrangements agreed with the partner.", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.withdrawn(data):
            return
        for name in ("partner_organisation", "partner_country"):
            if _blank(data.get(name)):
                raise ValidationError("This field is required.", name)
        if not data.get("contact_confirmed"):
            raise ValidationError("The partner organisation must confirm that it will receive "
                                  "and support her before the return is arranged; try again, "
                                  "or look for another organisation.", "contact_confirmed")


@FORMS.register("voluntary_return.documents")
class TravelDocuments(ReturnStep):
    title = "Travel documents"
    step = "travel_documents"

    document_type = _choice(DOCUMENT_TYPES, "Document", "What she will travel on.",
                            required=True)
    issuing_authority = _line("Issued by", "Embassy, consulate or authority (no personal "
                              "data).", required=True)
    document_issued_on = _date("Issued on", "The issue date on the document.", past=True,
                               required=True)
    document_valid_until = _date("Valid until", "The last day the document can be used.",
                                 required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.withdrawn(data):
            return
        if _blank(data.get("issuing_authority")):
            raise ValidationError("Say who issued the document.", "issuing_authority")
        issued, valid = data.get("document_issued_on"), data.get("document_valid_until")
        if valid is not None and valid < self.today:
            raise ValidationError("This document is no longer valid, so she cannot travel on "
                                  "it; ask for a new or an emergency travel document.",
                                  "document_valid_until")
        if issued and valid and valid < issued:
            raise ValidationError("A document cannot expire before it was issued.",
                                  "document_valid_until")


@FORMS.register("voluntary_return.travel")
class TravelArrangements(ReturnStep):
    title = "Travel arrangements and escort"
    step = "travel_arrangements"

    travel_date = _date("Travel date", "The day she travels; today or later.", required=True)
    transport = _choice(TRANSPORT, "Transport", "How she travels.", required=True)
    route = _line("Route", "From where to where, with changes.", required=True)
    escort = _choice(ESCORTS, "Escort", "Who travels with her. A child and a high-risk return "
                     "always need an escort; a police escort is confirmed by the police.",
                     required=True)
    meeting_point = _line("Meeting point on arrival", "Where the partner organisation meets "
                          "her.", required=True)
    travel_notes = _text("Notes", "Anything the escort and the partner must know.",
                         load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.withdrawn(data):
            return
        travel = data.get("travel_date")
        if travel is not None and travel < self.today:
            raise ValidationError("The travel date cannot be in the past: plan it for today "
                                  "or later.", "travel_date")
        valid = _stored_date(self.variables.get("document_valid_until"))
        if travel and valid and travel > valid:
            raise ValidationError(translatable("Her travel document is valid only until {day}: "
                                               "plan the travel on or before that day, or "
                                               "renew the document.")
                                  .format(day=f"{valid:%d %B %Y}"), "travel_date")
        if data.get("escort") == "none":
            if self.variables.get("is_child"):
                raise ValidationError("A child never travels alone: choose an escort.",
                                      "escort")
            if self.variables.get("risk_level") == "high":
                raise ValidationError("A high-risk return needs an escort.", "escort")
        for name in ("route", "meeting_point"):
            if _blank(data.get(name)):
                raise ValidationError("This field is required.", name)


@FORMS.register("voluntary_return.escort")
class PoliceEscort(ReturnStep):
    title = "Police escort"
    step = "police_escort"

    escort_confirmed = _flag("The escort is confirmed", "Leave unticked if the police cannot "
                             "escort her on that day; the travel is then planned again.",
                             load_default=False)
    escort_notes = _text("Notes", "Why the escort cannot be given, or what was arranged.",
                         load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.withdrawn(data):
            return
        if not data.get("escort_confirmed") and _blank(data.get("escort_notes")):
            raise ValidationError("Say why the escort cannot be given, so the travel can be "
                                  "planned again.", "escort_notes")


@FORMS.register("voluntary_return.handover")
class HandOver(ReturnStep):
    title = "Hand-over on arrival"
    step = "handover"

    handover_status = _choice(("handed_over", "travel_postponed"), "What happened",
                              "Handed over to the partner, or the travel did not take place "
                              "and must be planned again.", required=True)
    arrived_on = _date("Arrival date", "The day she arrived and was handed over.",
                       past=True, allow_none=True, load_default=None)
    partner_confirmed_handover = _flag("The partner confirmed it received her",
                                       "The hand-over is complete only with this confirmation.",
                                       load_default=False)
    handover_notes = _text("Notes", "Why the travel was postponed, or anything the follow-up "
                           "must know.", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.withdrawn(data):
            return
        if data.get("handover_status") == "travel_postponed":
            if _blank(data.get("handover_notes")):
                raise ValidationError("Say why the travel did not take place.",
                                      "handover_notes")
            return
        if data.get("arrived_on") is None:
            raise ValidationError("Give the day she arrived.", "arrived_on")
        if not data.get("partner_confirmed_handover"):
            raise ValidationError("The hand-over is complete only when the partner organisation "
                                  "confirms that it received her.", "partner_confirmed_handover")


@FORMS.register("voluntary_return.follow_up")
class FollowUp(FormSchema):
    title = "Follow-up contact after the return"

    contacted_on = _date("Date of the contact", "The day she or the partner was contacted.",
                         past=True, required=True)
    contact_method = _choice(FOLLOW_UP_METHODS, "How", "Through the partner organisation or "
                             "directly with her.", required=True)
    situation_after_return = _choice(SITUATIONS_AFTER_RETURN, "Her situation",
                                     "As she and the partner describe it.", required=True)
    follow_up_report = _text("Report", "Safety, health, income, housing, support received; no "
                             "names of other people.", required=True)
    further_follow_up = _flag("Plan another follow-up", "Another contact in a few weeks.",
                              load_default=False)
    declines_further_contact = _flag("She does not want more contact",
                                     "Her wish is respected.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if _blank(data.get("follow_up_report")):
            raise ValidationError("Write the report of the contact.", "follow_up_report")
        if data.get("declines_further_contact"):
            if data.get("further_follow_up"):
                raise ValidationError("She does not want more contact: do not plan another "
                                      "follow-up.", "further_follow_up")
            return
        if (data.get("situation_after_return") in ("at_risk", "not_reachable")
                and not data.get("further_follow_up")):
            raise ValidationError("She is at risk or could not be reached: plan another "
                                  "follow-up with the partner organisation.",
                                  "further_follow_up")
