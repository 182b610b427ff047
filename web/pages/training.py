"""/training: the trainer's workspaces, and the trainee's way in, home and tests.

The trainer (role ``trainer``, signed in live) opens a workspace on a scripted case,
moves its groups' clocks, injects its events and reads the debrief and the report. A
trainee joins with the workspace's code under a pseudonym, in a group and a role; from
then on her browser plays her group's case (``web.common.training``) until she leaves.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from engine.errors import BadRequest, Conflict, NotFound, ValidationFailed
from engine.identity.users import TRAINER
from engine.training import debrief, report

from ..common.acting import User, acting_user, roles_required
from ..common.training import enter, leave, playing, training

bp = Blueprint("training", __name__, url_prefix="/training")


def _trainer_only() -> None:
    """A trainee playing a case is never the trainer, even in the trainer's browser."""
    if playing() is not None:
        abort(403)


@bp.route("/", methods=["GET", "POST"])
@roles_required(TRAINER)
def workspaces() -> Any:
    _trainer_only()
    service = training()
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            groups = int(request.form.get("groups", ""))
        except ValueError:
            groups = 0
        try:
            opened = service.open_workspace(request.form.get("name", ""),
                                            request.form.get("case", ""), groups,
                                            trainer=acting_user().username)
        except ValidationFailed as exc:
            problems = exc.fields
        else:
            return redirect(url_for("training.workspace", workspace_id=opened.id))
    return render_template("training_workspaces.html", workspaces=service.workspaces(),
                           scripts=service.scripts(), problems=problems,
                           form=request.form), 422 if problems else 200


@bp.get("/<int:workspace_id>")
@roles_required(TRAINER)
def workspace(workspace_id: int) -> str:
    service = training()
    found = _workspace(workspace_id)
    return render_template("training_workspace.html", workspace=found,
                           script=service.script_of(found))


@bp.post("/<int:workspace_id>/clock")
@roles_required(TRAINER)
def clock(workspace_id: int) -> Response:
    _workspace(workspace_id)
    try:
        training().move_clock(workspace_id, _number("days"), _group())
    except (BadRequest, NotFound) as exc:
        flash(exc.message, "error")
    return redirect(url_for("training.workspace", workspace_id=workspace_id))


@bp.post("/<int:workspace_id>/events")
@roles_required(TRAINER)
def inject(workspace_id: int) -> Response:
    _workspace(workspace_id)
    try:
        training().inject(workspace_id, request.form.get("event", ""), _group())
    except (Conflict, NotFound, ValidationFailed) as exc:
        flash(exc.message, "error")
    else:
        flash(gettext("The event was injected."), "info")
    return redirect(url_for("training.workspace", workspace_id=workspace_id))


@bp.get("/<int:workspace_id>/debrief")
@roles_required(TRAINER)
def debriefing(workspace_id: int) -> str:
    _workspace(workspace_id)
    return render_template("training_debrief.html",
                           debrief=debrief(training(), workspace_id))


@bp.get("/<int:workspace_id>/report")
@roles_required(TRAINER)
def results(workspace_id: int) -> str:
    _workspace(workspace_id)
    return render_template("training_report.html", report=report(training(), workspace_id),
                           sectors=training().questions().sectors)


def _workspace(workspace_id: int) -> Any:
    """The workspace a trainer runs: refused while this browser plays a case, not found
    when there is none."""
    _trainer_only()
    try:
        return training().workspace(workspace_id)
    except NotFound:
        abort(404)


def _number(name: str) -> int:
    text = request.form.get(name, "")
    return int(text) if text.isdigit() else 0


def _group() -> int | None:
    text = request.form.get("group", "all")
    return int(text) if text.isdigit() else None


# --- the trainee's side ----------------------------------------------------------------

@bp.route("/join", methods=["GET", "POST"])
def join() -> Any:
    """Join a training: no live account is needed, and a live session is left."""
    service = training()
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            joined, password = service.join(
                request.form.get("code", ""), request.form.get("pseudonym", ""),
                _number("group"), request.form.get("role", ""),
                request.form.get("sector", ""))
        except ValidationFailed as exc:
            problems = exc.fields
        else:
            if current_user.is_authenticated:
                leave()
            enter(joined.workspace, joined.group)
            view = service.group_engine(joined.workspace, joined.group).credentials.sign_in(
                joined.username, password, request.remote_addr or "")
            login_user(User(view, session_id=view.session_id))
            return redirect(url_for("training.home"))
    return render_template("training_join.html", problems=problems, form=request.form,
                           roles=_script_roles(), sectors=service.questions().sectors), \
        422 if problems else 200


def _script_roles() -> list[str]:
    roles: list[str] = []
    for script in training().scripts().values():
        roles += [r for r in script.roles if r not in roles]
    return roles


@bp.get("/home")
def home() -> Any:
    place = playing()
    if place is None or not current_user.is_authenticated:
        return redirect(url_for("training.join"))
    service = training()
    workspace = service.workspace(place["workspace"])
    script = service.script_of(workspace)
    group = next(g for g in workspace.groups if g.number == place["group"])
    day = (group.clock - script.starts).days
    return render_template("training_home.html", workspace=workspace, script=script,
                           known=script.known_on(day),
                           trainee=service.trainee(workspace.id, acting_user().username),
                           taken=service.taken(workspace.id, acting_user().username))


@bp.route("/test/<any(pre, post):test>", methods=["GET", "POST"])
def test(test: str) -> Any:
    place = playing()
    if place is None or not current_user.is_authenticated:
        return redirect(url_for("training.join"))
    service = training()
    bank = service.questions()
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        chosen = {q.id: int(request.form[q.id]) for q in bank.questions
                  if request.form.get(q.id, "").isdigit()}
        try:
            right = service.answer(place["workspace"], acting_user().username, test, chosen)
        except ValidationFailed as exc:
            problems = exc.fields
        except Conflict as exc:
            flash(exc.message, "error")
            return redirect(url_for("training.home"))
        else:
            flash(gettext("Your answers were stored: %(right)d of %(all)d right.",
                          right=right, all=len(bank.questions)), "info")
            return redirect(url_for("training.home"))
    return render_template("training_test.html", test=test, bank=bank, problems=problems,
                           form=request.form), 422 if problems else 200


@bp.post("/leave")
def leave_training() -> Response:
    leave()
    return redirect(url_for("auth.login"))
