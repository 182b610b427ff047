"""The coordinators' monitor: the dashboard, every running procedure, one instance with
its live diagram and history, and the case page with all procedures of one person.

Only coordinators and admins act on instances (suspend, resume, cancel with a reason,
retry an incident); legal advisers may read the case page, which their deadlines link to.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_number, get_locale, gettext, ngettext
from werkzeug.wrappers import Response

from engine.crypto.vault import CaseErased
from engine.errors import EngineError, NotFound, ValidationFailed
from engine.identity.users import MONITORS
from engine.obligations.consents import KEEPERS as CONSENT_KEEPERS
from engine.protection.case_file import DOCUMENT_LIMIT, NOTE_LIMIT
from engine.protection.plain_text import broken_text_fields
from engine.protection.privacy import CASE_READERS, NARRATIVE, PERSON_READERS, readable
from engine.services.cases import case_cursor, new_code
from engine.services.runtime import INTERNAL_PROCESSES
from engine.services.summaries import summary_cursor
from engine.store.instances import STATUSES

from ..common.acting import acting_user, engine, reader, roles_required
from ..common.bounds import COUNT_CAP, clamp_day
from ..common.form_fields import describe, submitted
from ..common.i18n import term
from ..common.onward import onward, read_after
from ..common.procedure_texts import deployed, procedure_name, translate
from ..common.recorded import day_in_words, moment_in_words, recorded
from ..common.standing import where_she_stands
from ..common.timeline import case_timeline, happenings, step_name
from ..common.urgency import deadline_urgency, task_urgency

bp = Blueprint("monitor", __name__)

PAGE_SIZE = 50
ACTIONS = ("suspend", "resume", "cancel", "retry")


def task_badge() -> Any:
    """The worklist's overdue / due-soon badge, as of the engine's today."""
    today = engine().ctx.today()
    return lambda task: task_urgency(task, today)


def instance_filters(args: Any) -> tuple[dict[str, Any], list[str]]:
    """The instance list's filters from a query string, and a message for each bad one."""
    problems: list[str] = []
    filters: dict[str, Any] = {}
    if args.get("process"):
        filters["process_key"] = args["process"]
    status = args.get("status") or None
    if status:
        if status in STATUSES:
            filters["status"] = status
        else:
            problems.append(gettext("Unknown status “%(status)s”: choose one from the list.",
                                    status=status))
    if (args.get("case") or "").strip():
        filters["case_code"] = args["case"].strip()
    if broken_text_fields([filters.get("process_key"), filters.get("case_code")]):
        problems.append(gettext("A filter holds a character that cannot be searched for."))
        filters.pop("process_key", None)
        filters.pop("case_code", None)
    if args.get("overdue") == "1":
        filters["overdue"] = True
    for name, key in (("from", "started_from"), ("to", "started_to")):
        value = (args.get(name) or "").strip()
        if value:
            try:
                filters[key] = clamp_day(date.fromisoformat(value))
            except ValueError:
                problems.append(gettext("“%(value)s” is not a date (YYYY-MM-DD).", value=value))
    return filters, problems


@bp.get("/monitor/")
@roles_required(*MONITORS)
def dashboard() -> str:
    board = engine().runtime.dashboard()
    keys = sorted({row.process_key for row in board.counts})
    counts = {(row.process_key, row.status): row.count for row in board.counts}
    trends = engine().runtime.trends()
    return render_template("dashboard.html", board=board, keys=keys, counts=counts,
                           open_task_rows=[(term(role, "role"), *ages)
                                           for role, *ages in trends.open_tasks],
                           week_rows=[(gettext("week of %(day)s", day=day_in_words(monday)),
                                       count) for monday, count in trends.safe_days_by_week],
                           month_rows=[(format_date(first, "LLLL y", locale=get_locale()),
                                        count) for first, count in trends.missed_by_month],
                           processes=[d for d in deployed()
                                      if d.key not in INTERNAL_PROCESSES],
                           new_code=new_code(engine().jurisdiction.code),
                           jurisdictions=engine().ctx.jurisdiction_codes(),
                           default_jurisdiction=engine().jurisdiction.code,
                           statuses=STATUSES, task_urgency=task_badge(),
                           deadline_urgency=deadline_urgency, today=engine().ctx.today())


@bp.get("/monitor/instances")
@roles_required(*MONITORS)
def instances() -> tuple[str, int]:
    filters, problems = instance_filters(request.args)
    runtime = engine().runtime
    after = request.args.get("after") or None
    total = runtime.count_summaries(**filters, cap=COUNT_CAP)
    listed, after, refused = read_after(lambda cursor: runtime.summaries(
        **filters, limit=PAGE_SIZE + 1, after=cursor), after)
    if refused:
        problems.append(refused)
    args = {k: v for k, v in request.args.items() if k not in ("page", "after") and v}
    page = onward(listed, PAGE_SIZE, summary_cursor, "monitor.instances", args, after)
    counted = (gettext("more than %(count)s instances", count=format_number(COUNT_CAP))
               if total > COUNT_CAP else
               ngettext("%(num)d instance", "%(num)d instances", total))
    return render_template(
        "instances.html", instances=page.rows, counted=counted, args=args,
        next_url=page.next_url, first_url=page.first_url,
        problems=problems, statuses=STATUSES, processes=[d.key for d in deployed()],
    ), 400 if problems else 200


@bp.get("/monitor/instances/<int:instance_id>")
@roles_required(*MONITORS)
def instance(instance_id: int) -> str:
    process_engine = engine()
    try:
        found = process_engine.disclosure.instance(reader(), instance_id,
                                                   f"instance {instance_id} page")
    except NotFound as exc:
        abort(404, description=exc.message)
    except CaseErased:
        abort(410)
    state = process_engine.runtime.diagram_state(instance_id)
    events = happenings(process_engine.disclosure.history(reader(), instance_id,
                                                          f"instance {instance_id} page"),
                        found.process_key, found.version)
    deadlines = process_engine.deadlines.deadlines(instance_id=instance_id)
    today = process_engine.ctx.today()
    actors = {role: [u for u in process_engine.users.users(role=role) if u.active]
              for role in {t.role for t in found.open_tasks}}
    diagram = state.to_dict()
    for process in diagram["processes"]:
        process["name"] = procedure_name(process["process_key"])
    return render_template("instance.html", instance=found, state=diagram,
                           incident_step=step_name(found.process_key, found.version,
                                                   found.incident_element),
                           timer_steps={t.element_id: step_name(found.process_key,
                                                                found.version, t.element_id)
                                        for t in found.timers if t.element_id},
                           started=moment_in_words(found.started_at),
                           updated=moment_in_words(found.updated_at),
                           ended=moment_in_words(found.ended_at) if found.ended_at else "",
                           actors=actors,
                           recorded=recorded(found.variables),
                           events=events, deadlines=deadlines, today=today,
                           task_urgency=task_badge(), deadline_urgency=deadline_urgency)


@bp.post("/monitor/instances/<int:instance_id>/<action>")
@roles_required(*MONITORS)
def act(instance_id: int, action: str) -> Response:
    """Suspend, resume, cancel or retry; cancelling needs a reason, which the history keeps."""
    if action not in ACTIONS:
        abort(404)
    runtime = engine().runtime
    user = acting_user().username
    reason = (request.form.get("reason") or "").strip() or None
    revision = request.form.get("revision", type=int)
    back = redirect(url_for("monitor.instance", instance_id=instance_id))
    if action == "cancel" and not reason:
        flash(gettext("Give a reason for cancelling: the history keeps it."), "error")
        return back
    if action == "cancel" and request.form.get("confirmed") != "1":
        flash(gettext("Confirm that the procedure is to end, with every open task and "
                      "timer: it cannot be undone."), "error")
        return back
    try:
        if action == "suspend":
            runtime.suspend(instance_id, actor=user, revision=revision, reason=reason)
        elif action == "resume":
            runtime.resume(instance_id, actor=user, revision=revision, reason=reason)
        elif action == "cancel":
            runtime.cancel(instance_id, actor=user, revision=revision, reason=reason)
        else:
            runtime.retry(instance_id, actor=user)
    except NotFound as exc:
        abort(404, description=exc.message)
    except EngineError as exc:
        flash(exc.message, "error")
    else:
        flash({"suspend": gettext("Suspended."), "resume": gettext("Resumed."),
               "cancel": gettext("Cancelled."), "retry": gettext("Retried.")}[action],
              "success")
    return back


@bp.post("/monitor/tasks/<int:task_id>/assign")
@roles_required(*MONITORS)
def assign(task_id: int) -> Response:
    """Hand an open task to a named actor of its lane, with the reason the history keeps."""
    try:
        task = engine().tasks.assign(task_id, (request.form.get("assignee") or "").strip(),
                                     by=acting_user().username,
                                     reason=request.form.get("reason") or "")
    except NotFound as exc:
        abort(404, description=exc.message)
    except ValidationFailed as exc:
        flash(" ".join(m for messages in exc.fields.values() for m in messages), "error")
        task = engine().tasks.task(task_id)
    except EngineError as exc:
        flash(exc.message, "error")
        task = engine().tasks.task(task_id)
    else:
        flash(gettext("%(task)s is now with %(who)s.", task=translate(task.title),
                      who=task.assignee), "success")
    return redirect(url_for("monitor.instance", instance_id=task.instance_id) + "#handover")


@bp.post("/monitor/start")
@roles_required(*MONITORS)
def start() -> Any:
    """Open a procedure for a case; the new instance's page shows what happens next.

    A procedure with a start form asks for what it needs first (what the procedure
    before it would have handed over), on a page of its own.
    """
    key = request.form.get("process_key") or ""
    code = (request.form.get("case_code") or "").strip()
    place = request.form.get("jurisdiction") or None
    if not key or not code:
        flash(gettext("Choose a procedure and give a case code."), "error")
        return redirect(url_for("monitor.dashboard"))
    values: dict[str, Any] = {}
    schema = None
    try:
        engine().cases.check_new_code(code)
        form_key = engine().runtime.start_form(key)
        schema = engine().tasks.form(form_key)() if form_key else None
        if schema is not None and "start_form" not in request.form:
            return _start_page(key, code, place, schema, {}, {}, 200)
        values = submitted(schema, request.form) if schema is not None else {}
        started = engine().runtime.start(key, code, values or None,
                                         actor=acting_user().username, jurisdiction=place)
    except ValidationFailed as exc:
        if schema is None:  # the code or the key itself was refused
            flash(exc.message, "error")
            return redirect(url_for("monitor.dashboard"))
        flash(gettext("The form has errors: see the messages next to the fields."), "error")
        return _start_page(key, code, place, schema, values, exc.fields, 422)
    except EngineError as exc:
        flash(exc.message, "error")
        return redirect(url_for("monitor.dashboard"))
    flash(gettext("Started %(procedure)s for %(case)s.",
                  procedure=procedure_name(key), case=code), "success")
    return redirect(url_for("monitor.instance", instance_id=started.id))


def _start_page(key: str, code: str, place: str | None, schema: Any, values: dict[str, Any],
                errors: dict[str, Any], status: int) -> tuple[str, int]:
    return render_template(
        "start.html", process_key=key, case_code=code, jurisdiction=place,
        title=translate(getattr(schema, "title", "") or key),
        fields=describe(schema, values, errors, translate=translate),
        form_errors=errors.get("_schema") or errors.get("_form") or [],
        today=engine().ctx.today()), status


@bp.get("/cases")
@roles_required(*CASE_READERS)
def cases() -> tuple[str, int]:
    code = (request.args.get("code") or "").strip() or None
    problems: list[str] = []
    if broken_text_fields(code):
        problems.append(gettext("A filter holds a character that cannot be searched for."))
        code = None
    service = engine().cases
    after = request.args.get("after") or None
    total = service.count(code_contains=code, cap=COUNT_CAP)
    listed, after, refused = read_after(lambda cursor: service.cases(
        code_contains=code, limit=PAGE_SIZE + 1, after=cursor), after)
    if refused:
        problems.append(refused)
    args = {"code": code} if code else {}
    page = onward(listed, PAGE_SIZE, case_cursor, "monitor.cases", args, after)
    counted = (gettext("more than %(count)s cases", count=format_number(COUNT_CAP))
               if total > COUNT_CAP else ngettext("%(num)d case", "%(num)d cases", total))
    return render_template(
        "cases.html", cases=page.rows, counted=counted, code=code or "", problems=problems,
        next_url=page.next_url, first_url=page.first_url), 400 if problems else 200


@bp.get("/cases/<code>")
@roles_required(*CASE_READERS, *CONSENT_KEEPERS)
def case(code: str) -> str:
    try:
        found = engine().cases.case(code)
    except NotFound as exc:
        abort(404, description=exc.message)
    can_monitor = acting_user().has_role(*MONITORS)
    consents = engine().consents.consents(code, reader(), "case page")
    tracker = url_for("deadlines.tracker", case=code)
    standing = where_she_stands(
        found, consents, reader(),
        lambda instance_id: url_for("monitor.instance", instance_id=instance_id)
        if can_monitor else tracker)
    every_step = request.args.get("every") == "1"
    happened = case_timeline(found, reader(), every_step=every_step)
    shown_procedure = request.args.get("procedure") or ""
    case_file = engine().case_file
    kinds = [case_file.kinds[key] for key in case_file.readable_kinds(reader())]
    return render_template("case.html", case=found, today=engine().ctx.today(),
                           standing=standing, shown_procedure=shown_procedure,
                           every_step=every_step,
                           timeline=[h for h in happened if not shown_procedure
                                     or h.procedure_key == shown_procedure],
                           timeline_procedures=sorted({(h.procedure_key, h.procedure)
                                                       for h in happened},
                                                      key=lambda kp: kp[1]),
                           task_urgency=task_badge(), deadline_urgency=deadline_urgency,
                           can_monitor=can_monitor,
                           can_keep_consents=acting_user().has_role(*CONSENT_KEEPERS),
                           can_read_person=acting_user().has_role(*PERSON_READERS),
                           notes=case_file.notes(reader(), code, "case page")
                           if NARRATIVE in readable(reader().roles) else None,
                           documents=case_file.documents(reader(), code, "case page"),
                           document_kinds=kinds, document_limit=DOCUMENT_LIMIT,
                           chosen_kind=request.args.get("kind", ""),
                           case_kinds={k.key: k.label for k in case_file.kinds.values()},
                           note_limit=NOTE_LIMIT,
                           access=engine().access.events(case_code=code) if can_monitor
                           else [],
                           consents=consents)


@bp.post("/cases/<code>/consents/<int:consent_id>/withdraw")
@roles_required(*CONSENT_KEEPERS)
def withdraw_consent(code: str, consent_id: int) -> Response:
    """She withdrew a consent: record it; the tasks needing it stop, and she is protected."""
    text = (request.form.get("withdrawn_on") or "").strip()
    try:
        on = date.fromisoformat(text) if text else None
        engine().consents.withdraw(code, consent_id, on=on, user=acting_user().username)
    except ValueError:
        flash(gettext("Give the day she withdrew as a date."), "error")
    except EngineError as exc:
        flash(exc.message, "error")
    else:
        flash(gettext("Her withdrawal is recorded; the coordinator is told which tasks it "
                      "stops."), "success")
    return redirect(url_for("monitor.case", code=code) + "#consents")
