"""The language of the pages: Flask-Babel with English, Slovene, Serbian (Cyrillic and
Latin script), Bosnian and Croatian catalogues.

She picks the language in the page header and it is stored with her account; picked on
the sign-in page, it is kept in the session and stored with her account once she signs
in. Until she picks one, the browser's Accept-Language decides, else English.

The REST API and the engine speak English (their messages are for programs and the log);
pages show the engine's messages as they are. The words of the procedures (forms, task
names and documentation, deadline titles) have a catalogue of their own: see
``web.common.procedure_texts``. The codes the engine hands to pages
(statuses, roles, kinds of deadline, history events) get their words here, through the
``term`` filter: ``{{ task.role|term('role') }}``.

A new string: wrap it (``_()`` / ``{% trans %}`` / ``gettext``), then ``make messages``
and translate the new entries of ``web/translations/*/LC_MESSAGES/messages.po`` (Serbian
in Latin script: ``sr_Cyrl`` is written from it).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, has_request_context, redirect, request, session
from flask_babel import Babel, get_locale, gettext, lazy_pgettext
from flask_login import current_user, user_logged_in
from werkzeug.wrappers import Response

from . import procedure_texts
from .acting import engine, safe_next

LANGUAGES = {"en": "English", "sl": "Slovenščina", "sr_Cyrl": "Српски (ћирилица)",
             "sr_Latn": "Srpski (latinica)", "bs": "Bosanski", "hr": "Hrvatski"}
"""Each language in its own words: she looks for hers by the name she knows it by. A
browser asking for Serbian without a script gets Cyrillic, the official one."""
DEFAULT = "en"
CHOSEN = "language"
"""The session key of a language picked before signing in."""

bp = Blueprint("i18n", __name__)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # as babel.cfg extracts them
    app.jinja_env.filters["term"] = term
    procedure_texts.init_app(app)
    app.context_processor(_languages)
    app.register_blueprint(bp)
    user_logged_in.connect(_keep_choice, app)


def select_locale() -> str:
    """Her stored language, else the one picked before signing in, else the browser's."""
    if not has_request_context():
        return DEFAULT
    if current_user.is_authenticated:
        stored = current_user.view.language  # read with her account: no query of its own
        if stored in LANGUAGES:
            return str(stored)
    chosen = session.get(CHOSEN)
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def _languages() -> dict[str, Any]:
    return {"lang": str(get_locale() or DEFAULT), "languages": LANGUAGES}


@bp.post("/language")
def choose() -> Response:
    """Store her choice and take her back to the page she was on (on this site only)."""
    language = request.form.get("language", "")
    back = redirect(safe_next(request.form.get("next")))
    if language not in LANGUAGES:
        flash(gettext("There is no language “%(language)s” here: choose %(choices)s.",
                      language=language[:20], choices=" / ".join(LANGUAGES.values())),
              "error")
        return back
    if current_user.is_authenticated:
        engine().credentials.set_language(current_user.username, language)
    else:
        session[CHOSEN] = language
    return back


def _keep_choice(app: Flask, user: Any, **extra: Any) -> None:
    """A language picked on the sign-in page becomes hers once she has signed in."""
    chosen = session.pop(CHOSEN, None)
    if chosen in LANGUAGES:
        engine().credentials.set_language(user.username, chosen)


def term(code: str | None, group: str) -> str:
    """The words for one of the engine's codes; a code without them, spaced, as it is."""
    if not code:
        return ""
    words = TERMS.get((group, code))
    return str(words) if words is not None else code.replace("_", " ")


TERMS = {
    # The roles (engine.roles.ROLES, and admin).
    ("role", "first_line"): lazy_pgettext("role", "first line"),
    ("role", "coordinator"): lazy_pgettext("role", "coordinator"),
    ("role", "police"): lazy_pgettext("role", "police"),
    ("role", "prosecutor"): lazy_pgettext("role", "prosecutor"),
    ("role", "admin_unit"): lazy_pgettext("role", "administrative unit"),
    ("role", "ngo_counsellor"): lazy_pgettext("role", "NGO counsellor"),
    ("role", "social_work"): lazy_pgettext("role", "social work centre"),
    ("role", "legal_adviser"): lazy_pgettext("role", "legal adviser"),
    ("role", "school"): lazy_pgettext("role", "school"),
    ("role", "return_officer"): lazy_pgettext("role", "return officer"),
    ("role", "policy_analyst"): lazy_pgettext("role", "policy analyst"),
    ("role", "monitoring_team"): lazy_pgettext("role", "monitoring team"),
    ("role", "admin"): lazy_pgettext("role", "admin"),
    ("role", "trainer"): lazy_pgettext("role", "trainer"),
    ("verdict", "right"): lazy_pgettext("verdict", "as expected"),
    ("verdict", "wrong"): lazy_pgettext("verdict", "another decision"),
    ("verdict", "not_taken"): lazy_pgettext("verdict", "not taken"),
    ("timing", "in_time"): lazy_pgettext("timing", "in time"),
    ("timing", "late"): lazy_pgettext("timing", "after the latest safe day"),
    ("timing", "missed"): lazy_pgettext("timing", "deadline missed"),
    ("timing", "open"): lazy_pgettext("timing", "deadline still open"),
    # A procedure's status (engine.instances.STATUSES).
    ("instance", "running"): lazy_pgettext("procedure status", "running"),
    ("instance", "waiting"): lazy_pgettext("procedure status", "waiting"),
    ("instance", "completed"): lazy_pgettext("procedure status", "completed"),
    ("instance", "cancelled"): lazy_pgettext("procedure status", "cancelled"),
    ("instance", "suspended"): lazy_pgettext("procedure status", "suspended"),
    ("instance", "incident"): lazy_pgettext("procedure status", "incident"),
    # A task's status (engine.tasks.TASK_STATUSES).
    ("task", "open"): lazy_pgettext("task status", "open"),
    ("task", "completed"): lazy_pgettext("task status", "completed"),
    ("task", "cancelled"): lazy_pgettext("task status", "cancelled"),
    # A legal deadline's status (engine.deadlines.DEADLINE_STATUSES).
    ("deadline", "open"): lazy_pgettext("deadline status", "open"),
    ("deadline", "met"): lazy_pgettext("deadline status", "met"),
    ("deadline", "missed"): lazy_pgettext("deadline status", "missed"),
    ("deadline", "cancelled"): lazy_pgettext("deadline status", "cancelled"),
    # Her answers in the consent register (engine.consents).
    ("consent", "given"): lazy_pgettext("consent", "given"),
    ("consent", "refused"): lazy_pgettext("consent", "refused"),
    ("consent", "withdrawn"): lazy_pgettext("consent", "withdrawn"),
    ("purpose", "referral"): lazy_pgettext("consent purpose", "referral to the coordinator"),
    ("purpose", "protection_plan"): lazy_pgettext("consent purpose", "protection plan"),
    ("purpose", "schooling"): lazy_pgettext("consent purpose", "schooling"),
    ("purpose", "voluntary_return"): lazy_pgettext("consent purpose", "voluntary return"),
    ("purpose", "reintegration_intake"): lazy_pgettext("consent purpose",
                                                       "(re)integration intake"),
    ("purpose", "team_notice"): lazy_pgettext("consent purpose", "notice to the team"),
    ("purpose", "record_identity"): lazy_pgettext("consent purpose", "recording her name"),
    # What became of a read of personal data (engine.access).
    ("access", "granted"): lazy_pgettext("access outcome", "shown"),
    ("access", "refused"): lazy_pgettext("access outcome", "refused"),
    # The badges: web.worklist.urgency and web.deadlines.urgency.
    ("urgency", "overdue"): lazy_pgettext("urgency", "overdue"),
    ("urgency", "due-soon"): lazy_pgettext("urgency", "due soon"),
    ("urgency", "missed"): lazy_pgettext("urgency", "missed"),
    ("urgency", "late"): lazy_pgettext("urgency", "late"),
    ("urgency", "urgent"): lazy_pgettext("urgency", "urgent"),
    ("urgency", "soon"): lazy_pgettext("urgency", "soon"),
    # How an element changed between two versions of a diagram.
    ("change", "added"): lazy_pgettext("diagram change", "added"),
    ("change", "removed"): lazy_pgettext("diagram change", "removed"),
    ("change", "changed"): lazy_pgettext("diagram change", "changed"),
    ("change", "moved"): lazy_pgettext("diagram change", "moved"),
    # The kinds of legal deadline (engine.effects.DEADLINE_KINDS).
    ("kind", "reflection_end"): lazy_pgettext("deadline kind", "end of the reflection period"),
    ("kind", "permit_application_due"): lazy_pgettext("deadline kind", "permit application"),
    ("kind", "stay_decision_due"): lazy_pgettext("deadline kind", "decision on the stay"),
    ("kind", "extension_decision_due"): lazy_pgettext("deadline kind",
                                                      "decision on extending the stay"),
    ("kind", "cooperation_confirmation_due"): lazy_pgettext(
        "deadline kind", "prosecutor's confirmation"),
    ("kind", "appeal_due"): lazy_pgettext("deadline kind", "appeal against a decision"),
    ("kind", "lawful_stay_end"): lazy_pgettext("deadline kind", "end of her permitted stay"),
    ("kind", "permit_expiry"): lazy_pgettext("deadline kind", "permit expiry"),
    ("kind", "renewal_application_due"): lazy_pgettext("deadline kind",
                                                       "renewal application"),
    ("kind", "school_enrolment_due"): lazy_pgettext("deadline kind", "school enrolment"),
    ("kind", "further_permit_application_due"): lazy_pgettext(
        "deadline kind", "application for a further permit"),
    ("kind", "plan_review_due"): lazy_pgettext("deadline kind", "protection plan review"),
    ("kind", "indicator_due"): lazy_pgettext("deadline kind", "plan indicator target"),
    ("kind", "phase_due"): lazy_pgettext("deadline kind", "phase of the assistance plan"),
    ("kind", "missing_person_report_due"): lazy_pgettext("deadline kind",
                                                         "missing-person report"),
    ("kind", "non_punishment_answer_due"): lazy_pgettext(
        "deadline kind", "answer on non-punishment"),
    ("kind", "compensation_filing_due"): lazy_pgettext("deadline kind",
                                                       "filing of a compensation claim"),
    # The events of the history.
    ("event", "data_changed"): lazy_pgettext("history event", "data changed"),
    ("event", "deadline_opened"): lazy_pgettext("history event", "deadline set"),
    ("event", "deadline_cancelled"): lazy_pgettext("history event", "deadline cancelled"),
    ("event", "deadline_escalated"): lazy_pgettext("history event", "deadline escalated"),
    ("event", "deadline_acknowledged"): lazy_pgettext("history event",
                                                      "missed deadline acknowledged"),
    ("event", "definition_deployed"): lazy_pgettext("history event", "diagram published"),
    ("event", "handler_completed"): lazy_pgettext("history event", "automatic step done"),
    ("event", "incident"): lazy_pgettext("history event", "incident"),
    ("event", "incident_retried"): lazy_pgettext("history event", "failed step retried"),
    ("event", "instance_started"): lazy_pgettext("history event", "procedure started"),
    ("event", "person_record_changed"): lazy_pgettext("history event",
                                                      "personal record changed"),
    ("event", "instance_completed"): lazy_pgettext("history event", "procedure completed"),
    ("event", "instance_suspended"): lazy_pgettext("history event", "procedure suspended"),
    ("event", "instance_resumed"): lazy_pgettext("history event", "procedure resumed"),
    ("event", "instance_cancelled"): lazy_pgettext("history event", "procedure cancelled"),
    ("event", "instance_migrated"): lazy_pgettext("history event",
                                                  "procedure moved to another version"),
    ("event", "case_paused"): lazy_pgettext("history event", "case paused"),
    ("event", "case_resumed"): lazy_pgettext("history event", "case resumed"),
    ("event", "case_transferred"): lazy_pgettext("history event",
                                                 "case moved to another jurisdiction"),
    ("event", "deadline_recomputed"): lazy_pgettext("history event",
                                                    "deadline counted again"),
    ("event", "message_received"): lazy_pgettext("history event", "message received"),
    ("event", "signal_delivered"): lazy_pgettext("history event",
                                                 "signal passed to her other procedures"),
    ("event", "notification_sent"): lazy_pgettext("history event", "notice sent"),
    ("event", "notification_emailed"): lazy_pgettext("history event", "notice e-mailed"),
    ("event", "notification_email_failed"): lazy_pgettext("history event",
                                                          "notice e-mail failed"),
    ("event", "reminder_sent"): lazy_pgettext("history event", "reminder sent"),
    ("event", "task_created"): lazy_pgettext("history event", "task created"),
    ("event", "task_claimed"): lazy_pgettext("history event", "task claimed"),
    ("event", "task_unclaimed"): lazy_pgettext("history event", "task released"),
    # The kinds of timer (engine.store.timer_states), where no step names one.
    ("timer", "bpmn"): lazy_pgettext("timer", "a timer of the procedure"),
    ("timer", "reminder"): lazy_pgettext("timer", "a reminder of a deadline"),
    ("timer", "escalation"): lazy_pgettext("timer", "the escalation of a missed safe day"),
    ("event", "task_reassigned"): lazy_pgettext("history event", "task handed over"),
    ("event", "task_completed"): lazy_pgettext("history event", "task completed"),
    ("event", "task_cancelled"): lazy_pgettext("history event", "task cancelled"),
    ("event", "timer_fired"): lazy_pgettext("history event", "timer fired"),
    ("event", "timer_cancelled"): lazy_pgettext("history event", "timer cancelled"),
    ("event", "timer_failed"): lazy_pgettext("history event", "timer failed"),
    ("event", "timers_retried"): lazy_pgettext("history event", "timers retried"),
}
