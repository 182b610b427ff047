"""Decision tables (DMN) for policy analysts and coordinators: the list, and each table
shown read-only with dmn-js. A table is published like a diagram (upload a .dmn file on
the procedures page, or POST it to /api/process-definitions/): a new version each time it
changes, and running cases keep the version they started with."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from engine.errors import NotFound
from engine.protection.privacy import DIAGRAM_READERS

from ..common.acting import engine, roles_required

bp = Blueprint("decisions", __name__, url_prefix="/decisions")


@bp.get("/")
@roles_required(*DIAGRAM_READERS)
def decisions() -> str:
    return render_template("decisions.html", decisions=engine().repository.decisions())


@bp.get("/<key>")
@roles_required(*DIAGRAM_READERS)
def decision(key: str) -> str:
    found = [d for d in engine().repository.decisions() if d.key == key]
    if not found:
        abort(404, description=f"decision {key!r} is not deployed")
    return render_template("decision.html", decision=found[0])


@bp.get("/<key>/xml")
@roles_required(*DIAGRAM_READERS)
def decision_xml(key: str) -> Response:
    try:
        xml = engine().repository.decision_xml(key, request.args.get("version", type=int))
    except NotFound as exc:
        abort(404, description=exc.message)
    return Response(xml, mimetype="application/xml")
