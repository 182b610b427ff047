"""The national referral mechanism's statistics: anonymous counts for a year and its
quarters, in the shape the Council of Europe's GRETA questionnaire and Eurostat's data
collection on trafficking in human beings ask for.

What is counted, and when (each case once per row, in the quarter of its date):

======================  ===============================  ==============================
table                   from                             dated by
======================  ===============================  ==============================
identified (by sex and  identification, outcome victim   ``identified_on``
age group, citizenship,
form of exploitation,
identifying sector)
permitted stays         reflection_period                ``stay_decision_date``;
(granted, refused,                                       an extension by
extended)                                                ``extension_decision_date``
permits (issued,        residence_permit_art50           ``permit_issued_on``,
refused, renewed,                                        ``refused_on``,
renewal refused)                                         ``renewal_decided_on``
returns                 voluntary_return, returned       ``travel_date``
======================  ===============================  ==============================

A person may have been exploited in several forms: each counts, so that table does not
add up to the people identified. A child is one identified as a child (``is_child``).

**Suppression.** A count from 1 to one less than the jurisdiction's ``suppress_below``
is not given (``None``); so that it cannot be worked out from the others, a row with one
quarter suppressed has its next smallest quarter suppressed too, and so does a column
with one category suppressed. No case code, date or free text leaves this module; the
sealed data is opened here and only counts come out. Compiling the statistics is one
audit event, not a read of each case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from engine.context import EngineContext
from engine.crypto.vault import CaseErased
from engine.errors import BadRequest
from engine.kit.dates import stored_date
from engine.store.instances import CANCELLED
from engine.store.models import ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import StatisticsRow, StatisticsTable, StatisticsView

PERIODS = ("Q1", "Q2", "Q3", "Q4", "year")
AGE_GROUPS = ("adult", "child")
SEXES = ("female", "male", "not_stated")
NOT_KNOWN = "XX"

Counted = Iterator[tuple[str, str, date]]
"""(table, category, date) for each thing one instance counts for."""


def _identified(data: Mapping[str, Any]) -> Counted:
    day = stored_date(data.get("identified_on"))
    if data.get("identification_outcome") != "victim" or day is None:
        return
    yield "identified", "all", day
    age = "child" if data.get("is_child") else "adult"
    yield "by_sex_and_age", f"{age}_{data.get('sex') or 'not_stated'}", day
    yield "by_citizenship", str(data.get("citizenship") or NOT_KNOWN), day
    for form in data.get("exploitation_forms") or ["not_stated"]:
        yield "by_exploitation", str(form), day
    yield "by_sector", str(data.get("referring_sector") or "not_stated"), day


def _stays(data: Mapping[str, Any]) -> Counted:
    decided = stored_date(data.get("stay_decision_date"))
    if decided is not None and data.get("stay_decision") in ("granted", "refused"):
        yield "permitted_stays", str(data["stay_decision"]), decided
    extended = stored_date(data.get("extension_decision_date"))
    if extended is not None and data.get("extension_granted"):
        yield "permitted_stays", "extended", extended


def _permits(data: Mapping[str, Any]) -> Counted:
    issued, refused = stored_date(data.get("permit_issued_on")), stored_date(
        data.get("refused_on"))
    if data.get("permit_decision") == "issued" and issued is not None:
        yield "permits", "issued", issued
    if data.get("permit_decision") == "refused" and refused is not None:
        yield "permits", "refused", refused
    renewal = stored_date(data.get("renewal_decided_on"))
    if renewal is not None and data.get("renewal_decision") in ("renewed", "refused"):
        yield "permits", "renewed" if data["renewal_decision"] == "renewed" \
            else "renewal_refused", renewal


def _returns(data: Mapping[str, Any]) -> Counted:
    travelled = stored_date(data.get("travel_date"))
    if data.get("return_outcome") == "returned" and travelled is not None:
        yield "returns", "returned", travelled


SOURCES: dict[str, Callable[[Mapping[str, Any]], Counted]] = {
    "identification": _identified,
    "reflection_period": _stays,
    "residence_permit_art50": _permits,
    "voluntary_return": _returns,
}
TABLES = ("identified", "by_sex_and_age", "by_citizenship", "by_exploitation", "by_sector",
          "permitted_stays", "permits", "returns")
FIXED_ROWS = {
    "identified": ("all",),
    "by_sex_and_age": tuple(f"{age}_{sex}" for age in AGE_GROUPS for sex in SEXES),
    "permitted_stays": ("granted", "extended", "refused"),
    "permits": ("issued", "refused", "renewed", "renewal_refused"),
    "returns": ("returned",),
}
"""Rows shown even at zero: a zero is information; the other tables list what occurred."""


class ReferralStatistics:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def year(self, year: int, *, actor: str = "system") -> StatisticsView:
        """Every table for ``year``, by quarter and in all, suppressed where too small."""
        if not 1900 <= year <= 2999:
            raise BadRequest(f"{year} is not a year these statistics can cover")
        first, last = date(year, 1, 1), date(year, 12, 31)
        counts: dict[str, dict[str, Counter[str]]] = {t: {} for t in TABLES}
        with self.ctx.db.transaction() as session:
            for table, category, day in self._counted(session, first, last):
                if first <= day <= last:
                    quarter = PERIODS[(day.month - 1) // 3]
                    cell = counts[table].setdefault(category, Counter())
                    cell[quarter] += 1
                    cell["year"] += 1
            session.audit("statistics_compiled", actor, detail=f"referral statistics {year}")
        threshold = self.ctx.jurisdiction.suppress_below
        return StatisticsView(
            year=year, jurisdiction=self.ctx.jurisdiction.code, threshold=threshold,
            periods=list(PERIODS),
            tables=[StatisticsTable(key=t, rows=[
                StatisticsRow(category=c, counts=row)
                for c, row in _suppressed(_rows(t, counts[t]), threshold)]) for t in TABLES])

    def _counted(self, session: UnitOfWork, first: date, last: date) -> Counted:
        """What each instance that could fall in the year counts for: started before its
        end, and not ended before its start."""
        zone = self.ctx.timezone
        begins = datetime.combine(first, time(), zone)
        ends = datetime.combine(last, time.max, zone)
        rows = session.execute(
            select(ProcessInstance.process_key, ProcessInstance.case_code,
                   ProcessInstance.variables)
            .where(ProcessInstance.process_key.in_(SOURCES),
                   ProcessInstance.status != CANCELLED,
                   ProcessInstance.started_at <= ends,
                   (ProcessInstance.ended_at.is_(None)) | (ProcessInstance.ended_at >= begins))
            .order_by(ProcessInstance.id)).all()
        self.ctx.vault.prefetch(session, {row.case_code for row in rows})
        for key, code, sealed in rows:
            if not sealed:
                continue
            try:
                data = self.ctx.vault.open(session, code, "variables", sealed)
            except CaseErased:
                continue  # erased: nothing of her is counted any more
            yield from SOURCES[key](data)


def _rows(table: str, found: Mapping[str, Counter[str]]) -> list[tuple[str, list[int]]]:
    categories = list(FIXED_ROWS.get(table, ())) + sorted(set(found) - set(
        FIXED_ROWS.get(table, ())))
    return [(c, [found.get(c, Counter())[p] for p in PERIODS]) for c in categories]


def _suppressed(rows: list[tuple[str, list[int]]],
                threshold: int) -> list[tuple[str, list[int | None]]]:
    raw = [values for _, values in rows]
    cells: list[list[int | None]] = [[None if 0 < v < threshold else v for v in values]
                                     for values in raw]
    for row, values in zip(cells, raw, strict=True):  # one quarter would follow from the year
        second = _second(row[:4], values[:4])
        if second is not None:
            row[second] = None
    for column in range(len(PERIODS)):  # one category would follow from the others
        second = _second([row[column] for row in cells], [v[column] for v in raw])
        if second is not None:
            cells[second][column] = None
    return [(category, row) for (category, _), row in zip(rows, cells, strict=True)]


def _second(shown: list[int | None], raw: list[int]) -> int | None:
    """With exactly one cell suppressed, the smallest other count above zero, to hide too."""
    if sum(1 for s, v in zip(shown, raw, strict=True) if s is None and v) != 1:
        return None
    others = [(v, j) for j, (s, v) in enumerate(zip(shown, raw, strict=True))
              if s is not None and v > 0]
    return min(others)[1] if others else None
