"""The policy analysts' modeler: definitions and versions, the bpmn-js Modeler, upload,
and the comparison of two versions.

Validating and publishing from the editor go through the REST API
(/api/process-definitions/validate and POST /api/process-definitions/), so the browser
and other clients get the same checks. Publishing makes a new version; running instances
stay on the version they started with.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from engine.errors import Conflict, DeployError, NotFound, ValidationFailed
from engine.identity.users import MIGRATORS, PUBLISHERS
from engine.protection.privacy import DIAGRAM_READERS
from engine.views import MigrationView

from ..common.acting import acting_user, engine, roles_required
from ..common.bounds import MAX_DIAGRAM_BYTES

bp = Blueprint("modeler", __name__, url_prefix="/modeler")


def N_(text: str) -> str:  # noqa: N802 - the name babel's extraction looks for
    """Mark ``text`` for the catalogue; it is translated where it is shown."""
    return text


PANEL_WORDS = (
    # The properties panel's own words (bpmn-js-properties-panel writes them in English).
    N_("General"), N_("Name"), N_("ID"), N_("Documentation"), N_("Element documentation"),
    N_("Process documentation"), N_("Executable"), N_("Version tag"), N_("Message"),
    N_("Global message reference"), N_("Signal"), N_("Global signal reference"),
    N_("<none>"), N_("Create new ..."), N_("Select an element to edit its properties."),
    N_("Multiple elements are selected. Select a single element to edit its properties."),
    # Ours: web/assets/modeler.
    N_("How this engine runs it"), N_("Role"), N_("Who does the user tasks of this lane."),
    N_("Form"), N_("Legal deadline"), N_("(none: a due date below, or none)"),
    N_("The task is due on this deadline's legal date."), N_("Due date"),
    N_("An expression over the process data, such as add_days(decided_on, 3)."),
    N_("Start form"), N_("The form that checks the data the procedure starts with."),
    N_("Handler"), N_("What the engine does at this step."), N_("Condition"),
    N_("Taken when this holds, such as permit_decision == 'granted'."),
    N_("The default flow: taken when no other condition holds."),
    N_("Called procedure"), N_("Decision table"), N_("(none)"), N_("{name} (not known here)"),
    N_("Timer"), N_("Type"), N_("Value"), N_("Date"), N_("Duration"), N_("Cycle"),
    N_("A date (2026-03-01) or an expression naming one, such as permit_renewal_warning_at."),
    N_("A duration (P3D: three days) or an expression giving one."),
    N_("A repeating interval, at most hourly (R/P1D: every day)."),
)


def panel_words() -> str:
    """The panel's words in the reader's language, as JSON for the page to hand over."""
    return json.dumps({word: gettext(word) for word in PANEL_WORDS}, ensure_ascii=False)


@bp.get("/")
@roles_required(*DIAGRAM_READERS)
def definitions() -> str:
    return render_template("definitions.html", definitions=engine().repository.definitions(),
                           can_publish=acting_user().has_role(*PUBLISHERS))


@bp.get("/<key>")
@roles_required(*DIAGRAM_READERS)
def versions(key: str) -> str:
    return _versions_page(key)


def _versions_page(key: str, *, moves: list[MigrationView] | None = None,
                   refused: ValidationFailed | None = None,
                   asked: dict[str, str] | None = None) -> str:
    try:
        found = engine().repository.versions(key)
    except NotFound as exc:
        abort(404, description=exc.message)
    return render_template("versions.html", key=key, versions=found,
                           can_publish=acting_user().has_role(*PUBLISHERS),
                           can_migrate=acting_user().has_role(*MIGRATORS),
                           moves=moves, refused=refused, asked=asked or {})


@bp.post("/<key>/migration")
@roles_required(*MIGRATORS)
def migrate(key: str) -> Response | tuple[str, int]:
    """Check, or make, the move of a version's running instances to another version.

    The mapping is one ``old_id = new_id`` per line, for elements whose id changed."""
    asked = {name: request.form.get(name, "") for name in ("from", "to", "mapping")}
    try:
        first, target = int(asked["from"]), int(asked["to"])
        mapping = _mapping(asked["mapping"])
        migration = engine().migration
        if request.form.get("action") != "move":
            planned = migration.plan_version(key, first, target, mapping)
            return _versions_page(key, moves=planned, asked=asked), 200
        moved = migration.migrate_version(key, first, target, mapping=mapping,
                                          actor=acting_user().username)
    except ValueError:
        flash(gettext("Choose the version to move from and the version to move to."), "error")
        return redirect(url_for("modeler.versions", key=key))
    except ValidationFailed as exc:
        return _versions_page(key, refused=exc, asked=asked), 422
    except (Conflict, NotFound) as exc:
        flash(exc.message, "error")
        return redirect(url_for("modeler.versions", key=key))
    flash(gettext("Moved %(count)s running instances from version %(first)s to version "
                  "%(target)s.", count=len(moved), first=first, target=target), "success")
    return redirect(url_for("modeler.versions", key=key))


def _mapping(text: str) -> dict[str, str]:
    """``old = new`` per line; a line without ``=`` is refused as the engine would."""
    mapping = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        old, equals, new = line.partition("=")
        if not equals:
            raise ValidationFailed(gettext("Line %(number)s of the mapping is not "
                                           "old_id = new_id.", number=number),
                                   {"mapping": [line[:200]]})
        mapping[old.strip()] = new.strip()
    return mapping


@bp.get("/<key>/<int:version>")
@roles_required(*DIAGRAM_READERS)
def edit(key: str, version: int) -> str:
    try:
        numbers = [v.version for v in engine().repository.versions(key)]
    except NotFound as exc:
        abort(404, description=exc.message)
    if version not in numbers:  # 404 before the page, not inside the editor
        abort(404, description=f"process definition {key!r} has no version {version}")
    latest = numbers[-1]
    return render_template("modeler.html", key=key, version=version, latest=latest,
                           can_publish=acting_user().has_role(*PUBLISHERS),
                           panel_words=panel_words())


@bp.get("/<key>/compare")
@roles_required(*DIAGRAM_READERS)
def compare(key: str) -> tuple[str, int]:
    try:
        versions = engine().repository.versions(key)
    except NotFound as exc:
        abort(404, description=exc.message)
    numbers = [v.version for v in versions]
    first = request.args.get("from", type=int) or (numbers[-2] if len(numbers) > 1 else 1)
    second = request.args.get("to", type=int) or numbers[-1]
    problem = None
    changes = []
    if first not in numbers or second not in numbers:
        problem = gettext("Choose two versions of %(procedure)s between 1 and %(latest)s.",
                          procedure=key, latest=numbers[-1])
    else:
        changes = engine().repository.compare(key, first, second)
    return render_template("compare.html", key=key, numbers=numbers, first=first,
                           second=second, changes=changes, problem=problem), \
        400 if problem else 200


@bp.post("/upload")
@roles_required(*PUBLISHERS)
def upload() -> Response | tuple[str, int]:
    """Publish an uploaded .bpmn file; a refused one shows every problem, nothing stored."""
    upload = request.files.get("file")
    content = upload.read(MAX_DIAGRAM_BYTES + 1) if upload else b""
    name = (upload.filename if upload else None) or "upload.bpmn"
    if not content.strip():
        flash(gettext("Choose a .bpmn file to upload."), "error")
        return redirect(url_for("modeler.definitions"))
    if len(content) > MAX_DIAGRAM_BYTES:
        flash(gettext("A diagram may be at most 2 MiB."), "error")
        return redirect(url_for("modeler.definitions"))
    try:
        deployed = engine().repository.deploy(content, source=name,
                                              actor=acting_user().username,
                                              note=request.form.get("note"))
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return redirect(url_for("modeler.definitions"))
    except DeployError as exc:
        return render_template("definitions.html",
                               definitions=engine().repository.definitions(),
                               can_publish=True, refused=exc), 422
    for result in deployed:
        if result.new_version:
            flash(gettext("Published %(key)s version %(version)s.", key=result.key,
                          version=result.version), "success")
        else:
            flash(gettext("%(key)s: identical to version %(version)s, nothing new.",
                          key=result.key, version=result.version), "success")
        for warning in result.warnings:
            flash(gettext("%(key)s, ignored: %(warning)s", key=result.key,
                          warning=str(warning)), "warning")
    return redirect(url_for("modeler.definitions"))
