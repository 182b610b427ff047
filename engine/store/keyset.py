"""Keyset paging: the next page of a list starts after the last row of the one before.

A page read by OFFSET counts past every row before it, so the 400th page of a list costs
400 pages; and a row added or closed between two pages shifts the rest, so one is
skipped or shown twice. A page read *after a row's sort values* is found in the sort's
index at once and goes on exactly where the reader left off, however long the list.

The values travel as an opaque cursor (base64 of a small JSON list, tagged with the
list's sort): one that no list gave, or that another sort gave, is refused with a clear
error rather than read as something else.

A long list's count stops at a cap (:func:`count_of`): ten years of history make
an exact count cost more than the page it numbers.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import CompoundSelect, Select, and_, false, func, or_, select
from sqlalchemy.sql import ColumnElement

from engine.errors import BadRequest
from engine.protection.plain_text import broken_text_fields

_READERS = {"str": str, "int": int, "date": date.fromisoformat,
            "datetime": datetime.fromisoformat}


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order, undated and empty values last in either direction."""

    column: Any
    kind: str = "int"
    """How its value is written in a cursor: ``str``, ``int``, ``date`` or ``datetime``."""
    descending: bool = False
    nullable: bool = False

    def order(self) -> Any:
        ordered = self.column.desc() if self.descending else self.column.asc()
        return ordered.nulls_last() if self.nullable else ordered

    def beyond(self, value: Any) -> ColumnElement[bool]:
        """Rows this column puts after ``value``: nothing comes after an empty value."""
        if value is None:
            return false()
        later = self.column < value if self.descending else self.column > value
        return or_(later, self.column.is_(None)) if self.nullable else later

    def level(self, value: Any) -> ColumnElement[bool]:
        return self.column.is_(None) if value is None else self.column == value


def ordering(keys: Sequence[SortKey]) -> list[Any]:
    """The ORDER BY of ``keys``; the last key must make the order total (an id)."""
    return [key.order() for key in keys]


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows that come after the row with ``values`` in the order of ``keys``."""
    alternatives, level = [], []
    for key, value in zip(keys, values, strict=True):
        alternatives.append(and_(*level, key.beyond(value)))
        level.append(key.level(value))
    return or_(*alternatives)


def continuing(cursor: str, offset: int, tag: str,
               keys: Sequence[SortKey]) -> ColumnElement[bool]:
    """The rows after the one ``cursor`` names, in the list sorted as ``tag`` says by
    ``keys``. A cursor goes on where the page before ended, so an offset beside it is
    refused, as is a cursor this list did not give."""
    if offset:
        raise BadRequest("a cursor goes on where the page before ended: "
                         "give it without an offset")
    return after(keys, read_cursor(cursor, tag, keys))


def count_of(rows: Select[Any] | CompoundSelect, cap: int | None = None) -> Select[Any]:
    """A query counting ``rows``; with ``cap``, counting stops after ``cap + 1`` (more
    than ``cap``)."""
    if cap is not None:
        rows = rows.limit(cap + 1)
    return select(func.count()).select_from(rows.subquery())


def write_cursor(tag: str, values: Sequence[Any]) -> str:
    """The cursor of a row with ``values``, for the list sorted as ``tag`` says."""
    plain = [v.isoformat() if isinstance(v, date | datetime) else v for v in values]
    text = json.dumps([tag, *plain], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def read_cursor(text: str, tag: str, keys: Sequence[SortKey]) -> tuple[Any, ...]:
    """The values a cursor of this list, sorted as ``tag`` says, carries; BadRequest
    for anything else."""
    refused = BadRequest(f"{text[:40]!r} is not a cursor of this list as it is sorted: "
                         "start again from its first page")
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error):
        raise refused from None
    if not isinstance(raw, list) or len(raw) != len(keys) + 1 or raw[0] != tag \
            or broken_text_fields(raw):  # a NUL, say, which no row's value holds
        raise refused
    values = []
    for key, value in zip(keys, raw[1:], strict=True):
        if value is None and key.nullable:
            values.append(None)
            continue
        expected = int if key.kind == "int" else str
        if isinstance(value, bool) or not isinstance(value, expected):
            raise refused
        try:
            values.append(_READERS[key.kind](value))
        except ValueError:
            raise refused from None
    return tuple(values)
