"""Forms of non-punishment for offences she was compelled to commit (CETS Art. 26).

A victim must not be punished for unlawful acts she was compelled to commit as a direct
consequence of being trafficked (Council of Europe Convention on Action against
Trafficking in Human Beings, CETS No. 197, Art. 26; Directive 2011/36/EU, Art. 8): the
legal adviser records each such offence and asks the authority deciding it not to
prosecute or punish her, and that authority's answer is tracked like any legal deadline.

The offence, its reference and the authority are case data. How she was compelled is her
own account: it is written down only as far as she agreed to disclose it for the
proceedings, and is then the one text of hers the prosecutor reads (engine.privacy).
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from engine.kit.dates import stored_date

from . import FORMS
from .base import FormSchema
from .fields import choice as _choice
from .fields import choices as _choices
from .fields import day as _date
from .fields import flag as _flag
from .fields import line as _line
from .fields import text as _text

VICTIM_STATUS = ("identified", "reasonable_grounds")
OFFENCE_KINDS = ("work_without_permit", "illegal_entry_or_stay", "false_documents",
                 "prostitution_offence", "drug_offence", "theft_or_fraud", "other_offence")
PROCEEDINGS = ("misdemeanour", "criminal")
SUBMISSION_OUTCOMES = ("submitted", "she_declined")
GROUNDS = ("cets_art_26", "directive_art_8", "duress_or_necessity", "prosecutorial_discretion")
DECISIONS = ("not_prosecuted", "proceedings_dropped", "continued")
DECISION_GROUNDS = ("compelled_offence", "public_interest", "insufficient_evidence",
                    "not_compelled", "other_ground")
REMEDIES = ("request_for_judicial_protection", "appeal", "defence_at_trial", "no_remedy")


@FORMS.register("non_punishment.start")
class NonPunishmentStart(FormSchema):
    title = "Start the non-punishment procedure (CETS Art. 26)"

    np_victim_status = _choice(
        VICTIM_STATUS, "She is",
        "An identified victim, or a presumed victim while there are reasonable grounds to "
        "believe she is one: non-punishment applies to both.", required=True,
        labels={"identified": "identified as a victim of trafficking",
                "reasonable_grounds": "a presumed victim (reasonable grounds)"})
    is_child = _flag("She is a child", "Her guardian takes part in every decision with her.",
                     load_default=False)


@FORMS.register("non_punishment.offences")
class RecordCompelledOffence(FormSchema):
    title = "An offence she was compelled to commit"

    offence_kind = _choice(OFFENCE_KINDS, "Kind of offence",
                           "What she is accused of or was fined for.", required=True,
                           labels={"work_without_permit": "working without a work permit",
                                   "illegal_entry_or_stay": "illegal entry or stay",
                                   "false_documents": "using false documents"})
    offence_proceedings = _choice(PROCEEDINGS, "Proceedings",
                                  "A misdemeanour (a fine or payment order) or a criminal "
                                  "offence.", required=True)
    offence_reference = _line("Reference of the proceedings",
                              "The number of the payment order, the misdemeanour decision or "
                              "the criminal case.", required=True)
    offence_authority = _line("Authority deciding the offence",
                              "The misdemeanour authority (labour inspectorate, police), the "
                              "court or the state prosecutor's office.", required=True)
    offence_committed_on = _date("Committed on", "When the act took place, if known.",
                                 past=True, allow_none=True, load_default=None)
    compulsion_account = _text(
        "How she was compelled, as she chose to disclose it",
        "Only what she agreed to give the authority for the proceedings, in the words she "
        "wants used. The prosecutor reads this and no other note of her case; leave it "
        "empty when she does not want to disclose it.", for_proceedings=True,
        allow_none=True, load_default=None)
    account_disclosure_agreed = _flag(
        "She agreed to disclose this account for the proceedings",
        "Asked with an interpreter if she needs one; without her agreement the submission "
        "rests on her status as a victim alone.", load_default=False)
    guardian_involved = _flag("Her guardian took part", "Needed when she is a child.",
                              load_default=False)
    offence_notes = _text("Notes for the team",
                          "Anything the team should know; not sent to the authority.",
                          load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("compulsion_account") and not data.get("account_disclosure_agreed"):
            raise ValidationError("Write her account here only when she agreed to disclose "
                                  "it for the proceedings; otherwise leave it empty.",
                                  "account_disclosure_agreed")
        if self.variables.get("is_child") and not data.get("guardian_involved"):
            raise ValidationError("She is a child: her guardian takes part in this decision "
                                  "with her.", "guardian_involved")


@FORMS.register("non_punishment.submission")
class PrepareNonPunishmentSubmission(FormSchema):
    title = "Submission not to prosecute or punish her"

    submission_outcome = _choice(SUBMISSION_OUTCOMES, "Outcome",
                                 "The submission was sent, or she decided against it: it "
                                 "is her choice.", required=True)
    submission_date = _date("Date", "The day the submission was sent, or the day she decided "
                            "against it.", past=True, required=True)
    submission_grounds = _choices(
        GROUNDS, "Grounds invoked",
        "CETS Art. 26 and Directive 2011/36/EU Art. 8 ask that a victim not be prosecuted or "
        "punished for what she was compelled to do.", load_default=list,
        labels={"cets_art_26": "CETS No. 197, Art. 26",
                "directive_art_8": "Directive 2011/36/EU, Art. 8",
                "duress_or_necessity": "duress or necessity under the criminal code",
                "prosecutorial_discretion": "the prosecutor's discretion not to prosecute"})
    submission_reference = _line("Reference of the submission",
                                 "The number under which the authority received it.",
                                 load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("submission_outcome") != "submitted":
            return
        if not {"cets_art_26", "directive_art_8"} & set(data.get("submission_grounds") or ()):
            raise ValidationError("Invoke CETS Art. 26 or Directive 2011/36/EU Art. 8: the "
                                  "submission rests on the non-punishment principle.",
                                  "submission_grounds")
        committed = stored_date(self.variables.get("offence_committed_on"))
        if committed and data["submission_date"] < committed:
            raise ValidationError("The submission cannot be sent before the offence was "
                                  "committed.", "submission_date")


@FORMS.register("non_punishment.decision")
class DecideNonPunishment(FormSchema):
    title = "Decision on non-punishment"

    np_decision = _choice(DECISIONS, "Decision",
                          "Not prosecuted (or no penalty imposed), proceedings dropped, or "
                          "proceedings continued.", required=True,
                          labels={"not_prosecuted": "not prosecuted, no penalty",
                                  "continued": "proceedings continued"})
    np_decided_on = _date("Decided on", "The day of the decision.", past=True, required=True)
    np_decision_ground = _choice(DECISION_GROUNDS, "Ground",
                                 "The main reason the decision gives.", required=True,
                                 labels={"compelled_offence":
                                         "she was compelled to commit the offence",
                                         "not_compelled": "she was not compelled"})
    np_decision_reason = _line("Reason in one sentence",
                               "As the decision states it; no details of her account.",
                               required=True)
    np_decision_reference = _line("Reference of the decision", "Its number, if any.",
                                  load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        decision, ground = data.get("np_decision"), data.get("np_decision_ground")
        if decision == "continued" and ground == "compelled_offence":
            raise ValidationError("If she was compelled to commit the offence, the "
                                  "proceedings are dropped or she is not prosecuted; give "
                                  "the ground on which they continue.", "np_decision_ground")
        if decision != "continued" and ground == "not_compelled":
            raise ValidationError("A decision not to prosecute her does not rest on her not "
                                  "being compelled; choose the ground it gives.",
                                  "np_decision_ground")
        submitted = stored_date(self.variables.get("submission_date"))
        if submitted and data.get("np_decided_on") and data["np_decided_on"] < submitted:
            raise ValidationError("The decision answers the submission, so it cannot be "
                                  "dated before the submission was sent.", "np_decided_on")


@FORMS.register("non_punishment.remedy")
class DecideRemedy(FormSchema):
    title = "Remedy against the continued proceedings"

    np_remedy = _choice(REMEDIES, "Remedy",
                        "A request for judicial protection against a misdemeanour decision, "
                        "an appeal, her defence at the trial, or none.", required=True)
    np_remedy_decided_with_her = _flag("Decided with her", "The remedy is her choice, "
                                       "with an interpreter if she needs one.",
                                       load_default=False)
    np_remedy_filed_on = _date("Filed on", "The day the remedy was filed; empty for a defence "
                               "at the trial or no remedy.", past=True, allow_none=True,
                               load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("np_remedy_decided_with_her"):
            raise ValidationError("Decide the remedy with her before recording it.",
                                  "np_remedy_decided_with_her")
        filed = data.get("np_remedy") in ("request_for_judicial_protection", "appeal")
        if filed and not data.get("np_remedy_filed_on"):
            raise ValidationError("Give the day the remedy was filed.", "np_remedy_filed_on")
        if not filed and data.get("np_remedy_filed_on"):
            raise ValidationError("Only a request for judicial protection or an appeal is "
                                  "filed.", "np_remedy_filed_on")
