"""Forms of school enrolment before the Art. 50 permit expires (seed 001, section 3.3).

She can apply for a permit on the basis of education only if she is enrolled before her
permit as a victim expires, so every step here works towards that date. Schooling is
voluntary: she consents to it, to anyone acting for her and to meeting the school, and
her status as a victim is never disclosed to classmates or teachers.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from . import FORMS
from .base import ConsentAsked, FormSchema
from .fields import choice as _choice
from .fields import day as _date
from .fields import flag as _flag
from .fields import line as _line
from .fields import number as _number
from .fields import text as _text
from .reflection import is_child_case

CONSENT = ("given", "refused")
SCHOOLING_PURPOSE = "Enrolment in a school and the steps towards it (seed 001, 3.3)"


@FORMS.register("school.consent")
class AgreeSchooling(FormSchema):
    title = "Her consent to schooling"
    consent_asked = ConsentAsked("schooling", answer="schooling_consent",
                                 on="schooling_consent_date",
                                 interpreter="schooling_interpreter_used")

    schooling_consent = _choice(CONSENT, "Her decision",
                                "Schooling is voluntary; refusing is fine and she may "
                                "come back to it later.", required=True)
    schooling_consent_date = _date("Date she decided", "The day she gave or refused her "
                                   "consent.", past=True, required=True)
    schooling_consent_purpose = _line("Purpose explained to her",
                                      "What she agreed to, in the words used with her.",
                                      load_default=SCHOOLING_PURPOSE)
    schooling_interpreter_used = _flag("An interpreter was used",
                                       "Tick when the conversation went through an "
                                       "interpreter.", load_default=False)
    recovery_progress_seen = _flag(
        "Her recovery shows progress",
        "Schooling starts only after the recovery phase, when the team sees progress in "
        "her psychological state.", load_default=False)
    schooling_notes = _text("Notes", "What she wants to learn and any worries she has.",
                  load_default="")
    decided_with_guardian = _flag("Her guardian decided with her",
                                  "For a child: her guardian gives or refuses the consent "
                                  "together with her; she is heard.", load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if is_child_case(self.variables) and not data.get("decided_with_guardian"):
            raise ValidationError("She is a child: her guardian decides with her (CETS Art. "
                                  "10(4)).", "decided_with_guardian")
        if data.get("schooling_consent") == "given" and not data.get("recovery_progress_seen"):
            raise ValidationError("Schooling starts only when her recovery shows progress. "
                                  "If she is not ready yet, record that she does not want "
                                  "to start now.", "recovery_progress_seen")


@FORMS.register("school.language_course")
class ArrangeLanguageCourse(FormSchema):
    title = "Slovene language course"

    language_course = _choice(("enrolled", "waiting_list", "not_needed"), "Language course",
                              "Without Slovene the programme cannot succeed; a course "
                              "comes first.", required=True)
    language_course_start = _date("Course starts on", "The first day of the course "
                                  "(may be a planned date).", allow_none=True,
                                  load_default=None)
    language_course_provider = _line("Course provider", "School or organisation running "
                                     "the course.", load_default="")

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("language_course") == "enrolled" and not data.get("language_course_start"):
            raise ValidationError("Give the day the course starts.", "language_course_start")


EDUCATION_LEVELS = ("none", "primary", "secondary_incomplete", "secondary", "higher")
COLLECTORS = ("herself", "family_or_friends", "partner_organisation")


@FORMS.register("school.certificates")
class CollectCertificates(FormSchema):
    title = "Certificates of her prior education"

    education_level = _choice(EDUCATION_LEVELS, "Education she has",
                              "As she describes it in the counselling sessions.",
                              required=True)
    certificates_status = _choice(("obtained", "requested", "not_available", "none_needed"),
                           "Certificates from the country of origin",
                           "Certificates of education obtained at home are needed before "
                           "she can enrol.", required=True)
    collected_through = _choice(COLLECTORS, "Who collects them",
                                "Her family or friends, or a partner organisation in the "
                                "country of origin.", allow_none=True, load_default=None)
    power_of_attorney_given = _flag(
        "She signed a power of attorney",
        "Needed before anyone else can request her certificates for her.",
        load_default=False)
    recognition_needed = _flag(
        "Recognition (nostrification) needed",
        "Tick when education obtained abroad should be recognised and evaluated here.",
        load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        asked = data.get("certificates_status") in ("obtained", "requested")
        if asked and not data.get("collected_through"):
            raise ValidationError("Say who collects the certificates.", "collected_through")
        someone_else = data.get("collected_through") not in (None, "herself")
        if asked and someone_else and not data.get("power_of_attorney_given"):
            raise ValidationError("Someone else may request her certificates only with her "
                                  "power of attorney; get it signed first.",
                                  "power_of_attorney_given")


@FORMS.register("school.choice")
class ChooseSchool(FormSchema):
    title = "Choice of school"

    school_name = _line("School", "The school chosen with her.", required=True)
    programme = _line("Programme", "The education programme she will follow.",
                      required=True)
    chosen_with_her = _flag("Chosen together with her",
                            "She takes part in the search; it is her choice.",
                            load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("chosen_with_her"):
            raise ValidationError("The school is chosen together with her; talk it through "
                                  "with her before recording it.", "chosen_with_her")


REFUNDS = ("full", "partial", "none")


@FORMS.register("school.management_meeting")
class MeetSchoolManagement(FormSchema):
    title = "Meeting with the school management"

    management_meeting_on = _date("Meeting date", "The day you met the school management.",
                                  past=True, required=True)
    management_outcome = _choice(("agreed", "try_another_school", "she_withdrew"), "Outcome",
                      "Agreed terms, look for another school, or she no longer wants to "
                      "enrol.", required=True)
    mid_year_entry = _flag("Entry in the middle of the school year",
                           "Regular schooling, a pedagogical contract or similar.",
                           load_default=False)
    tuition_eur = _number("Tuition (EUR)", "Zero when there is none.", 0, 100_000,
                          "Give the tuition as a whole number of euros, 0 or more.",
                          allow_none=True, load_default=None)
    discount_agreed = _flag("Discount agreed", "Any reduction of the tuition.",
                            load_default=False)
    refund_if_she_leaves = _choice(REFUNDS, "Refund if she leaves early",
                                   "What the school returns if she stops before the end "
                                   "of the school year.", allow_none=True,
                                   load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("management_outcome") == "agreed":
            if data.get("tuition_eur") is None:
                raise ValidationError("Record the agreed tuition (0 when there is none).",
                                      "tuition_eur")
            if not data.get("refund_if_she_leaves"):
                raise ValidationError("Record what is refunded if she leaves early.",
                                      "refund_if_she_leaves")


@FORMS.register("school.contract")
class SignSchoolContract(FormSchema):
    title = "Contract between the school and the NGO"

    contract_signed_on = _date("Signed on", "The day both sides signed.", past=True, required=True)
    contract_reference = _line("Contract number", "The reference on the contract.",
                               load_default="")


@FORMS.register("school.introduction")
class IntroductionMeeting(FormSchema):
    title = "Meeting of the school, her and the counsellor"

    meeting_consent = _choice(CONSENT, "Her consent to the meeting",
                              "The meeting, and what is said in it, needs her consent; "
                              "without it the enrolment goes ahead without the meeting.",
                              required=True)
    meeting_consent_date = _date("Date of her consent", "The day she agreed or refused.",
                                 past=True, required=True)
    meeting_interpreter_used = _flag("An interpreter was used",
                                     "Tick when the conversation went through an "
                                     "interpreter.", load_default=False)
    introduction_meeting_on = _date("Meeting date", "Leave empty when she refused the "
                                    "meeting.", past=True, allow_none=True, load_default=None)
    status_not_disclosed = _flag(
        "Her victim status stays undisclosed",
        "The school agreed not to present her as a victim of trafficking to classmates "
        "or teachers, except as agreed with her.", load_default=False)
    progress_reports_agreed = _flag("The school will report her progress",
                                    "Monthly meetings, at least at first.",
                                    load_default=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("status_not_disclosed"):
            raise ValidationError("Confirm that her status as a victim is not disclosed to "
                                  "classmates or teachers; only she may agree otherwise.",
                                  "status_not_disclosed")
        if data.get("meeting_consent") == "given" and not data.get("introduction_meeting_on"):
            raise ValidationError("Give the date of the meeting.", "introduction_meeting_on")
        if data.get("meeting_consent") == "refused" and data.get("introduction_meeting_on"):
            raise ValidationError("She refused the meeting, so it cannot have been held.",
                                  "introduction_meeting_on")


@FORMS.register("school.recognition")
class RecogniseEducation(FormSchema):
    title = "Recognition of education obtained abroad"

    recognition_filed_on = _date("Application filed on", "The day the recognition was "
                                 "applied for.", past=True, required=True)
    recognition_outcome = _choice(("recognised", "partly_recognised", "pending", "refused"),
                                  "Outcome", "Pending when the decision has not come yet; "
                                  "the enrolment need not wait for it.", required=True)


@FORMS.register("school.enrolment")
class RecordEnrolment(FormSchema):
    title = "Enrolment"
    needs_consent = "schooling"

    enrolled_on = _date("Enrolled on",
                        "The day the school enrolled her. It should be before her permit "
                        "expires; a later date is recorded and the deadline shows as "
                        "missed.", past=True, required=True)
    school_year = _line("School year or grade", "For example 2026/27, first year.",
                        load_default="")


@FORMS.register("school.deadline_watch")
class WatchEnrolmentDeadline(FormSchema):
    title = "Enrolment deadline"

    watch_outcome = _choice(("enrolled", "schooling_stopped", "other_basis_found"),
                            "Why you close the watch",
                            "This task closes by itself when the enrolment is recorded.",
                            required=True)
    watch_notes = _text("Notes", "What was agreed.", load_default="")


@FORMS.register("school.enrolment_warning")
class ActOnEnrolmentWarning(FormSchema):
    title = "Enrolment not yet done"

    warning_action = _choice(("enrolment_speeded_up", "other_permit_basis", "renewal_considered",
                      "she_stopped"), "Action taken",
                     "What was done so that she can still apply for a permit on the basis "
                     "of education.", required=True)
    warning_notes = _text("Notes", "Who does what before the latest safe day.",
                          load_default="")


@FORMS.register("school.late_enrolment")
class HandleLateEnrolment(FormSchema):
    title = "Enrolment after the permit expired"

    late_enrolment_action = _choice(("further_permit_filed", "other_permit_basis", "appeal",
                      "no_lawful_stay"), "Her position now",
                     "What follows for her stay now that she was enrolled after her permit "
                     "expired.", required=True)
    late_enrolment_notes = _text("Notes", "Who was informed and what follows.",
                                 load_default="")


PROGRAMME_STATUS = ("continuing", "school_year_ended", "programme_completed", "left_school")


@FORMS.register("school.progress")
class ReportProgress(FormSchema):
    title = "Progress report"

    progress_report_on = _date("Date of the meeting", "The monthly meeting of the school, her and "
                        "the counsellor.", past=True, required=True)
    school_progress = _choice(("good", "some_difficulties", "serious_difficulties"), "Progress",
                       "Learning and getting along at school.", required=True)
    school_difficulties = _text("Difficulties and agreed help",
                         "Extra exam dates, volunteers' help, mediation; no details of "
                         "her past.", load_default="")
    programme_status = _choice(PROGRAMME_STATUS, "Her schooling",
                               "Continuing, or the school year or programme ended, or she "
                               "left the school.", required=True)
