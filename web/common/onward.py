"""A page of a long list read onward (engine.store.keyset): the rows it shows, the link
to the page after its last row and, once past the first, the link back to the first; a
link it did not give reads the first page.

A list is read one row beyond the page: that row only says a next page exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import url_for
from flask_babel import gettext

from engine.errors import BadRequest

Row = TypeVar("Row")
Read = TypeVar("Read")


@dataclass(frozen=True)
class Onward(Generic[Row]):
    rows: Sequence[Row]
    next_url: str | None
    first_url: str | None


def onward(read: Sequence[Row], size: int, cursor: Callable[[Row], str], endpoint: str,
           args: Mapping[str, Any], after: str | None) -> Onward[Row]:
    """``read``: up to ``size + 1`` rows after ``after``; ``args``: the list's filters
    and sort, which both links keep."""
    following = cursor(read[size - 1]) if len(read) > size else None
    return Onward(read[:size],
                  url_for(endpoint, **args, after=following) if following else None,
                  url_for(endpoint, **args) if after else None)


def read_after(read: Callable[[str | None], Read], after: str | None
               ) -> tuple[Read, str | None, str | None]:
    """What ``read`` gives after the cursor ``after``, the cursor it went on from, and
    what the page says when ``after`` is no cursor this list gave (its first page then)."""
    if after is None:
        return read(None), None, None
    try:
        return read(after), after, None
    except BadRequest:
        return read(None), None, gettext(
            "That page link is not one this list gave: here is its first page.")
