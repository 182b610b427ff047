"""Forms of the procedure that follows her when she disappears.

A victim of trafficking who disappears from a shelter or her programme may have been
taken back by her traffickers, so every form takes the side that protects her: the
police report is taken at once and never filed as low risk, a child is searched for with
the child alert at once, and the search is closed only with a reason, the police told
and, for a child, her guardian told. She may also have left of her own will: that is her
right, and the forms let the coordinator record it without treating her as a suspect.
"""

from __future__ import annotations

from datetime import date
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

NOTICED_BY = ("shelter_staff", "ngo_counsellor", "social_work", "coordinator", "police",
              "school", "family_or_friends", "other")
NOTICED_BY_LABELS = {
    "shelter_staff": "staff of her shelter or safe house",
    "ngo_counsellor": "her NGO counsellor",
    "social_work": "the centre for social work",
    "coordinator": "the coordinator",
    "police": "the police",
    "school": "her school",
    "family_or_friends": "family or friends",
    "other": "someone else",
}


@FORMS.register("disappearance.start")
class DisappearanceStart(FormSchema):
    title = "She has disappeared"

    last_seen_on = _date("Last seen on", "The last day anyone of the team or her shelter "
                         "saw or heard from her.", past=True, required=True)
    found_missing_on = _date("Found missing on",
                             "The day she was found to be missing: the police take the "
                             "missing-person report that day.", past=True, required=True)
    is_child = _flag("She is a child", "Under 18, or her age is not known: the child alert "
                     "and her guardian are activated at once.", load_default=False)
    noticed_by = _choice(NOTICED_BY, "Who noticed", "Who found that she was missing.",
                         required=True, labels=NOTICED_BY_LABELS)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        seen, found = data.get("last_seen_on"), data.get("found_missing_on")
        if seen and found and found < seen:
            raise ValidationError("She cannot be found missing before the day she was last "
                                  "seen.", "found_missing_on")


def _not_before_last_seen(variables: dict[str, Any], day: date | None, field: str) -> None:
    seen = stored_date(variables.get("last_seen_on"))
    if day is not None and seen is not None and day < seen:
        raise ValidationError("The date cannot be before the day she was last seen.", field)


RISK = ("high", "medium", "low")


@FORMS.register("disappearance.report")
class TakeMissingPersonReport(FormSchema):
    title = "Missing-person report"

    report_taken_on = _date("Report taken on", "The day the police recorded the report.",
                            past=True, required=True)
    police_reference = _line("Police file number", "The reference of the report; no names.",
                             load_default="")
    report_risk = _choice(RISK, "Risk category of the search",
                          "A victim of trafficking who disappears may have been taken back "
                          "by her traffickers: the search is medium or high risk.",
                          required=True)
    cross_border_alert = _flag("Alert abroad issued", "Schengen (SIS) or Interpol alert, when "
                               "she may have been moved across a border.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("report_risk") == "low":
            raise ValidationError("A victim of trafficking who disappears is at risk of being "
                                  "taken back by her traffickers: record the search as medium "
                                  "or high risk.", "report_risk")
        _not_before_last_seen(self.variables, data.get("report_taken_on"), "report_taken_on")


ALERT_CHANNELS = ("police_child_alert", "hotline_116000", "sis_alert", "interpol_notice",
                  "public_appeal")
ALERT_CHANNEL_LABELS = {
    "police_child_alert": "the police alert for a missing child",
    "hotline_116000": "the 116 000 hotline for missing children",
    "sis_alert": "a Schengen (SIS) alert for a missing child",
    "interpol_notice": "an Interpol yellow notice",
    "public_appeal": "a public appeal",
}


@FORMS.register("disappearance.child_alert")
class ActivateChildAlert(FormSchema):
    title = "Child alert"

    child_alert_on = _date("Alert activated on", "The day the alert went out.", past=True,
                           required=True)
    child_alert_channels = _choices(ALERT_CHANNELS, "Alerts activated",
                                    "At least the police alert for a missing child.",
                                    required=True, labels=ALERT_CHANNEL_LABELS)
    public_appeal_risk_assessed = _flag(
        "A public appeal was weighed against the risk to her",
        "Her picture in the media tells her traffickers she is sought, and shows who she "
        "is: decide with the coordinator and her guardian.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        channels = data.get("child_alert_channels") or []
        if "police_child_alert" not in channels:
            raise ValidationError("A missing child is searched for with the police alert for a "
                                  "missing child at once; activate it and record it.",
                                  "child_alert_channels")
        if "public_appeal" in channels and not data.get("public_appeal_risk_assessed"):
            raise ValidationError("A public appeal can expose her to her traffickers: weigh it "
                                  "with the coordinator and her guardian first.",
                                  "public_appeal_risk_assessed")
        _not_before_last_seen(self.variables, data.get("child_alert_on"), "child_alert_on")


@FORMS.register("disappearance.guardian_told")
class TellGuardian(FormSchema):
    title = "Her guardian told"

    guardian_told_on = _date("Guardian told on", "The day her guardian was told she is "
                             "missing.", past=True, required=True)
    guardian_told_how = _choice(("in_person", "phone", "in_writing"), "How",
                                "In person or by phone at once; in writing only as well.",
                                required=True)
    carers_told = _flag("Her carers were told", "The residential home, foster family or "
                        "shelter where she lived, so they report anything they learn.",
                        load_default=False)
    guardian_notes = _text("Notes", "What the guardian knows or will do.", load_default="")


SIGNS = ("contact_with_traffickers", "threats", "seen_with_suspects", "left_with_strangers",
         "debt_or_money_pressure", "documents_or_phone_taken", "belongings_left_behind",
         "earlier_attempts_to_leave")
SIGN_LABELS = {
    "contact_with_traffickers": "contact with the traffickers or people close to them",
    "threats": "threats to her or her family",
    "seen_with_suspects": "seen with suspects or their associates",
    "left_with_strangers": "left with people not known to the team",
    "debt_or_money_pressure": "pressure over a debt or money",
    "documents_or_phone_taken": "her documents or phone taken",
    "belongings_left_behind": "her belongings left behind",
    "earlier_attempts_to_leave": "earlier attempts to leave or be fetched",
}
ASSESSMENTS = ("signs_found", "no_signs_found", "cannot_tell")
ASSESSMENT_LABELS = {
    "signs_found": "signs she was taken back or is under their control",
    "no_signs_found": "no sign of it",
    "cannot_tell": "cannot tell yet (treated as signs found)",
}


def _signs() -> Any:
    return _choices(SIGNS, "Signs found", "What the team, her shelter and the police know.",
                    load_default=list, labels=SIGN_LABELS)


def _assessment() -> Any:
    return _choice(ASSESSMENTS, "Outcome", "When you cannot tell yet, the engine treats it as "
                   "signs found: the police are told.", required=True, labels=ASSESSMENT_LABELS)


def _check_retrafficking(data: dict[str, Any], prefix: str) -> None:
    signs, outcome = data.get(f"{prefix}signs") or [], data.get(f"{prefix}assessment")
    if outcome == "signs_found" and not signs:
        raise ValidationError("Name at least one sign you found.", f"{prefix}signs")
    if outcome == "no_signs_found" and signs:
        raise ValidationError("You listed signs: record the outcome as signs found, or "
                              "cannot tell yet.", f"{prefix}assessment")


@FORMS.register("disappearance.retrafficking_check")
class CheckRetrafficking(FormSchema):
    title = "Re-trafficking check"

    retrafficking_checked_on = _date("Checked on", "The day of the check.", past=True,
                                     required=True)
    retrafficking_signs = _signs()
    retrafficking_assessment = _assessment()
    retrafficking_notes = _text("Notes", "What was found and from whom; nothing that would "
                                "expose who told you.", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        _check_retrafficking(data, "retrafficking_")


WISHES = ("continue", "needs_time", "leave_the_programmes")
WISH_LABELS = {
    "continue": "she wants her procedures and support to go on",
    "needs_time": "she needs time before deciding",
    "leave_the_programmes": "she wants to leave the programmes",
}


@FORMS.register("disappearance.return_check")
class CheckAfterReturn(FormSchema):
    title = "Re-trafficking check after her return"

    return_checked_on = _date("Checked on", "The day you met her after her return.",
                              past=True, required=True)
    return_signs = _signs()
    return_assessment = _assessment()
    return_safe_now = _flag("She is in a safe place now", "A shelter, safe house or another "
                            "place she and the team consider safe.", load_default=False)
    return_wish = _choice(WISHES, "What she wants now",
                          "Everything is voluntary: she may go on, take time, or leave.",
                          required=True, labels=WISH_LABELS)
    return_notes = _text("Notes", "What she chose to tell and what was agreed with her.",
                         load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        _check_retrafficking(data, "return_")
        _not_before_last_seen(self.variables, data.get("return_checked_on"),
                              "return_checked_on")


SEARCH_STATUS = ("still_missing", "reappeared", "search_closed")
SEARCH_STATUS_LABELS = {
    "still_missing": "she is still missing",
    "reappeared": "she has reappeared",
    "search_closed": "close the search (the case stays paused)",
}
CLOSING_REASONS = ("declined_contact", "left_the_country", "no_trace_after_search",
                   "handed_to_other_authority")
CLOSING_REASON_LABELS = {
    "declined_contact": "she was found safe and does not want contact",
    "left_the_country": "she is known to have left the country",
    "no_trace_after_search": "no trace after a long search",
    "handed_to_other_authority": "the search is handed to another authority",
}


@FORMS.register("disappearance.status")
class RecordSearchStatus(FormSchema):
    title = "She reappeared, or is still missing"

    search_checked_on = _date("Checked on", "The day you checked with the police and her "
                              "shelter.", past=True, required=True)
    search_status = _choice(SEARCH_STATUS, "Where the search stands",
                            "Close the search only when there is nothing more to do: the "
                            "case then stays paused.", required=True,
                            labels=SEARCH_STATUS_LABELS)
    reappeared_on = _date("She reappeared on", "The day she came back or was found.",
                          past=True, allow_none=True, load_default=None)
    search_closing_reason = _choice(CLOSING_REASONS, "Why the search is closed",
                                    "Only when the search is closed.", allow_none=True,
                                    load_default=None, labels=CLOSING_REASON_LABELS)
    police_told_of_closing = _flag("The police were told", "Before the search is closed, "
                                   "the police are told and keep their own file open.",
                                   load_default=False)
    guardian_told_of_closing = _flag("Her guardian agreed", "For a child: her guardian was "
                                     "heard and agrees that the search is closed.",
                                     load_default=False)
    search_notes = _text("Notes", "What was done and learnt since the last check.",
                         load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        status = data.get("search_status")
        if status == "reappeared":
            if not data.get("reappeared_on"):
                raise ValidationError("Give the day she reappeared.", "reappeared_on")
            _not_before_last_seen(self.variables, data.get("reappeared_on"), "reappeared_on")
        elif data.get("reappeared_on"):
            raise ValidationError("A day she reappeared is given only when she has "
                                  "reappeared.", "reappeared_on")
        if status == "search_closed":
            if not data.get("search_closing_reason"):
                raise ValidationError("Say why the search is closed.", "search_closing_reason")
            if not data.get("police_told_of_closing"):
                raise ValidationError("Tell the police before you close the search.",
                                      "police_told_of_closing")
            if self.variables.get("is_child") and not data.get("guardian_told_of_closing"):
                raise ValidationError("The search for a child is closed only with her "
                                      "guardian heard and agreeing.",
                                      "guardian_told_of_closing")
        elif data.get("search_closing_reason"):
            raise ValidationError("A reason is given only when the search is closed.",
                                  "search_closing_reason")


LEGAL_ACTIONS = ("filed_for_her", "authority_told_she_is_missing", "extension_requested",
                 "nothing_due_yet", "cannot_act_without_her")
LEGAL_ACTION_LABELS = {
    "filed_for_her": "filed an application on her behalf (with her power of attorney)",
    "authority_told_she_is_missing": "told the deciding authority that she is missing",
    "extension_requested": "asked for an extension of a time limit",
    "nothing_due_yet": "nothing falls due yet",
    "cannot_act_without_her": "nothing can be done without her",
}


@FORMS.register("disappearance.legal_deadlines")
class KeepLegalDeadlines(FormSchema):
    title = "Her legal deadlines while she is missing"

    legal_action_on = _date("Acted on", "The day you acted, or checked that nothing was due.",
                            past=True, required=True)
    legal_actions = _choices(LEGAL_ACTIONS, "What was done",
                             "For each deadline that falls while she is missing.",
                             required=True, labels=LEGAL_ACTION_LABELS)
    legal_notes = _text("Notes", "Which deadline, what was filed or asked, and what is "
                        "still open.", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("legal_actions"):
            raise ValidationError("Choose at least one.", "legal_actions")
