"""Forms of the recovery and reflection period (Art. 50(1)-(3) of the Aliens Act, ZTuj-2)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validates_schema

from engine.kit.texts import translatable

from . import FORMS
from .base import FormSchema
from .fields import choice as _choice
from .fields import day as _date
from .fields import flag as _flag
from .fields import only_when
from .fields import text as _text

VICTIM_CATEGORIES = ("trafficking", "illegal_employment", "domestic_violence")
VICTIM_CATEGORY_LABELS = {
    "trafficking": "Trafficking in human beings",
    "illegal_employment": "Illegal employment",
    "domestic_violence": "Domestic violence",
}
DANGER_GROUNDS = ("public_order", "security", "international_relations")
"""Art. 50(2) ZTuj-2, first part: her stay would endanger these."""
SUSPECTED_CRIME_GROUNDS = ("suspected_terrorist_or_violent_acts",
                           "suspected_intelligence_activity",
                           "suspected_drug_production_or_trafficking", "suspected_other_crimes")
"""Art. 50(2), second part: a suspicion that her stay would be connected with these; a
ground of its own, not a kind of public order."""
REFUSAL_GROUNDS = DANGER_GROUNDS + SUSPECTED_CRIME_GROUNDS
"""The only grounds on which the permitted stay may be refused (Art. 50(2))."""


@FORMS.register("reflection.grant")
class GrantPermittedStay(FormSchema):
    title = "Decision on the permitted stay"
    builds_on = ("identification_outcome", "identified_on", "stay_status", "is_child",
                 "unaccompanied_minor", "interpreter_language", "documents_held_by")

    stay_decision = _choice(("granted", "refused"), "Decision",
                            "Granted on her request or ex officio, or refused.",
                            labels={"granted": "Stay granted", "refused": "Stay refused"},
                            required=True)
    stay_decision_date = _date("Date of the decision",
                               "The date on the police decision; the permitted stay counts "
                               "from the next day.", past=True, required=True)
    victim_category = _choice(VICTIM_CATEGORIES, "She is a victim of",
                              "The same rule covers illegal employment and domestic violence.",
                              labels=VICTIM_CATEGORY_LABELS, required=True)
    on_request = _flag("Granted on her request", "Leave unticked when granted ex officio.",
                       load_default=False)
    informed_of_permit = _flag(
        "She was told about the temporary residence permit",
        "The police must inform her of the possibility and conditions of a permit "
        "under Art. 50.", load_default=False)
    interpreter_provided = _flag("An interpreter was provided",
                                 "Interpretation and translation are free for her.",
                                 load_default=False)
    understands_language = _flag(
        "She understands the language of the procedure well",
        "Only then is no interpreter needed; when in doubt, provide one.", load_default=False)
    refusal_ground = only_when(_choice(
        REFUSAL_GROUNDS, "Ground of refusal",
        "Only the grounds of Art. 50(2): a danger to public order, security or "
        "international relations, or a suspicion that her stay would be connected with "
        "terrorist or other violent acts, intelligence activity, drugs or other crimes.",
        allow_none=True, load_default=None), "stay_decision", "refused")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("stay_decision") == "refused" and not data.get("refusal_ground"):
            raise ValidationError("Give the ground of the refusal.", "refusal_ground")
        if data.get("stay_decision") == "granted":
            if data.get("refusal_ground"):
                raise ValidationError("A granted stay has no ground of refusal.",
                                      "refusal_ground")
            if not data.get("informed_of_permit"):
                raise ValidationError("She must be informed about the residence permit "
                                      "before the stay is recorded as granted.",
                                      "informed_of_permit")
            if not (data.get("interpreter_provided") or data.get("understands_language")):
                raise ValidationError("She has the right to a free interpreter (Art. 50(3)): "
                                      "provide one before the stay is recorded as granted, "
                                      "unless she understands the language of the procedure "
                                      "well.", "interpreter_provided")


def is_child_case(variables: Any) -> bool:
    """A child (or one treated as a child while her age is uncertain): her guardian acts
    with her in every decision."""
    return bool(variables.get("is_child") or variables.get("unaccompanied_minor"))


def _extensions_left(form: FormSchema) -> int:
    """Extensions the jurisdiction still allows (Art. 50(1) ZTuj-2: one)."""
    granted = form.variables.get("extensions_granted")
    used = granted if isinstance(granted, int) and not isinstance(granted, bool) else 0
    return form.jurisdiction.extensions_allowed - used


def _no_more_extensions(form: FormSchema) -> str:
    return translatable("The permitted stay may be extended {allowed} time(s) and cannot be "
                        "extended again (Art. 50(1)).").format(
                            allowed=form.jurisdiction.extensions_allowed)


@FORMS.register("reflection.decision")
class RecordDecision(FormSchema):
    title = "Her decision on cooperating"

    decision = _choice(("cooperate", "not_cooperate", "extend"), "Her decision",
                       "Cooperate as a witness, not cooperate, or she needs more time "
                       "(the police may extend the stay as far as the law allows).", required=True)
    decision_date = _date("Date she decided", "The day she told you.", past=True, required=True)
    reason = _text("Reasons for more time", "Why the extension is justified (required when "
                   "she needs more time).", allow_none=True, load_default=None)
    statement_for_proceedings = _text(
        "What she chose to disclose for the proceedings",
        "Only when she will cooperate, and only what she agreed to give the prosecutor, as "
        "she wants it said. The prosecutor is shown this and nothing else from counselling "
        "or the other notes of her case.", for_proceedings=True, allow_none=True,
        load_default=None)
    decided_with_guardian = _flag(
        "Her guardian took part in the decision",
        "For a child: her guardian acts with her in every decision, in her best interests "
        "(CETS Art. 10(4), 14(2)); she is heard.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if is_child_case(self.variables) and not data.get("decided_with_guardian"):
            raise ValidationError("She is a child: her decision is recorded only with her "
                                  "guardian taking part (CETS Art. 10(4)).",
                                  "decided_with_guardian")
        if data.get("decision") == "extend":
            if _extensions_left(self) <= 0:
                raise ValidationError(_no_more_extensions(self), "decision")
            if not data.get("reason"):
                raise ValidationError("Say why she needs more time.", "reason")

    @validates_schema
    def _disclosed_only_when_cooperating(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("statement_for_proceedings") and data.get("decision") != "cooperate":
            raise ValidationError("Write what she discloses for the proceedings only when "
                                  "she decides to cooperate as a witness.",
                                  "statement_for_proceedings")


@FORMS.register("reflection.extension")
class DecideExtension(FormSchema):
    title = "Decision on extending the permitted stay"

    extension_granted = _flag("Extension granted", "Only for justified reasons.",
                              required=True)
    extension_decision_date = _date("Date of the decision", "The date on the police "
                                    "decision.", past=True, required=True)
    extension_days = fields.Integer(
        allow_none=True, load_default=None,
        metadata={"label": "Days of extension",
                  "help": "At most the legal maximum; the form tells you the limit if you "
                          "give more."})

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if _extensions_left(self) <= 0:
            raise ValidationError(_no_more_extensions(self), "extension_granted")
        most = self.jurisdiction.extension_max_days
        days = data.get("extension_days")
        if data.get("extension_granted") and not days:
            raise ValidationError(translatable("Give the number of days (1 to {most}).")
                                  .format(most=most), "extension_days")
        if days is not None and not 1 <= days <= most:
            raise ValidationError(translatable("An extension is 1 to {most} days.")
                                  .format(most=most), "extension_days")


NEXT_STEPS = ("voluntary_return", "other_legal_basis", "appeal", "no_further_action")


@FORMS.register("reflection.ngo_information")
class NgoInformation(FormSchema):
    title = "The NGO informs her of the residence permit"

    informed_on = _date("Informed on", "The day you explained the permit and its conditions.",
                        past=True, required=True)
    information_interpreter_used = _flag(
        "An interpreter was used", "Interpretation is free for her (Art. 50(3)).",
        load_default=False)
    she_understood = _flag("She understood", "Ask her to say in her own words what the "
                           "permit needs; explain again if not.", required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("she_understood") is False:
            raise ValidationError("Explain it again, with an interpreter if needed, before "
                                  "recording that she was informed.", "she_understood")


@FORMS.register("reflection.after_refusal")
class PlanAfterRefusal(FormSchema):
    title = "Protection after a refused stay"

    next_step = _choice(NEXT_STEPS, "Next step", "What happens now, agreed with her.",
                        required=True)
    notes = _text("Notes", "Safety measures and who does what.", load_default="")


@FORMS.register("reflection.next_steps")
class PlanNextSteps(FormSchema):
    title = "Next steps after her decision"

    next_step = _choice(NEXT_STEPS, "Next step", "Voluntary return is only with her "
                        "informed consent.", required=True)
    other_basis_filed_on = _date(
        "Application on another basis filed on",
        "With another legal basis: the day the application was filed. Filed before her "
        "permitted stay ends, it meets the deadline of its end.", past=True, allow_none=True,
        load_default=None)
    notes = _text("Notes", "What was agreed with her.", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("other_basis_filed_on") and data.get("next_step") != "other_legal_basis":
            raise ValidationError("The filing day goes with another legal basis only.",
                                  "other_basis_filed_on")


@FORMS.register("reflection.after_early_end")
class PlanAfterEarlyEnd(FormSchema):
    title = "Next steps after the early end of her reflection period"

    next_step = _choice(NEXT_STEPS, "Next step", "Agreed with her; voluntary return is only "
                        "with her informed consent.", required=True)
    notes = _text("Notes", "Safety measures and who does what.", load_default="")


@FORMS.register("reflection.expiry_review")
class ReviewExpiringStay(FormSchema):
    title = "Prepare for the end of the permitted stay"

    action = _choice(("application_prepared", "extension_requested", "she_decided",
                      "other"), "Action taken",
                     "What was done so that she does not fall out of lawful stay.",
                     required=True)
    notes = _text("Notes", "Plan until the last day of the stay.", load_default="")


@FORMS.register("reflection.expired")
class HandleExpiredStay(FormSchema):
    title = "Stay expired undecided"

    outcome = _choice(("late_application_filed", "other_legal_basis", "voluntary_return",
                       "no_lawful_stay"), "Outcome", "What her legal position is now.",
                      required=True)
    cooperation_decided_on = _date(
        "She decided to cooperate on",
        "Only with a late application: the permit procedure follows from here.", past=True,
        allow_none=True, load_default=None)
    notes = _text("Notes", "Who was informed and what follows.", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        late = data.get("outcome") == "late_application_filed"
        if late and not data.get("cooperation_decided_on"):
            raise ValidationError("Give the day she decided to cooperate.",
                                  "cooperation_decided_on")
        if not late and data.get("cooperation_decided_on"):
            raise ValidationError("The day she decided to cooperate goes with a late "
                                  "application only.", "cooperation_decided_on")


@FORMS.register("reflection.guardian")
class AppointGuardian(FormSchema):
    title = "Guardian of an unaccompanied child"

    guardian_appointed = _flag("A special guardian is appointed",
                               "Required before she takes any decision in the procedure.",
                               required=True)
    guardian_appointed_on = _date("Appointed on", "The date of the appointment decision.",
                                  past=True, allow_none=True, load_default=None)
    notes = _text("Notes", "Who was contacted; do not write names here.", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("guardian_appointed") and not data.get("guardian_appointed_on"):
            raise ValidationError("Give the date the guardian was appointed.",
                                  "guardian_appointed_on")


FAMILY_CONTACT = ("family_contacted", "not_found", "contact_unsafe", "in_progress")


@FORMS.register("reflection.family_contact")
class ContactFamily(FormSchema):
    title = "Contact with her family (Art. 50(3))"

    family_contact = _choice(FAMILY_CONTACT, "Outcome",
                             "Contact is not made when it would put her at risk.",
                             required=True)
    family_contact_on = _date("Date of the last attempt", "Attempts must start at once.",
                              past=True, required=True)
    notes = _text("Notes", "What was done, with her guardian.", load_default="")
