"""/statistics: the national referral mechanism's anonymous statistics for a year, as a
printable page and as CSV, in the shape GRETA and Eurostat ask for.

Only counts (``engine.services.referral_statistics``); a suppressed count shows as
"<5" (the jurisdiction's threshold). Policy analysts read these, never a case.
"""

from __future__ import annotations

import csv
import io

from babel import Locale
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale, gettext, lazy_gettext

from engine.errors import BadRequest
from engine.protection.privacy import STATISTICS_READERS
from engine.views import StatisticsView
from forms.identification import EXPLOITATION_FORMS, SECTOR_LABELS

from ..common.acting import acting_user, engine, roles_required
from ..common.procedure_texts import translate

bp = Blueprint("statistics", __name__, url_prefix="/statistics")

TABLES = {
    "identified": lazy_gettext("People identified as victims"),
    "by_sex_and_age": lazy_gettext("Identified, by sex and age group"),
    "by_citizenship": lazy_gettext("Identified, by citizenship"),
    "by_exploitation": lazy_gettext("Identified, by form of exploitation (one person may "
                                    "count in several)"),
    "by_sector": lazy_gettext("Identified, by the sector that identified them"),
    "permitted_stays": lazy_gettext("Permitted stays for recovery and reflection"),
    "permits": lazy_gettext("Temporary residence permits"),
    "returns": lazy_gettext("Assisted voluntary returns"),
}
WORDS = {
    "all": lazy_gettext("all"),
    "adult_female": lazy_gettext("women"), "adult_male": lazy_gettext("men"),
    "adult_not_stated": lazy_gettext("adults, sex not stated"),
    "child_female": lazy_gettext("girls"), "child_male": lazy_gettext("boys"),
    "child_not_stated": lazy_gettext("children, sex not stated"),
    "granted": lazy_gettext("granted"), "extended": lazy_gettext("extended"),
    "refused": lazy_gettext("refused"), "issued": lazy_gettext("issued"),
    "renewed": lazy_gettext("renewed"), "renewal_refused": lazy_gettext("renewal refused"),
    "returned": lazy_gettext("returned"), "not_stated": lazy_gettext("not stated"),
    "XX": lazy_gettext("stateless or not known"),
}


def category_words(table: str, category: str) -> str:
    """A row's words in the reader's language."""
    if table == "by_citizenship" and category != "XX":
        return Locale.parse(str(get_locale())).territories.get(category, category)
    if table == "by_exploitation" and category in EXPLOITATION_FORMS:
        return translate(EXPLOITATION_FORMS[category])
    if table == "by_sector" and category in SECTOR_LABELS:
        return translate(SECTOR_LABELS[category])
    return str(WORDS.get(category, category))


def _year() -> int:
    text = request.args.get("year") or str(engine().ctx.today().year)
    if not text.isdigit():
        abort(400, description=gettext("%(year)s is not a year.", year=text[:10]))
    return int(text)


def _compiled(year: int) -> StatisticsView:
    try:
        return engine().statistics.year(year, actor=acting_user().username)
    except BadRequest as exc:
        abort(400, description=exc.message)


@bp.get("/")
@roles_required(*STATISTICS_READERS)
def referral() -> str:
    year = _year()
    return render_template("statistics.html", stats=_compiled(year), tables=TABLES,
                           words=category_words, this_year=engine().ctx.today().year)


@bp.get("/referral.csv")
@roles_required(*STATISTICS_READERS)
def referral_csv() -> Response:
    """One line per table and row, a column per quarter and the year; a suppressed count
    is written as ``<5`` (the threshold)."""
    year = _year()
    stats = _compiled(year)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "category", *stats.periods])
    for table in stats.tables:
        for row in table.rows:
            writer.writerow([table.key, row.category,
                             *(f"<{stats.threshold}" if c is None else c for c in row.counts)])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="referral-statistics-{year}.csv"'})
