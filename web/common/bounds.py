"""The ranges a number or a day from a request may take, for the pages and the API alike.

Python takes any integer and any day from year 1 to 9999, but the database does not:
ids are 32-bit columns, SQLite refuses integers past 64 bits, and a day near either end
of the calendar overflows once it becomes a moment in a time zone or a period is added
to it. A value outside these ranges is refused (API) or clamped (a page's filter) where
it enters, never left to fail deep inside a query.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from flask import Flask
from marshmallow import fields, validate
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1
"""The largest id of any row (and the largest offset worth asking for)."""

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
"""Far beyond any case, and far enough from the calendar's ends for date arithmetic."""
FIRST_MOMENT = datetime.combine(FIRST_DAY, time(), UTC)
LAST_MOMENT = datetime.combine(LAST_DAY, time(), UTC)

MAX_DAYS = 36_600
"""A hundred years: the longest look ahead a deadline filter needs."""

COUNT_CAP = 10_000
"""The most rows a list counts exactly: past it a page says "more than 10,000", as ten
years of history make an exact count cost more than the page it numbers."""

MAX_DIAGRAM_BYTES = 2 * 1024 * 1024
"""The largest diagram an upload or the API takes: the procedures are a few hundred KiB."""


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` in every route: a number past ``MAX_ID`` matches no row, so 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Before any route is added: the converter is bound when a rule is."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def whole(minimum: int = 0, maximum: int = MAX_ID, **kwargs: Any) -> fields.Integer:
    """An integer argument within the database's range (the document shows the range)."""
    return fields.Integer(validate=validate.Range(minimum, maximum), **kwargs)


def row_id(**kwargs: Any) -> fields.Integer:
    return whole(1, MAX_ID, **kwargs)


def day(**kwargs: Any) -> fields.Date:
    """A calendar day between ``FIRST_DAY`` and ``LAST_DAY``."""
    return fields.Date(validate=validate.Range(FIRST_DAY, LAST_DAY), **kwargs)


def clamp_day(value: date) -> date:
    """A page's date filter: a day beyond the range selects what the range's end does."""
    return min(max(value, FIRST_DAY), LAST_DAY)

