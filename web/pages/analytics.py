"""/modeler/<key>/analytics: how a procedure performs, drawn on its diagram.

For analysts and coordinators; only counts and durations (``engine.services.analytics``),
never a case. The heat map colours each element by the measure chosen: how long its
tasks took, how many wait there now, or how many legal deadlines were missed or met late
at it.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_babel import format_decimal, gettext

from engine.errors import NotFound
from engine.protection.privacy import DIAGRAM_READERS
from engine.views import ProcedureStatsView

from ..common.acting import engine, roles_required
from ..common.bounds import clamp_day

bp = Blueprint("analytics", __name__, url_prefix="/modeler")

MEASURES = ("time", "waiting", "missed")
"""What the heat map shows: median hours, tasks waiting now, deadlines missed or late."""


def _day(name: str) -> date | None:
    text = request.args.get(name, "")
    try:
        return clamp_day(date.fromisoformat(text)) if text else None
    except ValueError:
        abort(400, description=gettext("%(day)s is not a date (YYYY-MM-DD).", day=text[:20]))


def heat(stats: ProcedureStatsView, measure: str) -> dict[str, float]:
    """Each element's value for the heat map; elements without one are left out."""
    found: dict[str, float] = {}
    for step in stats.steps:
        value = {"time": step.median_hours, "waiting": step.waiting,
                 "missed": step.deadlines.missed + step.deadlines.met_late}[measure]
        if value:
            found[step.element_id] = value
    return found


@bp.get("/<key>/analytics")
@roles_required(*DIAGRAM_READERS)
def procedure(key: str) -> str:
    try:
        numbers = [v.version for v in engine().repository.versions(key)]
    except NotFound as exc:
        abort(404, description=exc.message)
    version = request.args.get("version", type=int)
    if version is not None and version not in numbers:
        abort(404, description=gettext("%(procedure)s has no version %(version)s.",
                                       procedure=key, version=version))
    place = request.args.get("jurisdiction") or None
    places = engine().ctx.jurisdiction_codes()
    if place is not None and place not in places:
        abort(400, description=gettext("%(code)s is not a jurisdiction of this "
                                       "deployment.", code=place[:20]))
    measure = request.args.get("measure", "time")
    if measure not in MEASURES:
        measure = "time"
    since, until = _day("since"), _day("until")
    stats = engine().analytics.procedure(key, version=version, since=since, until=until,
                                         jurisdiction=place)
    return render_template(
        "analytics.html", key=key, numbers=numbers, stats=stats, measure=measure,
        shown_version=version or numbers[-1], jurisdictions=places,
        heat=json.dumps({element: {"value": value, "text": _shown(value, measure)}
                         for element, value in heat(stats, measure).items()})
        .replace("<", "\\u003c"),  # inside <script>: no tag may close it
        completed_rows=[(m.month, m.completed) for m in stats.months],
        deadline_rows=[(m.month, m.deadlines.met, m.deadlines.met_late, m.deadlines.missed)
                       for m in stats.months])


@bp.app_template_filter("hours")
def hours(value: float | None) -> str:
    """A duration in hours as a person reads it: hours up to two days, then days."""
    if value is None:
        return "–"
    if value < 48:
        return gettext("%(hours)s h", hours=format_decimal(round(value, 1)))
    return gettext("%(days)s d", days=format_decimal(round(value / 24, 1)))


def _shown(value: float, measure: str) -> str:
    return hours(value) if measure == "time" else format_decimal(value)
