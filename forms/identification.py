"""Forms of the identification of a (possible) victim of trafficking.

A first-line actor records a preliminary identification with the indicator checklist of
her own sector, the immediate needs and the person's consent to a referral; the
coordinator then makes the formal identification with her (seed 002: two groups of
information, the indicators and her own view). A child takes a separate path through
the centre for social work: guardian and family contact (Art. 50(3) ZTuj-2).
No form here asks for a name: the case code identifies her.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel import Locale
from marshmallow import ValidationError, fields, validate, validates_schema

from engine.kit.dates import stored_date as _stored_date
from engine.kit.texts import translatable

from . import FORMS
from .base import ConsentAsked, FormSchema
from .fields import choice as _choice
from .fields import choices as _choices
from .fields import day as _date
from .fields import first_by, only_when, prefilled
from .fields import flag as _flag
from .fields import line as _line
from .fields import text as _text

ADULT_AGE = 18
"""A person under 18 is a child: she takes the child path."""

INDICATORS: dict[str, str] = {
    "no_identity_documents": "No identity documents, or false ones",
    "documents_held_by_others": "Her passport or documents are held by someone else",
    "signs_of_distress": "Visible fear, anxiety or distress",
    "controlled_movement": "Her movement is restricted, or she is escorted and watched",
    "someone_speaks_for_her": "Someone else answers or speaks for her",
    "inconsistent_story": "Her account seems rehearsed or does not hold together",
    "fear_of_authorities": "Afraid of the police or of being deported",
    "does_not_know_address": "Does not know the address where she lives or works",
    "signs_of_violence": "Signs of physical violence",
    "debt_to_recruiter": "Owes a debt to the recruiter or employer that keeps growing",
    "deceptive_job_offer": "Recruited with a job offer that turned out to be false",
    "unpaid_or_withheld_wages": "Unpaid wages, or wages withheld by the employer",
    "excessive_hours": "Excessively long working hours, few or no days off",
    "no_contract": "No written contract, or a contract she does not understand",
    "living_at_workplace": "Lives at the workplace or in housing run by the employer",
    "poor_living_conditions": "Cramped, unhygienic or degrading living conditions",
    "unsafe_working_conditions": "Works without protection in dangerous conditions",
    "cannot_leave_job": "Cannot leave the job or change employer",
    "untreated_injuries": "Untreated injuries or illnesses",
    "exhaustion_or_malnutrition": "Exhaustion, malnutrition or dehydration",
    "signs_of_trauma": "Signs of trauma, depression or anxiety",
    "occupational_injuries": "Injuries typical of work without protection",
    "reproductive_health_signs": "Repeated sexual-health problems, pregnancies or abortions",
    "care_sought_late": "Care sought late, for old injuries",
    "isolation": "Isolated, with no contact with family or friends",
    "no_control_of_own_money": "No control over her own money, wages or benefits",
    "child_out_of_school": "A child who does not attend school, or is often absent",
    "child_working_or_begging": "A child working, begging or made to commit offences",
    "collected_by_unrelated_adults": "A child collected by changing adults who are not family",
    "unexplained_possessions": "Unexplained money, phones or gifts",
    "recently_displaced": "Recently displaced or arrived (refugee, migrant), without support",
}
"""Every indicator a checklist may show, by key (the UI shows the label)."""

SECTOR_INDICATORS: dict[str, tuple[str, ...]] = {
    "police": (
        "no_identity_documents", "documents_held_by_others", "signs_of_distress",
        "controlled_movement", "someone_speaks_for_her", "inconsistent_story",
        "fear_of_authorities", "does_not_know_address", "signs_of_violence",
        "debt_to_recruiter", "deceptive_job_offer",
    ),
    "labour_inspection": (
        "unpaid_or_withheld_wages", "excessive_hours", "no_contract",
        "documents_held_by_others", "living_at_workplace", "poor_living_conditions",
        "unsafe_working_conditions", "debt_to_recruiter", "controlled_movement",
        "cannot_leave_job", "deceptive_job_offer",
    ),
    "health": (
        "untreated_injuries", "signs_of_violence", "exhaustion_or_malnutrition",
        "signs_of_trauma", "occupational_injuries", "reproductive_health_signs",
        "care_sought_late", "someone_speaks_for_her", "no_identity_documents",
    ),
    "social_services": (
        "no_identity_documents", "poor_living_conditions", "isolation",
        "debt_to_recruiter", "controlled_movement", "signs_of_distress",
        "no_control_of_own_money", "child_out_of_school", "child_working_or_begging",
        "someone_speaks_for_her",
    ),
    "ngo_outreach": (
        "no_identity_documents", "documents_held_by_others", "deceptive_job_offer",
        "unpaid_or_withheld_wages", "excessive_hours", "poor_living_conditions",
        "controlled_movement", "isolation", "signs_of_distress", "fear_of_authorities",
        "debt_to_recruiter", "recently_displaced",
    ),
    "education": (
        "child_out_of_school", "signs_of_violence", "signs_of_distress",
        "child_working_or_begging", "collected_by_unrelated_adults",
        "unexplained_possessions", "exhaustion_or_malnutrition",
    ),
}
"""Each sector sees its own checklist first (seed 003: sector-specific indicators were the
weakest point of trained professionals); what she saw beyond it is recorded too, as an
indicator noticed is evidence whoever noticed it. NGO outreach includes the Red Cross."""

SECTORS = tuple(SECTOR_INDICATORS)
SECTOR_LABELS = {
    "police": "Police",
    "labour_inspection": "Labour inspection",
    "health": "Health care",
    "social_services": "Social services",
    "ngo_outreach": "NGO outreach or the Red Cross",
    "education": "Education",
}
IMMEDIATE_NEEDS = {
    "safe_accommodation": "Safe accommodation",
    "removal_from_danger": "Removal from the dangerous place",
    "medical_care": "Medical care",
    "food_clothes_hygiene": "Food, clothes and hygiene",
    "interpreter": "An interpreter",
}
STAY_STATUSES = {
    "national": "A national of this country",
    "eu_citizen": "A citizen of the European Union",
    "foreigner_lawful_stay": "A foreigner staying lawfully",
    "foreigner_without_lawful_stay": "A foreigner without lawful stay",
    "unknown": "Not known yet",
}
DOCUMENT_HOLDERS = {
    "herself": "She holds them",
    "employer_or_recruiter": "The employer, the recruiter or whoever controls her",
    "authority": "An authority (the police, an embassy)",
    "lost_or_destroyed": "Lost or destroyed",
    "none": "She has none",
    "unknown": "Not known",
}
"""Who holds her passport or identity card: a document held by an employer or recruiter
is an indicator of trafficking and evidence of it."""
EXPLOITATION_FORMS = {
    "labour": "Labour exploitation",
    "sexual": "Sexual exploitation",
    "forced_begging": "Forced begging",
    "forced_criminality": "Forced criminal activity",
    "domestic_servitude": "Domestic servitude",
    "forced_marriage": "Forced marriage",
    "organ_removal": "Removal of organs",
    "other": "Another form",
}
SEXES = {"female": "Female", "male": "Male", "not_stated": "Not stated"}
"""Her sex as she states it, counted only in the anonymous statistics (GRETA, Eurostat)."""
COUNTRIES = sorted({code for code in Locale("en").territories
                    if len(code) == 2 and code.isalpha() and code not in ("EU", "EZ", "UN",
                                                                            "ZZ")} | {"XX"})
"""ISO 3166 country codes (as CLDR knows them), and XX for stateless or not known."""
CITIZENSHIP_HELP = ("Her country of citizenship as a two-letter ISO 3166 code, such as UA, "
                    "NG or RS; XX if she is stateless or it is not known. Counted only in "
                    "the anonymous statistics.")
OUTCOMES = {
    "victim": "Identified as a victim",
    "not_victim": "Not identified as a victim",
    "undetermined": "Cannot yet tell",
}
GUARDIAN_ARRANGEMENTS = {
    "temporary_guardian_appointed": "A temporary guardian was appointed",
    "parent_or_legal_guardian": "A parent or her legal guardian",
    "guardian_already_appointed": "A guardian appointed before",
}
FAMILY_CONTACT_STEPS = ("contacted", "tracing_started", "not_safe",
                        "not_in_best_interests", "family_present")
CONTACTS_GIVEN = ("given", "she_declined", "unsafe_to_give")

_NO_NAMES = "Do not write her name or other names: the case code identifies her."


def age_on(born: date, on: date) -> int:
    """Her age in whole years on ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_minor(age: int | None, born: date | None, treat_as_child: bool, on: date) -> bool:
    """Under 18 by the date of birth or the age given, or presumed a child.

    When her age is uncertain and there are reasons to believe she is a child, she is
    treated as one until shown otherwise (presumption of minority).
    """
    if treat_as_child:
        return True
    if born is not None:
        return age_on(born, on) < ADULT_AGE
    return age is not None and age < ADULT_AGE


def _consent_date(schema: FormSchema, data: dict[str, Any], field: str) -> None:
    """A consent is not given before she was first met (the field refuses a future day)."""
    given = data.get(field)
    met = _stored_date(schema.variables.get("preliminary_on"))
    if given and met and given < met:
        raise ValidationError("Consent cannot be given before the preliminary "
                              "identification.", field)


@FORMS.register("identification.preliminary")
class RecordPreliminaryIdentification(FormSchema):
    title = "Preliminary identification"

    referring_sector = _choice(SECTORS, "Your sector",
                     "The checklist shows the indicators of your sector first; NGO outreach "
                     "includes the Red Cross.", labels=SECTOR_LABELS, required=True)
    observed_on = _date("Date you met her", "The day you noticed the indicators.",
                        past=True, required=True)
    preliminary_indicators = first_by(_choices(
        tuple(INDICATORS), "Indicators you noticed",
        "Tick what you saw or heard yourself, your sector's list first. At least one.",
        required=True, labels=INDICATORS,
        validate=validate.Length(min=1, error="Tick at least one indicator you noticed.")),
        "referring_sector", SECTOR_INDICATORS, translatable("Indicators of other sectors"))
    preliminary_observations = _text("What you noticed", f"In your own words. {_NO_NAMES}",
                         load_default="")
    age_years = fields.Integer(
        validate=validate.Range(0, 120, error="Give an age from 0 to 120."),
        allow_none=True, load_default=None,
        metadata={"label": "Age", "help": "Her age as she gives it, if known."})
    date_of_birth = _date("Date of birth", "If known; the age is then computed from it.",
                          past=True, identifying=True, allow_none=True, load_default=None)
    treat_as_child = _flag("Treat her as a child",
                           "Her age is uncertain and there are reasons to believe she is "
                           "under 18: she is treated as a child until shown otherwise.",
                           load_default=False)
    unaccompanied = _flag("Without a parent or legal guardian",
                          "A child who is here without a parent or legal guardian.",
                          load_default=False)
    stay_status = _choice(tuple(STAY_STATUSES), "Her residence status",
                          "A foreigner without lawful stay is offered the reflection "
                          "period once identified.", required=True, labels=STAY_STATUSES)
    immediate_needs = _choices(tuple(IMMEDIATE_NEEDS), "Immediate needs",
                               "Safety first: safe accommodation and removal from the "
                               "dangerous place, medical care, food, clothes and hygiene, "
                               "an interpreter.", load_default=list, labels=IMMEDIATE_NEEDS)
    needs_arranged = _choices(tuple(IMMEDIATE_NEEDS), "Needs already arranged",
                              "Which of her immediate needs you have already arranged.",
                              load_default=list, labels=IMMEDIATE_NEEDS)
    unmet_needs_note = _text("Why some needs are not arranged",
                             "Required when a need is not arranged yet: what stands in "
                             "the way and who follows up.", load_default="")
    documents_held_by = _choice(tuple(DOCUMENT_HOLDERS), "Who holds her identity documents",
                                "Her passport or identity card. Held by an employer or a "
                                "recruiter, it is an indicator and evidence.",
                                labels=DOCUMENT_HOLDERS, allow_none=True, load_default=None)
    preliminary_interpreter_used = _flag("An interpreter was used",
                                         "Talk to her in a language she understands.",
                             load_default=False)
    interpreter_language = only_when(_line(
        "Language she was interviewed in", "So that the next interview is in it too.",
        identifying=True, allow_none=True, load_default=None),
        "preliminary_interpreter_used", "on")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        observed = data.get("observed_on")
        born = data.get("date_of_birth")
        age = data.get("age_years")
        if born and observed and age is not None and abs(age_on(born, observed) - age) > 1:
            raise ValidationError("The age and the date of birth do not agree.", "age_years")
        if data.get("unaccompanied") and observed and not is_minor(
                age, born, data.get("treat_as_child", False), observed):
            raise ValidationError("Only a child can be unaccompanied; tick 'Treat her as a "
                                  "child' if her age is uncertain.", "unaccompanied")
        needs = set(data.get("immediate_needs") or [])
        extra = set(data.get("needs_arranged") or []) - needs
        if extra:
            raise ValidationError(translatable("Arranged needs must be among her immediate "
                                               "needs: {needs}.")
                                  .format(needs=", ".join(sorted(extra))), "needs_arranged")
        if needs - set(data.get("needs_arranged") or []) and not data.get("unmet_needs_note"):
            raise ValidationError("Say why the other immediate needs are not arranged and "
                                  "who follows up.", "unmet_needs_note")


@FORMS.register("identification.referral_consent")
class AskReferralConsent(FormSchema):
    title = "Her consent to a referral to the coordinator"
    consent_asked = ConsentAsked("referral", answer="referral_consent",
                                 on="referral_consent_date",
                                 interpreter="referral_interpreter_used")

    referral_consent = _flag("She agrees to be referred",
                             "Referral is voluntary. If she says no, that is her choice: "
                             "she can come back at any time.", required=True)
    referral_consent_date = _date("Date", "The day she gave or refused her consent.",
                                  past=True, required=True)
    referral_consent_purpose = _line("Purpose explained to her",
                            "What the referral is for, as you explained it.",
                            load_default="formal identification and support by the "
                                         "coordinator")
    referral_informed_of_data_use = _flag("She was told how her data will be used",
                                 "Who will see what, and that nothing is disclosed "
                                 "without her consent.", load_default=False)
    referral_interpreter_used = _flag("An interpreter was used",
                                      "Consent counts only if she understood the question.",
                             load_default=False)
    referral_refusal_note = only_when(_text("Her reasons, if she wants to give them",
                                            f"Optional. {_NO_NAMES}", load_default=""),
                                      "referral_consent", "no")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        _consent_date(self, data, "referral_consent_date")
        if data.get("referral_consent") and not data.get("referral_informed_of_data_use"):
            raise ValidationError("Tell her how her data will be used before she consents.",
                                  "referral_informed_of_data_use")


@FORMS.register("identification.contacts_given")
class LeaveContacts(FormSchema):
    title = "Leave her the contacts of the coordinator"

    contacts = _choice(CONTACTS_GIVEN, "Contacts",
                       "Whether she took the contacts of the coordinator and the hotline, "
                       "or it was not safe to give them (for example when someone checks "
                       "her phone).", required=True)
    contacts_on = _date("Date", "The day you spoke with her.", past=True, required=True)
    contacts_safety_note = _text("Safety note", "Required when giving the contacts was not safe: "
                        f"how she can still reach help. {_NO_NAMES}", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("contacts") == "unsafe_to_give" and not data.get("contacts_safety_note"):
            raise ValidationError("Say how she can still reach help.", "contacts_safety_note")


@FORMS.register("identification.guardian")
class AppointGuardian(FormSchema):
    title = "Guardian for the child and consent to referral"
    consent_asked = ConsentAsked("referral", answer="referral_consent",
                                 on="referral_consent_date",
                                 interpreter="guardian_interpreter_used",
                                 by_guardian=True)

    guardian_arrangement = _choice(
        tuple(GUARDIAN_ARRANGEMENTS), "Who represents the child",
        "A child without a parent or legal guardian gets a temporary guardian at once; so "
        "does a child whose parent may be involved in the exploitation.",
        required=True, labels=GUARDIAN_ARRANGEMENTS)
    guardian_appointed_on = _date("Date", "The day the guardian was appointed or confirmed.",
                                  past=True, required=True)
    child_views = _text("The child's own views",
                        f"Heard in a way suited to her age and recorded. {_NO_NAMES}",
                        required=True, validate=validate.Length(min=1, error="Record the "
                                                                "child's own views."))
    referral_consent = _flag("The guardian agrees to the referral",
                             "The guardian decides with the child, after hearing her, on the "
                             "referral to the coordinator.", required=True)
    referral_consent_date = _date("Date of the consent", "The day the guardian decided.",
                                  past=True, required=True)
    guardian_interpreter_used = _flag("An interpreter was used",
                                      "For the child and the guardian.", load_default=False)
    best_interests_note = _text("Best interests of the child",
                                "Anything the coordinator must know to act in her best "
                                "interests.", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        _consent_date(self, data, "referral_consent_date")
        if (self.variables.get("unaccompanied_minor")
                and data.get("guardian_arrangement") == "parent_or_legal_guardian"):
            raise ValidationError("An unaccompanied child needs a guardian appointed.",
                                  "guardian_arrangement")


@FORMS.register("identification.family_contact")
class ContactFamily(FormSchema):
    title = "Contact with the child's family"

    family_contact_step = _choice(
        FAMILY_CONTACT_STEPS, "What was done",
        "For an unaccompanied child everything must be done to contact her family as soon "
        "as possible, unless that is not safe or not in her best interests.", required=True)
    family_contact_on = _date("Date", "The day of the contact or the decision.",
                              past=True, required=True)
    family_contact_note = _text("Reasons", "Required when the family is not contacted: why "
                                f"it is not safe or not in her best interests. {_NO_NAMES}",
                                load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        step = data.get("family_contact_step")
        if step in ("not_safe", "not_in_best_interests") and not data.get(
                "family_contact_note"):
            raise ValidationError("Give the reasons for not contacting the family.",
                                  "family_contact_note")
        if step == "family_present" and self.variables.get("unaccompanied_minor"):
            raise ValidationError("The child was recorded as unaccompanied: her family is "
                                  "not present.", "family_contact_step")


@FORMS.register("identification.child_protection")
class ReferChildForProtection(FormSchema):
    title = "Referral of the child in her best interests"
    consent_asked = ConsentAsked("referral", answer="child_protection_referral",
                                 on="child_protection_decided_on",
                                 interpreter="child_protection_interpreter_used",
                                 by_best_interests=True)

    child_protection_referral = _flag(
        "Refer her for formal identification and protection",
        "Protecting a child does not depend on the guardian's consent (CETS Art. 10(4)). "
        "The centre for social work decides in her best interests, having heard her.",
        required=True)
    child_protection_decided_on = _date("Date of the decision", "The day you decided.",
                                        past=True, required=True)
    child_protection_reasons = _text(
        "Reasons", "Why this decision is in her best interests, weighing her own views "
        f"and the guardian's reasons for refusing. {_NO_NAMES}", required=True,
        validate=validate.Length(min=1, error="Give the reasons for the decision."))
    child_protection_child_heard = _flag(
        "The child was heard", "In a way suited to her age, before the decision.",
        required=True)
    child_protection_interpreter_used = _flag("An interpreter was used",
                                              "For the child.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if not (data.get("child_protection_reasons") or "").strip():
            raise ValidationError("Give the reasons for the decision.",
                                  "child_protection_reasons")
        if data.get("child_protection_child_heard") is False:
            raise ValidationError("Hear the child before deciding, in a way suited to her "
                                  "age.", "child_protection_child_heard")
        decided = data.get("child_protection_decided_on")
        refused = _stored_date(self.variables.get("referral_consent_date"))
        if decided and refused and decided < refused:
            raise ValidationError("The decision cannot precede the guardian's refusal.",
                                  "child_protection_decided_on")


@FORMS.register("identification.formal")
class FormalIdentification(FormSchema):
    title = "Formal identification"
    needs_consent = "referral"
    builds_on = ("referring_sector", "observed_on", "preliminary_indicators",
                 "preliminary_observations", "age_years", "treat_as_child", "unaccompanied",
                 "stay_status", "immediate_needs", "needs_arranged", "unmet_needs_note",
                 "documents_held_by", "interpreter_language", "referral_consent",
                 "referral_consent_date")

    identification_date = _date("Date of the assessment", "The day you concluded.",
                                past=True, required=True)
    she_participated = _flag("She took part", "Identification is always done with her "
                             "participation.", required=True)
    her_view = _text("Her own view of her situation",
                     "In her words, as she agreed to have it recorded.", required=True,
                     validate=validate.Length(min=1, error="Record her own view."))
    current_state_and_needs = _text(
        "Her current state and needs", f"First group of information. {_NO_NAMES}",
        required=True, validate=validate.Length(min=1, error="Describe her current state "
                                                "and needs."))
    exploitation_how_created = _text(
        "How the exploitation was created", "Recruitment, deception, control, debt.",
        required=True, validate=validate.Length(min=1, error="Describe how the situation "
                                                "was created."))
    exploitation_effect_on_health = _text(
        "Effect on her physical and mental health", "Second group of information.",
        required=True, validate=validate.Length(min=1, error="Describe the effect on her "
                                                "health."))
    exploitation_effect_on_family = _text(
        "Effect on her family", "Including threats to her family.", load_default="")
    current_consequences = _text(
        "Consequences she faces now", "Debts, legal status, health, safety.",
        required=True, validate=validate.Length(min=1, error="Describe the consequences "
                                                "she faces now."))
    indicators_confirmed = prefilled(_choices(
        tuple(INDICATORS), "Indicators confirmed",
        "The indicators the assessment confirms. Those noticed at the preliminary "
        "identification are ticked: untick what the assessment does not confirm.",
        labels=INDICATORS, load_default=list), "preliminary_indicators")
    exploitation_forms = _choices(tuple(EXPLOITATION_FORMS), "Forms of exploitation",
                                  "What she was exploited for.",
                                  load_default=list, labels=EXPLOITATION_FORMS)
    sex = _choice(tuple(SEXES), "Sex", "As she states it.", labels=SEXES)
    citizenship = fields.String(
        validate=validate.OneOf(COUNTRIES, error="Give a two-letter country code, such as "
                                "UA or NG, or XX."),
        metadata={"label": "Citizenship", "help": CITIZENSHIP_HELP})
    identification_interpreter_used = _flag("An interpreter was used",
                                            "Free of charge for her.", load_default=False)
    identification_outcome = _choice(
        tuple(OUTCOMES), "Outcome", "Identified as a victim, not identified, or it cannot yet be "
        "told (more information is gathered and the assessment repeated).",
        required=True, labels=OUTCOMES)
    identification_reasoning = _text(
        "Reasoning", "How the information and the indicators lead to the outcome.",
        required=True, validate=validate.Length(min=1, error="Give the reasoning."))
    information_missing = _text("Information still missing",
                                "Required when the outcome cannot yet be told.",
                                load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        decided = data.get("identification_date")
        met = _stored_date(self.variables.get("preliminary_on"))
        if decided and met and decided < met:
            raise ValidationError("The formal identification cannot precede the "
                                  "preliminary one.", "identification_date")
        if data.get("she_participated") is False:
            raise ValidationError("Identification is always done with her participation "
                                  "and her own view of the situation.", "she_participated")
        outcome = data.get("identification_outcome")
        if outcome == "victim" and not data.get("indicators_confirmed"):
            raise ValidationError("Name the indicators that support the identification.",
                                  "indicators_confirmed")
        if outcome == "undetermined" and not data.get("information_missing"):
            raise ValidationError("Say what information is still missing.",
                                  "information_missing")


@FORMS.register("identification.more_information")
class GatherMoreInformation(FormSchema):
    title = "More information for the identification"

    more_information_step = _choice(
        ("assess_again", "close_undetermined"), "Next step",
        "Assess again with the new information, or close without an outcome (she can be "
        "referred again later).", required=True)
    information_gathered = _text("Information gathered",
                                 f"Required to assess again. {_NO_NAMES}", load_default="")
    identification_closed_note = _text("Why it is closed",
                                       "Required when closing without an outcome.",
                                       load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        step = data.get("more_information_step")
        if step == "assess_again" and not data.get("information_gathered"):
            raise ValidationError("Record the new information.", "information_gathered")
        if step == "close_undetermined" and not data.get("identification_closed_note"):
            raise ValidationError("Say why it is closed.", "identification_closed_note")
