"""The actors' pages: the worklist of their roles, a task with its form, the inbox.

An actor sees and acts on tasks of her own roles only; any other task is a 403, also
when she types its address. The form is rendered from the task's marshmallow schema and
validated by the same schema as the API: a refused form comes back with every message
next to its field and everything she typed kept. Next to it stands what the case holds
that her roles may read (engine.privacy), through engine.disclosure: the rest is left out,
and a read of her personal data is in the access log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_number, gettext, ngettext
from flask_login import login_required
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from engine.errors import Conflict, EngineError, ValidationFailed
from engine.identity.users import MONITORS
from engine.obligations.consents import KEEPERS as CONSENT_KEEPERS
from engine.protection.privacy import CASE_READERS, PERSON_READERS
from engine.services.runtime import INTERNAL_PROCESSES
from engine.services.tasks import TASK_SORTS, task_cursor
from engine.views import TaskView

from ..common.acting import User, acting_user, engine
from ..common.bounds import COUNT_CAP, MAX_ID
from ..common.form_fields import describe, prefill, submitted
from ..common.onward import onward, read_after
from ..common.procedure_texts import deployed, translate
from ..common.recorded import moment_in_words, recorded
from ..common.tasks import her_task, own_task, readable_instance
from ..common.urgency import lanes, task_urgency

bp = Blueprint("worklist", __name__)

PAGE_SIZE = 50
LANDINGS = (("coordinator", "monitor.dashboard"), ("admin", "monitor.dashboard"),
            ("legal_adviser", "deadlines.tracker"), ("policy_analyst", "modeler.definitions"))
"""Where a role's work is, in this order for a user of several roles: the coordinator
watches every procedure, the legal adviser the deadlines, the analyst the diagrams; the
other actors work from their worklist."""


@bp.get("/")
@login_required
def home() -> Response:
    user = acting_user()
    landing = next((page for role, page in LANDINGS if user.has_role(role)), "worklist.tasks")
    return redirect(url_for(landing))


DUE_WINDOWS = {"overdue": -1, "week": 7, "month": 30}
"""A due window: tasks due by this many days from today (overdue: before today)."""
CLAIMED = ("mine", "claimed", "unclaimed")


@bp.get("/worklist")
@login_required
def tasks() -> tuple[str, int]:
    """Her roles' open tasks, filtered, sorted and paged as she asks; every link of the
    page (sorting, the next page) keeps what she chose."""
    user = acting_user()
    chosen = {name: (request.args.get(name) or "").strip()
              for name in ("procedure", "case", "due", "claimed", "sort")}
    if request.args.get("mine") == "1":
        chosen["claimed"] = "mine"
    if chosen["sort"].removeprefix("-") not in TASK_SORTS:
        chosen["sort"] = ""
    sort = chosen["sort"] or "due"
    after = request.args.get("after") or None
    today = engine().ctx.today()
    filters = _filters(user, chosen, today)
    service = engine().tasks
    status = 200
    try:
        total = service.count(**filters, cap=COUNT_CAP)
        listed, after, refused = read_after(lambda cursor: service.tasks(
            **filters, sort=sort, limit=PAGE_SIZE + 1, after=cursor), after)
    except ValidationFailed:
        flash(gettext("A filter holds a character that cannot be searched for."), "error")
        total, listed, status, after, refused = 0, [], 400, None, None
        chosen = dict.fromkeys(chosen, "")
    if refused:
        flash(refused, "error")
        status = 400
    args = {name: value for name, value in chosen.items() if value}
    page = onward(listed, PAGE_SIZE, lambda task: task_cursor(task, sort), "worklist.tasks",
                  args, after)
    return render_template(
        "worklist.html", tasks=page.rows, mine=chosen["claimed"] == "mine",
        counted=_counted(total), chosen=chosen, next_url=page.next_url,
        first_url=page.first_url,
        filtered=any(chosen[n] for n in ("procedure", "case", "due", "claimed")),
        procedures=[d for d in deployed()
                    if d.key not in INTERNAL_PROCESSES],
        sort_url=lambda column: url_for("worklist.tasks", **{
            **args, "sort": f"-{column}" if sort == column else column}),
        urgency=lambda t: task_urgency(t, today), today=today), status


def _counted(total: int) -> str:
    if total > COUNT_CAP:
        return gettext("more than %(count)s tasks", count=format_number(COUNT_CAP))
    return ngettext("%(num)d task", "%(num)d tasks", total)


def _filters(user: User, chosen: Mapping[str, str], today: date) -> dict[str, Any]:
    filters: dict[str, Any] = {"roles": lanes(user)}
    if chosen["procedure"]:
        filters["process_key"] = chosen["procedure"]
    if chosen["case"]:
        filters["case_code"] = chosen["case"]
    if chosen["due"] in DUE_WINDOWS:
        filters["due_before"] = today + timedelta(days=DUE_WINDOWS[chosen["due"]])
    if chosen["claimed"] == "mine":
        filters["assignee"] = user.username
    elif chosen["claimed"] in CLAIMED:
        filters["claimed"] = chosen["claimed"] == "claimed"
    return filters


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: int) -> Any:
    user = acting_user()
    values: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    status = 200
    if request.method == "POST" and request.form.get("action") == "draft":
        return _save_draft(task_id, user)
    if request.method == "POST":
        try:
            with her_task():
                done = engine().tasks.complete(
                    task_id, user.username, lambda form: submitted(form(), request.form),
                    roles=user.roles,
                    revision=request.form.get("revision", type=int))
        except ValidationFailed as exc:
            errors, status = exc.fields, 422
            flash(gettext("The form has errors: see the messages next to the fields."), "error")
        except Conflict as exc:
            status = 409
            if engine().tasks.task(task_id).status == "open":  # else the page says who did
                flash(translate(exc.message), "error")  # a consent gate speaks her language
        else:
            flash(gettext("Done: %(task)s (%(case)s).", task=translate(done.title),
                          case=done.case_code),
                  "success")
            return redirect(_next_for(user, done))
    found = own_task(task_id)
    schema = engine().tasks.form(found.form_key)()
    instance = readable_instance(found, f"task {task_id} page")
    draft = engine().drafts.draft(task_id, user.username) if found.status == "open" else None
    if request.method == "POST":
        values = submitted(schema, request.form)  # refused: what she typed stays
    elif draft is not None:
        values = submitted(schema, MultiDict([(name, value) for name, values in
                                              draft.fields.items() for value in values]))
    else:
        values = prefill(schema, instance.variables)  # what earlier steps recorded
    known = recorded(instance.variables)
    wanted = list(getattr(schema, "builds_on", ()))
    return render_template("task.html", task=found, instance=instance, draft=draft,
                           builds_on=sorted((r for r in known if r.name in wanted),
                                            key=lambda r: wanted.index(r.name)),
                           recorded=[r for r in known if r.name not in wanted],
                           fields=describe(schema, values, errors, translate=translate),
                           form_errors=errors.get("_schema") or errors.get("_form") or [],
                           title=translate(getattr(schema, "title", "") or found.title),
                           today=engine().ctx.today(),
                           can_read_person=user.has_role(*PERSON_READERS),
                           can_read_case=user.has_role(*CASE_READERS, *CONSENT_KEEPERS),
                           can_monitor=user.has_role(*MONITORS),
                           following=None if found.status == "open" else next(iter(
                               engine().tasks.tasks(instance_id=found.instance_id,
                                                    roles=lanes(user))), None),
                           ended=moment_in_words(found.ended_at) if found.ended_at else "",
                           urgency=task_urgency(found, engine().ctx.today())), status


NOT_A_FIELD = frozenset({"csrf_token", "revision", "action"})


def _save_draft(task_id: int, user: User) -> Response:
    """What she typed, kept unchecked for her alone; the form checks it on completion."""
    fields = {name: request.form.getlist(name) for name in request.form
              if name not in NOT_A_FIELD}
    try:
        with her_task():
            engine().drafts.save(task_id, user.username, user.roles, fields)
    except ValidationFailed as exc:
        flash(gettext("The draft was not saved: %(why)s",
                      why=" ".join(translate(m) for ms in exc.fields.values() for m in ms)),
              "error")
    except Conflict:
        flash(gettext("This task is no longer open: the draft was not kept."), "error")
    else:
        flash(gettext("Your draft is saved. Only you see it; it is checked when you complete "
                      "the task."), "success")
    return redirect(url_for("worklist.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/draft/discard")
@login_required
def discard_draft(task_id: int) -> Response:
    own_task(task_id)
    engine().drafts.discard(task_id, acting_user().username)
    flash(gettext("Your draft was discarded."), "success")
    return redirect(url_for("worklist.task", task_id=task_id))


def _next_for(user: User, done: TaskView) -> str:
    """Her next task of the same case if there is one, else her worklist."""
    following = engine().tasks.tasks(instance_id=done.instance_id, roles=lanes(user))
    if following:
        return url_for("worklist.task", task_id=following[0].id)
    return url_for("worklist.tasks")


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int) -> Response:
    own_task(task_id)
    _act(lambda: engine().tasks.claim(task_id, acting_user().username),
         gettext("Claimed."))
    return redirect(url_for("worklist.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int) -> Response:
    task = own_task(task_id)
    if task.assignee != acting_user().username:
        abort(403)  # someone else's claim is hers to give up
    _act(lambda: engine().tasks.unclaim(task_id, acting_user().username),
         gettext("Released."))
    return redirect(url_for("worklist.task", task_id=task_id))


def _act(action: Any, done: str) -> None:
    try:
        action()
    except EngineError as exc:
        flash(exc.message, "error")
    else:
        flash(done, "success")


@bp.get("/inbox")
@login_required
def inbox() -> str:
    unread_only = request.args.get("unread") == "1"
    user = acting_user()
    items = engine().inbox.inbox(user.username, unread=unread_only)
    return render_template("inbox.html", items=items, unread_only=unread_only,
                           reads_cases=user.has_role(*CASE_READERS))


@bp.post("/inbox/read")
@login_required
def mark_read() -> Response:
    """Mark the ticked notices read; all of them only with the button that says so.

    Nothing ticked marks nothing: a click on the wrong button must not clear her inbox.
    """
    if request.form.get("all") == "1":
        engine().inbox.mark_read(acting_user().username, None)
        return redirect(url_for("worklist.inbox"))
    ids = [int(i) for i in request.form.getlist("id") if i.isdigit() and int(i) <= MAX_ID]
    if not ids:
        flash(gettext("Tick the notices to mark as read."), "error")
        return redirect(url_for("worklist.inbox"))
    engine().inbox.mark_read(acting_user().username, ids)
    return redirect(url_for("worklist.inbox"))


@bp.app_context_processor
def _unread_notices() -> dict[str, Any]:
    """The count of her unread notices for the navigation, asked only where it is shown."""
    def count() -> int | None:
        try:
            return engine().inbox.unread_count(acting_user().username)
        except SQLAlchemyError:
            return None  # a badge never breaks the page it sits on (a database outage)
    return {"unread_notices": count}
