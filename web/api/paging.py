"""Cursor paging for the API's long lists: a full page links to the next.

The next page is named by the cursor of the last row (``after``), never by an offset,
so a client walking a long list never slows down and never skips or repeats a row when
rows change between pages (engine.store.keyset). A page shorter than asked is the last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import request, url_for
from marshmallow import Schema, fields, validate

from ..common.bounds import whole

Row = TypeVar("Row")


class CursorQuery(Schema):
    """The paging fields of a long list's query, which each list's query extends."""

    offset = whole(load_default=0, metadata={
        "description": "Rows to skip; prefer `after`, which a long list does not slow."})
    after = fields.String(validate=validate.Length(max=200), metadata={
        "description": "Continue after this cursor: the `next` link of the page before "
                       "(the `Link` header) carries it."})


def onward(listed: Sequence[Row], limit: int, cursor: Callable[[Row], str],
           endpoint: str) -> Any:
    """The page, with a ``Link: <...>; rel="next"`` header when it is full: the same
    query, its offset dropped, going on after the page's last row."""
    if len(listed) < limit:
        return listed
    following = {**request.args.to_dict(), "after": cursor(listed[-1])}
    following.pop("offset", None)
    return listed, 200, {"Link": f'<{url_for(endpoint, **following)}>; rel="next"'}
