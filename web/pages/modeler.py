"""The policy analysts' modeler: definitions and versions, the bpmn-js Modeler, upload,
and the comparison of two versions.

Validating and publishing from the editor go through the REST API
(/api/process-definitions/validate and POST /api/process-definitions/), so the browser
and other clients get the same checks. Publishing makes a new version; running instances
stay on the version they started with.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from engine.errors import DeployError, NotFound
from engine.identity.users import PUBLISHERS
from engine.protection.privacy import DIAGRAM_READERS

from ..common.acting import acting_user, engine, roles_required
from ..common.bounds import MAX_DIAGRAM_BYTES

bp = Blueprint("modeler", __name__, url_prefix="/modeler")


@bp.get("/")
@roles_required(*DIAGRAM_READERS)
def definitions() -> str:
    return render_template("definitions.html", definitions=engine().repository.definitions(),
                           can_publish=acting_user().has_role(*PUBLISHERS))


@bp.get("/<key>")
@roles_required(*DIAGRAM_READERS)
def versions(key: str) -> str:
    try:
        found = engine().repository.versions(key)
    except NotFound as exc:
        abort(404, description=exc.message)
    return render_template("versions.html", key=key, versions=found,
                           can_publish=acting_user().has_role(*PUBLISHERS))


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
                           can_publish=acting_user().has_role(*PUBLISHERS))


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
                                              actor=acting_user().username)
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
