"""Forms of the (re)integration programme run by NGO counsellors (seed 001, section 3.2).

She may leave at any time: every step from the intake on carries the same leaving fields,
and leaving asks for nothing else. Before the team admits her, leaving is recorded as
declining (she may enter later); after it, as leaving the programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.kit.dates import stored_date as _stored_date
from engine.kit.texts import translatable

from . import FORMS
from .base import ConsentAsked, FormSchema
from .fields import choice as _choice
from .fields import choices as _choices
from .fields import day as _date
from .fields import flag as _flag
from .fields import line as _line
from .fields import number as _number
from .fields import text as _text

HELP_OFFERED = ("counselling", "individual_plan", "training", "education", "documents",
                "employment", "legal_advice", "social_network")
INTAKE_TOPICS = ("reason", "circumstances", "resources", "risks", "stage_of_recovery",
                 "suitability")
"""What the intake interview must establish before the counsellor writes her report."""
PLAN_AREAS = ("language", "schooling", "recognition_of_education", "employment",
              "social_network", "residence_status", "health_insurance", "leisure")
REVIEW_AREAS = ("language", "schooling", "recognition", "employment", "social_network")
PROGRESS = ("not_started", "in_progress", "achieved", "not_in_plan")
NEGATIVE_GROUNDS = ("conditions_not_met", "not_needed_as_witness", "not_ready",
                    "other")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _required_text(data: Mapping[str, Any], *names: str) -> None:
    for name in names:
        if _blank(data.get(name)):
            raise ValidationError("This field is required.", name)


def _ticked(data: Any, name: str) -> bool:
    if not isinstance(data, Mapping):
        return False
    try:
        return data.get(name) in fields.Boolean.truthy
    except TypeError:
        return False


def _check_interpreter(data: Mapping[str, Any]) -> None:
    if data.get("interpreter_needed") and not data.get("interpreter_used"):
        raise ValidationError("She needs an interpreter: talk to her again with one, in her "
                              "mother tongue.", "interpreter_used")
    if data.get("interpreter_used") and _blank(data.get("interpreter_language")):
        raise ValidationError("Say which language was interpreted.", "interpreter_language")


@FORMS.register("reintegration.present")
class PresentProgramme(FormSchema):
    title = "Present the (re)integration programme"

    presented_on = _date("Date", "The day you presented the programme to her.", past=True,
                         required=True)
    interpreter_needed = _flag("She needs an interpreter",
                               "Tick if she does not speak the language of the counselling "
                               "well enough.", load_default=False)
    interpreter_used = _flag("An interpreter was present", "Invite one for her mother tongue.",
                             load_default=False)
    interpreter_language = _line("Language interpreted", "Her mother tongue.",
                                 allow_none=True, load_default=None)
    help_explained = _choices(HELP_OFFERED, "Forms of help explained",
                              "What the programme can give her.", required=True,
                              validate=validate.Length(min=1, error="Say which forms of help "
                                                       "you explained."))
    conditions_explained = _flag("Conditions and obligations explained",
                                 "The conditions for joining and the contract obligations of "
                                 "both sides, in words she understands.", load_default=False)
    decision_expected_by = _date("She will answer by",
                                 "Leave her enough time to think; she may also say no.",
                                 required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        presented = data.get("presented_on")
        _check_interpreter(data)
        if not data.get("conditions_explained"):
            raise ValidationError("Explain the conditions for joining and the obligations of "
                                  "both sides before she decides.", "conditions_explained")
        answer = data.get("decision_expected_by")
        if presented and answer and answer < presented:
            raise ValidationError("The day of her answer cannot be before the presentation.",
                                  "decision_expected_by")


@FORMS.register("reintegration.decision")
class EntryDecision(FormSchema):
    title = "Her decision after time to think"
    consent_asked = ConsentAsked("reintegration_intake", answer="intake_consent",
                                 on="entry_decision_date", interpreter="interpreter_used")

    entry_decision = _choice(("enter", "decline"), "Her decision",
                             "Declining is respected; she may enter the programme later.",
                             required=True)
    entry_decision_date = _date("Date", "The day she told you.", past=True, required=True)
    consent_purpose = _line("What she agreed to",
                            "For example: intake interview and the (re)integration "
                            "programme.", allow_none=True, load_default=None)
    intake_consent = _flag("She agrees to the intake interview",
                           "And to your notes of it, which she will confirm.",
                           load_default=False)
    interpreter_used = _flag("An interpreter was present", "When she needs one.",
                             load_default=False)
    told_she_may_enter_later = _flag("She was told she may enter later",
                                     "When she declines.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("entry_decision") == "enter":
            if _blank(data.get("consent_purpose")):
                raise ValidationError("Write what she agreed to.", "consent_purpose")
            if not data.get("intake_consent"):
                raise ValidationError("The intake interview needs her consent.",
                                      "intake_consent")
        elif data.get("entry_decision") == "decline" and not data.get("told_she_may_enter_later"):
            raise ValidationError("Tell her that her decision is respected and that she may "
                                  "enter the programme later.", "told_she_may_enter_later")


class ProgrammeStep(FormSchema):
    """A step at which she may leave the programme; leaving asks for nothing else."""

    left_programme = _flag("She leaves the programme",
                           "Tick if she no longer wants to take part. This is her right; the "
                           "rest of the form can stay empty.", load_default=False)
    left_on = _date("Date she left", "Leave empty for today.", past=True, allow_none=True,
                    load_default=None)
    leaving_reason = _text("Her reasons", "Only if she wants to give them.", allow_none=True,
                           load_default=None)

    def load(self, data: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if _ticked(data, "left_programme"):
            kwargs["partial"] = True
        return super().load(data, **kwargs)

    @staticmethod
    def leaving(data: Mapping[str, Any]) -> bool:
        return bool(data.get("left_programme"))


@FORMS.register("reintegration.intake_session")
class IntakeSession(ProgrammeStep):
    title = "Intake interview session"
    needs_consent = "reintegration_intake"

    session_date = _date("Date of the session",
                         "The day of this session; the intake may take several.",
                         past=True, required=True)
    session_minutes = _number("Length in minutes",
                              "A session is short: the form tells you if it is too long. "
                              "Continue another day.", 1, 24 * 60,
                              "Give the length in whole minutes.", required=True)
    topics_covered = _choices(INTAKE_TOPICS, "Topics covered",
                              "Reason for joining, her circumstances, her resources, risks to "
                              "the programme, stage of recovery, suitability.", required=True,
                              validate=validate.Length(min=1, error="Say which topics this "
                                                       "session covered."))
    session_notes = _text("Notes", "Tell her what you write down.", required=True)
    notes_confirmed = _flag("She confirmed the notes",
                            "Read them back to her and ask whether they are right.",
                            load_default=False)
    interpreter_used = _flag("An interpreter was present", "When she needs one.",
                             load_default=False)
    intake_complete = _flag("The intake is complete",
                            "Every topic is covered and nothing is left unclear.",
                            load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.leaving(data):
            return
        longest = self.jurisdiction.intake_session_max_minutes
        if (data.get("session_minutes") or 0) > longest:
            raise ValidationError(translatable("A session lasts at most {longest} minutes: stop "
                                               "and continue the intake in another session.")
                                  .format(longest=longest), "session_minutes")
        _required_text(data, "session_notes")
        if not data.get("notes_confirmed"):
            raise ValidationError("She must confirm the notes: read them back to her before "
                                  "the session is recorded.", "notes_confirmed")
        if data.get("intake_complete"):
            covered = set(self.variables.get("intake_topics_covered") or ())
            covered |= set(data.get("topics_covered") or ())
            missing = [t.replace("_", " ") for t in INTAKE_TOPICS if t not in covered]
            if missing:
                raise ValidationError(translatable("The intake is complete only when every topic "
                                                   "is covered; still missing: {topics}.")
                                      .format(topics=", ".join(missing)), "intake_complete")



@FORMS.register("reintegration.report")
class CounsellorReport(FormSchema):
    title = "Counsellor's report for the team"

    report_date = _date("Date of the report", "The day you gave it to the team.",
                        past=True, required=True)
    opinion = _choice(("positive", "negative"), "Your opinion on admitting her",
                      "Based on what the intake showed.", required=True)
    opinion_justification = _text("Justification",
                                  "Why she is, or is not, suitable for the programme; a "
                                  "negative opinion must give its grounds.", required=True)
    negative_grounds = _choice(NEGATIVE_GROUNDS, "Grounds of a negative opinion",
                               "For example: the prosecutor said she is not needed as a "
                               "witness, so she will not get a permit.", allow_none=True,
                               load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if _blank(data.get("opinion_justification")):
            raise ValidationError("Justify your opinion from what you learnt in the intake.",
                                  "opinion_justification")
        if data.get("opinion") == "negative" and not data.get("negative_grounds"):
            raise ValidationError("Give the grounds of the negative opinion.",
                                  "negative_grounds")


@FORMS.register("reintegration.team_decision")
class TeamDecision(FormSchema):
    title = "Team decision on admission"
    consent_asked = ConsentAsked("team_notice", answer="team_notice_consent",
                                 on="team_decided_on")

    team_decision = _choice(("admitted", "not_admitted", "postponed"), "Decision",
                            "The team may need time: postpone to a set day.", required=True)
    team_decided_on = _date("Date", "The day the team decided.", past=True, required=True)
    team_reasons = _text("Reasons", "Why the team decided so.", required=True)
    postponed_until = _date("Decide again on", "When the team will take the decision up again.",
                            allow_none=True, load_default=None)
    team_notice_consent = _flag("She agrees that the multidisciplinary team is told",
                                "Only that she joined the programme, under her case code. "
                                "Ask her: her answer is recorded as her consent or her "
                                "refusal.", required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        decided = data.get("team_decided_on")
        if _blank(data.get("team_reasons")):
            raise ValidationError("Give the reasons of the decision.", "team_reasons")
        until = data.get("postponed_until")
        if data.get("team_decision") == "postponed":
            if until is None:
                raise ValidationError("Say when the team will decide.", "postponed_until")
            if decided and until <= decided:
                raise ValidationError("The new decision must come after this one.",
                                      "postponed_until")


@FORMS.register("reintegration.plan")
class IntegrationPlan(ProgrammeStep):
    title = "Individual (re)integration plan"

    plan_agreed_on = _date("Date agreed", "The day you and she agreed the plan.",
                           past=True, required=True)
    her_expectations = _text("Her expectations", "In her words.", required=True)
    short_term_goals = _text("Short-term goals", "The next weeks.", required=True)
    medium_term_goals = _text("Medium-term goals", "The next months.", required=True)
    long_term_goals = _text("Long-term goals", "Where she wants to be.", required=True)
    plan_areas = _choices(PLAN_AREAS, "Areas of the plan", "Language, schooling, recognition "
                          "of education, employment, social network...", required=True,
                          validate=validate.Length(min=1, error="Choose at least one area."))
    plan_steps = fields.List(
        fields.String(validate=validate.Length(min=1, error="A step cannot be empty.")),
        required=True, validate=validate.Length(min=1, error="Write at least one concrete "
                                                "step."),
        metadata={"label": "Steps", "help": "Concrete steps that lead her to the goals, one "
                  "at a time."})
    rights_and_duties_explained = _flag("Her rights and duties were explained",
                                        "What the association offers, and what she "
                                        "commits to.", load_default=False)
    complaint_right_acknowledged = _flag("She knows her right to complain",
                                         "She acknowledged it.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.leaving(data):
            return
        _required_text(data, "her_expectations", "short_term_goals", "medium_term_goals",
                       "long_term_goals")
        if not data.get("rights_and_duties_explained"):
            raise ValidationError("Explain her rights and duties in the programme.",
                                  "rights_and_duties_explained")
        if not data.get("complaint_right_acknowledged"):
            raise ValidationError("She must be told of her right to complain, and acknowledge "
                                  "it, before the plan is agreed.",
                                  "complaint_right_acknowledged")



@FORMS.register("reintegration.contract")
class PrepareContract(ProgrammeStep):
    title = "Contract on joining the programme"

    draft_agreed = _flag("She commented on the draft and agrees with it",
                         "She may give remarks and her opinion before signing.",
                         load_default=False)
    contract_language = _line("Language of her copy", "Her mother tongue or a language she "
                              "understands.", required=True)
    translation_provided = _flag("The contract was translated for her",
                                 "Into her mother tongue or a language she understands.",
                                 load_default=False)
    legal_advice_offered = _flag("She was offered independent legal advice",
                                 "A legal adviser may review the contract with her.",
                                 load_default=False)
    legal_advice_wanted = _flag("She wants legal advice before signing",
                                "The legal adviser then reviews the contract with her "
                                "first.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.leaving(data):
            return
        _required_text(data, "contract_language")
        if not data.get("draft_agreed"):
            raise ValidationError("Agree the draft with her first.", "draft_agreed")
        if not data.get("translation_provided"):
            raise ValidationError("The contract must be translated into a language she "
                                  "understands before she signs it.", "translation_provided")
        if not data.get("legal_advice_offered"):
            raise ValidationError("Offer her independent legal advice on the contract before "
                                  "she signs it.", "legal_advice_offered")



@FORMS.register("reintegration.legal_advice")
class LegalAdvice(FormSchema):
    title = "Independent legal advice on the contract"

    advice_given_on = _date("Date", "The day you advised her.", past=True, required=True)
    advice_summary = _text("Advice", "What you explained; no personal data of others.",
                           required=True)
    changes_recommended = _flag("Changes to the contract recommended",
                                "The counsellor settles them with her before she signs.",
                                load_default=False)
    recommended_changes = _text("Changes", "What should change before she signs.",
                                allow_none=True, load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        _required_text(data, "advice_summary")
        if data.get("changes_recommended"):
            _required_text(data, "recommended_changes")



@FORMS.register("reintegration.signature")
class SignContract(ProgrammeStep):
    title = "Sign the contract"

    contract_signed_on = _date("Date signed", "The day both sides signed.", past=True,
                               required=True)
    signed_by_both = _flag("Signed by her and by the association",
                           "She and the counsellor for the association.",
                           load_default=False)
    changes_settled = _flag("The legal adviser's changes were settled",
                            "Only when changes were recommended.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.leaving(data):
            return
        signed = data.get("contract_signed_on")
        advised = _stored_date(self.variables.get("advice_given_on"))
        if self.variables.get("legal_advice_wanted") and advised and signed and signed < advised:
            raise ValidationError("She asked for legal advice first: the contract cannot be "
                                  "signed before she received it.", "contract_signed_on")
        if not data.get("signed_by_both"):
            raise ValidationError("Both sides must sign the contract.", "signed_by_both")
        if self.variables.get("changes_recommended") and not data.get("changes_settled"):
            raise ValidationError("The legal adviser recommended changes: settle them with her "
                                  "before she signs.", "changes_settled")



class AnnexStep(Schema):
    """One step of the plan made concrete, with what it costs."""

    step = fields.String(required=True, validate=validate.Length(min=1, error="Name the step."),
                         metadata={"label": "Step", "help": "For example: Slovene course, "
                                   "level A2."})
    area = fields.String(required=True,
                         validate=validate.OneOf(PLAN_AREAS, error="Choose one of: {choices}."),
                         metadata={"label": "Area", "help": "The area of the plan.",
                                   "choices": list(PLAN_AREAS)})
    cost = fields.Decimal(required=True, places=2, as_string=True,
                          validate=validate.Range(min=0, error="A cost cannot be negative; "
                                                  "write 0 for a step without cost."),
                          metadata={"label": "Cost (EUR)", "help": "What the step costs the "
                                    "association; 0 if nothing."})


@FORMS.register("reintegration.annex")
class ContractAnnex(ProgrammeStep):
    title = "Annex to the contract: cost of the steps"

    annex_agreed_on = _date("Date", "The day the annex was signed.", past=True, required=True)
    annex_steps = fields.List(
        fields.Nested(AnnexStep), required=True,
        validate=validate.Length(min=1, error="List at least one step with its cost."),
        metadata={"label": "Steps and their cost", "help": "Each step that is now made "
                  "concrete, with its financial consequences."})
    within_means = _flag("The costs fit the association's means",
                         "In line with and proportionate to its available funds.",
                         load_default=False)
    annex_signed = _flag("She and the association signed the annex",
                         "Both sides sign each annex, like the contract.",
                         load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.leaving(data):
            return
        if not data.get("within_means"):
            raise ValidationError("The costs must be in line with and proportionate to the "
                                  "association's funds; change the steps first.",
                                  "within_means")
        if not data.get("annex_signed"):
            raise ValidationError("The annex is valid once both sides signed it.",
                                  "annex_signed")



@FORMS.register("reintegration.implementation")
class Implementation(ProgrammeStep):
    title = "Carry out the plan until the next review"

    early_review_reason = _text("Why review now",
                                "Something changed and the plan must be looked at before the "
                                "next review day.", allow_none=True, load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if not self.leaving(data) and _blank(data.get("early_review_reason")):
            raise ValidationError("Say why the plan is reviewed early, or tick that she left "
                                  "the programme.", "early_review_reason")


def _progress(area: str) -> fields.String:
    return _choice(PROGRESS, f"Progress: {area.replace('_', ' ')}",
                   "Not started, in progress, achieved, or not part of her plan.",
                   required=True)


@FORMS.register("reintegration.review")
class Review(ProgrammeStep):
    title = "Review of the (re)integration plan"

    reviewed_on = _date("Date of the review", "The day you reviewed the plan with her.",
                        past=True, required=True)
    language_progress = _progress("language")
    schooling_progress = _progress("schooling")
    recognition_progress = _progress("recognition_of_education")
    employment_progress = _progress("employment")
    social_network_progress = _progress("social_network")
    her_view = _text("Her view", "How she sees her progress, in her words.", required=True)
    review_notes = _text("Notes", "Changes to the plan and next steps.", load_default="")
    goals_reached = _flag("She reached the goals of her plan",
                          "The programme ends with this review.", load_default=False)
    new_annex_needed = _flag("A next step must be made concrete",
                             "An annex fixes its cost before it starts.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.leaving(data):
            return
        _required_text(data, "her_view")
        if data.get("goals_reached") and data.get("new_annex_needed"):
            raise ValidationError("The programme ends when her goals are reached: no new annex "
                                  "is needed.", "new_annex_needed")
