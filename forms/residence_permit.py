"""Forms of the temporary residence permit under Art. 50(4)-(9) of the Aliens Act (ZTuj-2).

The legal limits (6 to 12 months, renewals of at most 12: Art. 50(7)) come from the
jurisdiction file in force.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from engine.kit.dates import stored_date as _stored_date
from engine.kit.texts import translatable

from . import FORMS
from .base import FormSchema
from .fields import check_appeal, check_appeal_decision, served_after
from .fields import choice as _choice
from .fields import day as _date
from .fields import flag as _flag
from .fields import number as _number
from .fields import text as _text
from .reflection import DANGER_GROUNDS, SUSPECTED_CRIME_GROUNDS, is_child_case

COOPERATION_BASES = ("witness_in_criminal_proceedings", "labour_lawsuit_confirmed_by_court",
                     "cooperation_in_investigation")
"""Every basis a confirmation may name. Which of them her victim category opens is decided
by the decision table ``permit_path`` (processes/permit_path.dmn) when the procedure
starts, so that legal advisers read the rule where it is applied."""
COOPERATION_BASIS_LABELS = {
    "witness_in_criminal_proceedings": "As a witness in the criminal proceedings, confirmed "
                                       "by the prosecutor (Art. 50(4))",
    "labour_lawsuit_confirmed_by_court": "A labour lawsuit against the employer, confirmed "
                                         "by the court (Art. 50(4))",
    "cooperation_in_investigation": "Cooperation with the authorities in the investigation "
                                    "(Art. 50(1))",
}
WITNESS_ONLY = ("witness_in_criminal_proceedings",)
"""Art. 50(4): the basis every category has, when the table has not been run."""
REFUSAL_GROUNDS = ("conditions_not_met", *DANGER_GROUNDS, *SUSPECTED_CRIME_GROUNDS,
                   "contact_with_suspect", "false_complaint_or_cooperation")
"""Art. 50(5): the only grounds on which the permit is refused - the condition of (4) not
met; the grounds of (2), the suspected crimes apart from public order; voluntary contact
with the suspect (or the employer); a false complaint or cooperation."""
NEXT_STEPS = ("apply_for_renewal", "renew_for_wage_claim", "wages_paid", "proceedings_ended",
              "plan_schooling", "cooperation_ended")
WITHDRAWAL_GROUNDS = ("stopped_cooperating", "proceedings_discontinued",
                      "contact_with_suspect", "false_complaint_or_cooperation",
                      *DANGER_GROUNDS)
"""Directive 2004/81/EC Art. 14 and Art. 50(5) ZTuj-2: why a permit may be withdrawn."""
FURTHER_BASES = ("education", "employment", "family", "other", "none")


@FORMS.register("permit.lawful_stay")
class RecordLawfulStay(FormSchema):
    title = "End of her current lawful stay"

    lawful_stay_end = _date("Last day of her lawful stay",
                            "The application must be filed before this day ends.",
                            required=True)
    lawful_stay_basis = _choice(("permitted_stay", "other_permit", "visa", "visa_free", "other"),
                                "Basis of her stay", "What makes her stay lawful now.",
                                required=True)


@FORMS.register("permit.cooperation")
class ConfirmCooperation(FormSchema):
    title = "Confirmation that she cooperates"

    cooperation_confirmed = _flag(
        "Cooperation confirmed",
        "Confirm only when she is prepared to cooperate as a witness in the criminal "
        "proceedings; not confirming is a normal outcome.", required=True)
    cooperation_basis = _choice(
        COOPERATION_BASES, "Basis",
        "A victim of illegal employment may instead have a labour lawsuit against the "
        "employer in which her presence matters, confirmed by the court.",
        labels=COOPERATION_BASIS_LABELS, allow_none=True, load_default=None)
    cooperation_confirmed_on = _date("Date of the answer", "The date on the prosecutor's or "
                                     "the court's answer, confirming or not.",
                                     past=True, allow_none=True, load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("cooperation_confirmed_on"):
            raise ValidationError("Give the date of the answer.", "cooperation_confirmed_on")
        if not data.get("cooperation_confirmed"):
            if data.get("cooperation_basis"):
                raise ValidationError("A cooperation that is not confirmed has no basis.",
                                      "cooperation_basis")
            return
        basis = data.get("cooperation_basis")
        if not basis:
            raise ValidationError("Say on what basis her cooperation is confirmed.",
                                  "cooperation_basis")
        accepted = self.variables.get("cooperation_bases") or WITNESS_ONLY
        if basis not in accepted:
            raise ValidationError(
                translatable("For her victim category the confirmation may name only: "
                             "{bases}.").format(bases="; ".join(
                                 COOPERATION_BASIS_LABELS[b] for b in accepted
                                 if b in COOPERATION_BASIS_LABELS)),
                "cooperation_basis")


@FORMS.register("permit.application")
class FilePermitApplication(FormSchema):
    title = "Art. 50 permit application"

    application_filed_on = _date(
        "Application filed on",
        "Must be before her lawful stay ends; a timely application gets a certificate that "
        "counts as a permit until the decision. A later date is recorded as late.",
        past=True, required=True)
    no_means = _flag("She has no means of subsistence",
                     "Then she pays no administrative fee, forms, interpreting or "
                     "translation.", load_default=False)
    interpreter_used = _flag("An interpreter was used",
                             "Interpreting and translation are free when she has no means.",
                             load_default=False)
    late_filing = _flag("Filed late", "Set by the engine when the date is after the last "
                        "day of her lawful stay.", dump_only=True)
    guardian_signed = _flag("Her guardian signed the application with her",
                            "For a child: her guardian applies with her.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if is_child_case(self.variables) and not data.get("guardian_signed"):
            raise ValidationError("She is a child: her guardian signs the application with "
                                  "her.", "guardian_signed")

    def load(self, data: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        loaded = super().load(data, **kwargs)
        end = _stored_date(self.variables.get("stay_end"))
        filed = loaded.get("application_filed_on")
        loaded["late_filing"] = bool(end and filed and filed > end)
        return loaded


@FORMS.register("permit.late_application")
class HandleLateApplication(FormSchema):
    title = "Application filed after her stay ended"

    late_application_action = _choice(
        ("awaiting_decision", "other_legal_basis", "voluntary_return", "appeal_prepared"),
        "What you do now",
        "A late application gives her no certificate, so she has no lawful stay meanwhile.",
        required=True)
    late_application_notes = _text("Notes", "Who was informed and what follows.",
                                   load_default="")


BEST_INTERESTS_OUTCOMES = ("permit_in_her_best_interests", "concerns_for_the_decision")


@FORMS.register("permit.best_interests")
class AssessBestInterests(FormSchema):
    title = "Best interests of the child and the permit"

    best_interests_assessed_on = _date("Assessed on", "The day the assessment was concluded.",
                                       past=True, required=True)
    child_heard = _flag("She was heard", "In a way suited to her age, with her guardian.",
                        required=True)
    best_interests_outcome = _choice(
        BEST_INTERESTS_OUTCOMES, "Outcome",
        "What the administrative unit should weigh; it never delays her filing.",
        required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("child_heard") is False:
            raise ValidationError("Hear her before concluding the assessment.", "child_heard")


@FORMS.register("permit.withdrawal_hearing")
class WithdrawalHearing(FormSchema):
    title = "Hearing before the permit may be withdrawn"

    withdrawal_ground = _choice(WITHDRAWAL_GROUNDS, "Ground considered",
                                "What the administrative unit considers; she is told it.",
                                required=True)
    heard_on = _date("Heard on", "The day she was told the ground and could reply.",
                     past=True, required=True)
    hearing_interpreter_used = _flag("An interpreter was used", "Free for her.",
                                     load_default=False)
    she_could_reply = _flag("She could reply", "In her language, with her legal adviser if "
                            "she wished, and with time to do so.", required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("she_could_reply") is False:
            raise ValidationError("Give her the chance to reply before anything is decided "
                                  "(Directive 2004/81/EC Art. 14).", "she_could_reply")


@FORMS.register("permit.withdrawal_decision")
class DecideWithdrawal(FormSchema):
    title = "Decision on withdrawing the permit"

    withdrawal_decision = _choice(("withdrawn", "kept"), "Decision",
                                  "Withdraw the permit, or keep it.", required=True)
    withdrawal_decided_on = _date("Decided on", "The date on the decision.", past=True,
                                  required=True)
    withdrawal_served_on = _date("Served on her on", "For a withdrawal: the appeal period "
                                 "counts from the day after.", past=True, allow_none=True,
                                 load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        decided, served = data.get("withdrawal_decided_on"), data.get("withdrawal_served_on")
        heard = _stored_date(self.variables.get("heard_on"))
        if decided and heard and decided < heard:
            raise ValidationError("The decision comes after her hearing.",
                                  "withdrawal_decided_on")
        if data.get("withdrawal_decision") == "withdrawn":
            if not served:
                raise ValidationError("Give the day the withdrawal was served on her.",
                                      "withdrawal_served_on")
            served_after(decided, served, "withdrawal_served_on")


@FORMS.register("permit.certificate")
class IssueCertificate(FormSchema):
    title = "Certificate of a timely application"

    certificate_issued_on = _date("Certificate issued on",
                                  "The certificate counts as a temporary residence permit "
                                  "until the final decision.", past=True, required=True)
    fees_waived = _flag("Fees waived", "No fee, forms, interpreting or translation are "
                        "charged to a victim without means.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        issued = data.get("certificate_issued_on")
        filed = _stored_date(self.variables.get("application_filed_on"))
        if issued and filed and issued < filed:
            raise ValidationError(translatable("The certificate cannot be dated before the "
                                               "application was filed ({filed}).")
                                  .format(filed=filed.isoformat()), "certificate_issued_on")
        if self.variables.get("no_means") and not data.get("fees_waived"):
            raise ValidationError("She has no means of subsistence, so Art. 50(6) exempts "
                                  "her from all fees and costs.", "fees_waived")


@FORMS.register("permit.decision")
class DecidePermit(FormSchema):
    title = "Decision on the temporary residence permit"

    permit_decision = _choice(("issued", "refused"), "Decision", "Issue or refuse the permit.",
                              required=True)
    permit_issued_on = _date("Issued on", "The issue date of the permit.", past=True,
                             allow_none=True, load_default=None)
    expected_proceedings_months = _number(
        "Expected length of the criminal proceedings (months)",
        "The permit covers this time, but never less than the legal minimum or more than "
        "the legal maximum.", 1, 240,
        "Give the expected length in whole months, 1 or more.", allow_none=True,
        load_default=None)
    validity_months = _number(
        "Validity stated on the permit (months)",
        "Only when the decision states it; otherwise it follows from the expected length.",
        1, 240, "Give the validity in whole months.", allow_none=True, load_default=None)
    refused_on = _date("Refused on", "The date of the decision refusing the permit.",
                       past=True, allow_none=True, load_default=None)
    refusal_served_on = _date("Served on her on",
                              "The day the refusal was served on her: the appeal period "
                              "counts from the day after.", past=True, allow_none=True,
                              load_default=None)
    refusal_ground = _choice(REFUSAL_GROUNDS, "Ground of refusal",
                             "Only the grounds of Art. 50(5).", allow_none=True,
                             load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("permit_decision") == "refused":
            if not data.get("refusal_ground"):
                raise ValidationError("Give the ground of the refusal.", "refusal_ground")
            if not data.get("refused_on"):
                raise ValidationError("Give the date of the decision.", "refused_on")
            served = data.get("refusal_served_on")
            if not served:
                raise ValidationError("Give the day the refusal was served on her.",
                                      "refusal_served_on")
            served_after(data["refused_on"], served, "refusal_served_on")
            return
        if not self.variables.get("cooperation_confirmed"):
            raise ValidationError("The permit is issued only when her cooperation is confirmed "
                                  "(Art. 50(4)); without it, refuse on the first ground of "
                                  "Art. 50(5).", "permit_decision")
        if data.get("refusal_ground"):
            raise ValidationError("An issued permit has no ground of refusal.",
                                  "refusal_ground")
        if not data.get("permit_issued_on"):
            raise ValidationError("Give the issue date of the permit.", "permit_issued_on")
        if not data.get("expected_proceedings_months"):
            raise ValidationError("Give the expected length of the criminal proceedings.",
                                  "expected_proceedings_months")
        low, high = self.jurisdiction.permit_min_months, self.jurisdiction.permit_max_months
        months = data.get("validity_months")
        if months is not None and not low <= months <= high:
            raise ValidationError(translatable("The permit is issued for at least {low} and at "
                                               "most {high} months (Art. 50(7)).")
                                  .format(low=low, high=high), "validity_months")


@FORMS.register("permit.appeal")
class ConsiderAppeal(FormSchema):
    title = "Appeal against the refusal of the permit"

    appeal_filed = _flag("She appeals", "Agreed with her; the certificate counts as a permit "
                         "until the appeal is decided.", required=True)
    appeal_filed_on = _date("Appeal filed on", "Within the appeal period counted from the day "
                            "the refusal was served on her.", past=True, allow_none=True,
                            load_default=None)
    reason_not_appealed = _text("Why she does not appeal", "For example another basis of "
                                "stay or her wish to return.", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        check_appeal(data, _stored_date(self.variables.get("refusal_served_on")),
                     translatable("An appeal is filed after the refusal was served."))


@FORMS.register("permit.appeal_decision")
class RecordAppealDecision(FormSchema):
    title = "Decision on the appeal"

    appeal_decision = _choice(("upheld", "dismissed"), "Decision on the appeal",
                              "Upheld: the administrative unit decides again. Dismissed: the "
                              "refusal is final.", required=True)
    appeal_decided_on = _date("Decided on", "The date on the decision.", past=True,
                              required=True)
    appeal_decision_served_on = _date("Served on her on", "A dismissal makes the refusal "
                                      "final on the day it is served.", past=True,
                                      required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        check_appeal_decision(data, _stored_date(self.variables.get("appeal_filed_on")))


@FORMS.register("permit.follow_up")
class FollowProceedings(FormSchema):
    title = "Following the criminal proceedings"

    next_step = _choice(
        NEXT_STEPS, "What happens now",
        "Renew while the proceedings last; after they end she needs a permit on another "
        "basis; schooling can start beside this procedure.", required=True)
    proceedings_ended_on = _date("Proceedings ended on", "When the criminal proceedings "
                                 "ended.", past=True, allow_none=True, load_default=None)
    follow_up_notes = _text("Notes", "State of the proceedings and of her plan.",
                            load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        step = data.get("next_step")
        if step == "proceedings_ended" and not data.get("proceedings_ended_on"):
            raise ValidationError("Give the day the proceedings ended.",
                                  "proceedings_ended_on")
        if (step == "renew_for_wage_claim"
                and not self.variables.get("wage_claim_renewal_allowed")):
            raise ValidationError("Renewal for a pending wage claim is only for a victim of "
                                  "illegal employment.", "next_step")
        if step == "wages_paid" and not self.variables.get("wage_claim_renewal"):
            raise ValidationError("A payment of wages is reported only after a renewal for a "
                                  "pending wage claim (Art. 50(7)).", "next_step")
        if step == "plan_schooling" and self.variables.get("schooling_started"):
            raise ValidationError("The school enrolment procedure has already started.",
                                  "next_step")


@FORMS.register("permit.renewal_application")
class FileRenewal(FormSchema):
    title = "Application to renew the permit"

    renewal_filed_on = _date("Renewal application filed on",
                             "File it on her application before the permit expires; a later "
                             "date is recorded as late.", past=True, required=True)
    wage_lawsuit_filed_on = _date(
        "Wage lawsuit filed on", "For a renewal after the proceedings: the day her lawsuit "
        "for the unpaid wages was filed with the court.", past=True, allow_none=True,
        load_default=None)
    wage_lawsuit_proof_attached = _flag(
        "Proof of the lawsuit is attached", "Art. 50(7): the renewal for a wage claim needs "
        "proof that the lawsuit was filed.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if self.variables.get("next_step") != "renew_for_wage_claim":
            return
        if not data.get("wage_lawsuit_filed_on"):
            raise ValidationError("Give the day her wage lawsuit was filed.",
                                  "wage_lawsuit_filed_on")
        if not data.get("wage_lawsuit_proof_attached"):
            raise ValidationError("Attach the proof of the lawsuit (Art. 50(7)).",
                                  "wage_lawsuit_proof_attached")


@FORMS.register("permit.wage_payment")
class ReportWagePayment(FormSchema):
    title = "Payment of her unpaid wages"

    wages_paid_on = _date("Paid on", "The day the employer paid what was owed.", past=True,
                          required=True)
    payment_reported_on = _date("Reported on", "The day the administrative unit was told.",
                                past=True, required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        paid, reported = data.get("wages_paid_on"), data.get("payment_reported_on")
        if paid and reported and reported < paid:
            raise ValidationError("A payment is reported after it was made.",
                                  "payment_reported_on")


@FORMS.register("permit.renewal_decision")
class DecideRenewal(FormSchema):
    title = "Decision on renewing the permit"

    renewal_decision = _choice(("renewed", "refused"), "Decision",
                               "Renewed while the proceedings last and the conditions hold.",
                               required=True)
    renewal_decided_on = _date("Date of the decision", "The date on the decision.",
                               past=True, required=True)
    renewal_months = _number("Renewed for (months)",
                             "Each renewal is for at most the legal maximum, counted from "
                             "the end of the current permit.", 1, 240,
                             "Give the renewal in whole months.", allow_none=True,
                             load_default=None)
    renewal_refusal_ground = _choice(REFUSAL_GROUNDS + ("proceedings_ended",),
                                     "Ground of refusal", "Why it was not renewed.",
                                     allow_none=True, load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("renewal_decision") == "refused":
            if not data.get("renewal_refusal_ground"):
                raise ValidationError("Give the ground of the refusal.",
                                      "renewal_refusal_ground")
            return
        high = self.jurisdiction.renewal_max_months
        months = data.get("renewal_months")
        if months is None:
            raise ValidationError("Give the length of the renewal in months.",
                                  "renewal_months")
        if months > high:
            raise ValidationError(translatable("A renewal is for at most {high} months "
                                               "(Art. 50(7)).").format(high=high),
                                  "renewal_months")


@FORMS.register("permit.further_application")
class FileFurtherPermit(FormSchema):
    title = "Application for a further permit"

    further_permit_basis = _choice(
        FURTHER_BASES, "Basis of the further permit",
        "Art. 50(9): a permit for another purpose, such as education or employment; "
        "'none' when she will not apply.", required=True)
    further_permit_filed_on = _date(
        "Application filed on",
        "Must be before the current permit expires; a later date is recorded as late.",
        past=True, allow_none=True, load_default=None)
    reason_not_filed = _text("Why she does not apply", "For example voluntary return.",
                             load_default="")
    guardian_signed = _flag("Her guardian signed the application with her",
                            "For a child: her guardian applies with her, and decides with her "
                            "not to apply.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if is_child_case(self.variables) and not data.get("guardian_signed"):
            raise ValidationError("She is a child: her guardian takes part in this decision "
                                  "and signs an application with her (CETS Art. 10(4)).",
                                  "guardian_signed")
        if data.get("further_permit_basis") == "none":
            if data.get("further_permit_filed_on"):
                raise ValidationError("With no further permit there is no filing date.",
                                      "further_permit_filed_on")
            if not data.get("reason_not_filed"):
                raise ValidationError("Say why she does not apply.", "reason_not_filed")
        elif not data.get("further_permit_filed_on"):
            raise ValidationError("Give the day the application was filed.",
                                  "further_permit_filed_on")


NEXT_STEPS_WITHOUT_PERMIT = ("voluntary_return", "other_legal_basis", "appeal",
                             "administrative_dispute", "ask_again_later", "no_further_action")


@FORMS.register("permit.without_permit")
class PlanWithoutPermit(FormSchema):
    title = "Next steps without an Art. 50 permit"

    next_step_without_permit = _choice(
        NEXT_STEPS_WITHOUT_PERMIT, "Next step",
        "Agreed with her; voluntary return only with her informed consent. She may still "
        "decide to cooperate later.", required=True)
    plan_interpreter_used = _flag("An interpreter was used", "Interpreting is free for her.",
                                  load_default=False)
    plan_notes = _text("Notes", "Safety measures and who does what.", load_default="")
