"""Forms of a compensation claim: one claim per started procedure.

A victim has the right to compensation from the perpetrators, and the state guarantees
compensation in the conditions of its law (CETS No. 197, Art. 15(3)-(4); Directive
2011/36/EU, Art. 17); she is informed of the proceedings in a language she understands
and gets legal assistance and free legal aid (CETS Art. 15(1)-(2)). Each claim she wants
(a property claim in the criminal proceedings, a lawsuit for unpaid wages or damages,
state compensation for victims of violent crime) is its own procedure, with its kind in
the start form, tracked from the filing to the decision and the payment.

The filing deadline is the date the legal adviser enters (the end of the limitation
period she was advised of, the end of the first-instance main hearing for a claim in
the criminal proceedings): no number of days is assumed here.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from engine.kit.dates import stored_date

from . import FORMS
from .base import FormSchema
from .fields import choice as _choice
from .fields import day as _date
from .fields import flag as _flag
from .fields import line as _line
from .fields import number as _number
from .fields import text as _text

CLAIM_KINDS = ("criminal_proceedings_claim", "wage_lawsuit", "damages_lawsuit",
               "state_compensation")
CLAIM_KIND_LABELS = {
    "criminal_proceedings_claim": "a property claim in the criminal proceedings",
    "wage_lawsuit": "a labour lawsuit for unpaid wages",
    "damages_lawsuit": "a civil lawsuit for damages",
    "state_compensation": "state compensation for victims of violent crime",
}
RESPONDENTS = ("employer", "accused", "other_perpetrator", "state")
LEGAL_AID = ("granted", "applied", "not_needed", "not_applied")
DECISIONS = ("granted", "partly_granted", "refused", "settled", "withdrawn")
PAYMENTS = ("paid_in_full", "paid_in_part", "not_paid", "cannot_be_enforced")
MAX_EUR = 10_000_000
AMOUNT_ERROR = "Give the amount as a whole number of euros, 0 or more."


def _amount(label: str, help_text: str) -> Any:
    return _number(label, help_text, 0, MAX_EUR, AMOUNT_ERROR, allow_none=True,
                   load_default=None)


@FORMS.register("compensation.start")
class CompensationStart(FormSchema):
    title = "Start a compensation claim"

    claim_kind = _choice(CLAIM_KINDS, "Claim", "One claim per procedure: start another for "
                         "each further claim she wants.", required=True,
                         labels=CLAIM_KIND_LABELS)
    is_child = _flag("She is a child", "Her guardian takes part in every decision with her.",
                     load_default=False)


@FORMS.register("compensation.assessment")
class AssessClaim(FormSchema):
    title = "Her claim, assessed with her"

    claim_assessed_on = _date("Assessed on", "The day you went through the claim with her.",
                              past=True, required=True)
    claim_informed = _flag("She was informed of the proceedings and her rights",
                           "In a language she understands: what the claim involves, what it "
                           "costs her, and how long it may take (CETS Art. 15(1)).",
                           load_default=False)
    claim_interpreter_used = _flag("An interpreter was used", "Tick when the conversation went "
                                   "through an interpreter.", load_default=False)
    claim_wanted = _choice(("file", "not_now"), "Her decision",
                           "File the claim, or not now: it is her choice.", required=True,
                           labels={"file": "file the claim", "not_now": "not now"})
    claim_respondent = _choice(RESPONDENTS, "Claim against", "Who is to pay: the employer, "
                               "the accused, another perpetrator, or the state.",
                               allow_none=True, load_default=None)
    claim_amount_eur = _amount("Amount claimed (EUR)", "Her estimate; it may change when "
                               "the claim is filed.")
    claim_filing_due = _date(
        "Last day to file",
        "The date she was advised of: the end of the limitation period, or for a claim in "
        "the criminal proceedings the expected end of the first-instance main hearing. "
        "Leave empty when no time limit applies; a past date shows at once as missed.",
        allow_none=True, load_default=None)
    claim_filing_due_basis = _line("What the time limit rests on",
                                   "The rule or advice it comes from.", load_default="")
    claim_legal_aid = _choice(LEGAL_AID, "Free legal aid",
                              "She has the right to legal assistance and free legal aid "
                              "(CETS Art. 15(2)).", required=True)
    guardian_involved = _flag("Her guardian took part", "Needed when she is a child.",
                              load_default=False)
    claim_notes = _text("Notes", "What she wants from the claim and any worries she has.",
                        load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("claim_informed"):
            raise ValidationError("Inform her of the proceedings and her rights, in a "
                                  "language she understands, before she decides.",
                                  "claim_informed")
        if self.variables.get("is_child") and not data.get("guardian_involved"):
            raise ValidationError("She is a child: her guardian takes part in this decision "
                                  "with her.", "guardian_involved")
        if data.get("claim_wanted") != "file":
            return
        respondent = data.get("claim_respondent")
        if not respondent:
            raise ValidationError("Say against whom the claim is filed.", "claim_respondent")
        state = self.variables.get("claim_kind") == "state_compensation"
        if state != (respondent == "state"):
            raise ValidationError("State compensation is claimed from the state, and every "
                                  "other claim from the employer or the perpetrators.",
                                  "claim_respondent")


@FORMS.register("compensation.filing")
class FileClaim(FormSchema):
    title = "Filing of the claim"

    claim_filed_on = _date("Filed on", "The day the claim was filed.", past=True,
                           required=True)
    claim_filed_with = _line("Filed with", "The court, or the commission deciding on state "
                             "compensation.", required=True)
    claim_reference = _line("Reference", "The number of the case or the application.",
                            load_default="")
    claim_filed_eur = _amount("Amount claimed (EUR)", "As filed.")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        assessed = stored_date(self.variables.get("claim_assessed_on"))
        if assessed and data.get("claim_filed_on") and data["claim_filed_on"] < assessed:
            raise ValidationError("The claim is filed after it was assessed with her.",
                                  "claim_filed_on")


@FORMS.register("compensation.decision")
class RecordClaimDecision(FormSchema):
    title = "Decision on the claim"

    claim_decision = _choice(DECISIONS, "Decision",
                             "Granted, partly granted, refused, settled, or withdrawn by "
                             "her.", required=True)
    claim_decided_on = _date("Decided on", "The day of the decision or the settlement.",
                             past=True, required=True)
    claim_awarded_eur = _amount("Amount awarded (EUR)", "Granted, partly granted or "
                                "agreed in the settlement.")
    claim_appeal_filed = _flag("An appeal was filed",
                               "By her or by the other side: the procedure then waits for "
                               "the decision on appeal.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        filed = stored_date(self.variables.get("claim_filed_on"))
        if filed and data.get("claim_decided_on") and data["claim_decided_on"] < filed:
            raise ValidationError("The decision cannot be dated before the claim was filed.",
                                  "claim_decided_on")
        awarded = data.get("claim_decision") in ("granted", "partly_granted", "settled")
        if awarded and not data.get("claim_awarded_eur"):
            raise ValidationError("Give the amount awarded or agreed.", "claim_awarded_eur")
        if not awarded and data.get("claim_awarded_eur"):
            raise ValidationError("Nothing is awarded by a refusal or a withdrawal.",
                                  "claim_awarded_eur")
        if data.get("claim_decision") == "withdrawn" and data.get("claim_appeal_filed"):
            raise ValidationError("A withdrawn claim is not appealed.", "claim_appeal_filed")


@FORMS.register("compensation.payment")
class RecordClaimPayment(FormSchema):
    title = "Payment of the compensation"

    claim_payment = _choice(PAYMENTS, "Payment",
                            "Paid in full, paid in part or not yet paid (the task comes "
                            "back until it is settled), or it cannot be enforced.",
                            required=True)
    claim_paid_on = _date("Paid on", "The day of the (last) payment.", past=True,
                          allow_none=True, load_default=None)
    claim_paid_eur = _amount("Amount paid so far (EUR)", "All payments together.")
    claim_enforcement_filed_on = _date("Enforcement applied for on",
                                       "When she applied to the court for enforcement, if "
                                       "she did.", past=True, allow_none=True,
                                       load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        paid = data.get("claim_payment") in ("paid_in_full", "paid_in_part")
        if paid and not data.get("claim_paid_on"):
            raise ValidationError("Give the day of the payment.", "claim_paid_on")
        if paid and not data.get("claim_paid_eur"):
            raise ValidationError("Give the amount paid.", "claim_paid_eur")
        awarded = self.variables.get("claim_awarded_eur")
        if (isinstance(awarded, int) and data.get("claim_paid_eur") is not None
                and data["claim_paid_eur"] > awarded):
            raise ValidationError("More than the amount awarded cannot have been paid.",
                                  "claim_paid_eur")
