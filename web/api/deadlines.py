"""/api/deadlines: the legal deadlines as JSON, and as an iCalendar feed to subscribe to.

The feed is read by calendar apps, which cannot send a header: it takes the user's
calendar token in the URL (``/api/deadlines.ics?token=...``). That token opens the feed
and nothing else, and an API token does not open the feed (``web.auth``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from flask_babel import gettext
from flask_login import login_required
from flask_smorest import abort
from icalendar import Calendar, Event
from marshmallow import fields, validate

from engine.obligations.deadlines import deadline_cursor
from engine.views import DeadlineView

from ..common.acting import acting_user, engine
from ..common.bounds import MAX_DAYS, whole
from ..common.i18n import term
from ..common.procedure_texts import translate
from ..common.recorded import day_in_words
from ..common.role_labels import role_of
from ..common.urgency import DEADLINE_OVERSEERS, owned_roles
from .blueprint import ApiBlueprint
from .paging import CursorQuery, onward
from .schemas import DeadlineSchema

blp = ApiBlueprint("deadlines_api", __name__, url_prefix="/api",
                   description="Legal deadlines, by latest safe day.")

FEED_LIMIT = 1000


class DeadlineQuerySchema(CursorQuery):
    kind = fields.String()
    case = fields.String(metadata={"description": "A case code."})
    within_days = whole(0, MAX_DAYS)
    missed = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


def visible_deadlines(*, limit: int, offset: int = 0, after: str | None = None,
                      **filters: Any) -> list[DeadlineView]:
    """Deadlines she may see: all for legal advisers and coordinators, else her roles'."""
    return engine().deadlines.tracker(**filters, owner_roles=owned_roles(acting_user()),
                                      limit=limit, offset=offset, after=after)


@blp.route("/deadlines")
class Deadlines(MethodView):
    decorators = [login_required]

    @blp.arguments(DeadlineQuerySchema, location="query")
    @blp.response(200, DeadlineSchema(many=True))
    @blp.errors(422)
    def get(self, query: dict[str, Any]) -> list[DeadlineView]:
        """Deadlines still to act on (or missed), the latest safe day first."""
        listed = visible_deadlines(
            kind=query.get("kind"), case_code=query.get("case"),
            within_days=query.get("within_days"), missed=query["missed"],
            limit=query["limit"], offset=query["offset"], after=query.get("after"))
        return onward(listed, query["limit"], deadline_cursor, "deadlines_api.Deadlines")


@blp.route("/deadlines/<int:deadline_id>/acknowledge")
class Acknowledge(MethodView):
    decorators = [login_required]

    @blp.response(200, DeadlineSchema)
    @blp.errors(403, 404, 409)
    def post(self, deadline_id: int) -> DeadlineView:
        """Take note of a missed deadline: it leaves the missed list (legal advisers,
        coordinators); 409 if it is not missed or was acknowledged already."""
        if not acting_user().has_role(*DEADLINE_OVERSEERS):
            abort(403)
        return engine().deadlines.acknowledge(deadline_id, acting_user().username)


@blp.route("/deadlines.ics")
class CalendarFeed(MethodView):
    decorators = [login_required]

    @blp.doc(parameters=[{"in": "query", "name": "token", "schema": {"type": "string"},
                          "description": "Your calendar token, from \"Create my calendar "
                                         "address\" (calendar apps send no headers)."}],
             responses={"200": {"description": "An iCalendar file",
                                "content": {"text/calendar": {}}}})
    def get(self) -> Response:
        """Your deadlines as an iCalendar feed: one all-day event on each latest safe day."""
        listed = visible_deadlines(limit=FEED_LIMIT)
        body = calendar(listed, engine().clock.now())
        return Response(body, mimetype="text/calendar",
                        headers={"Content-Disposition": 'inline; filename="deadlines.ics"'})


def calendar(deadlines: list[DeadlineView], now: datetime) -> bytes:
    """The feed in its reader's language: a stable UID per deadline, so a moved safe day
    moves the event."""
    feed = Calendar()
    feed.add("prodid", "-//Varna pot//legal deadlines//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", gettext("Varna pot: legal deadlines"))
    feed.add("refresh-interval;value=duration", "PT1H")
    for deadline in deadlines:
        event = Event()
        event.add("uid", f"deadline-{deadline.id}@varnapot")
        event.add("dtstamp", now)
        event.add("dtstart", deadline.latest_safe_day)
        event.add("dtend", deadline.latest_safe_day + timedelta(days=1))
        event.add("summary", f"{translate(deadline.title)} - {deadline.case_code}")
        kind = term(deadline.kind, "kind") + (f" ({deadline.ref})" if deadline.ref else "")
        lines = [
            gettext("Legal date: %(day)s", day=day_in_words(deadline.legal_date)),
            gettext("Latest safe day: %(day)s", day=day_in_words(deadline.latest_safe_day)),
            gettext("Kind: %(kind)s", kind=kind),
            gettext("Case: %(code)s", code=deadline.case_code),
            gettext("Owner: %(role)s", role=role_of(deadline.owner_role, deadline.case_code)),
            gettext("Status: %(status)s", status=term(deadline.status, "deadline")),
        ]
        if deadline.unconfirmed_basis:
            lines.append(gettext("Legal basis to be confirmed: %(keys)s",
                                 keys=", ".join(deadline.unconfirmed_basis)))
        event.add("description", "\n".join(lines))
        event.add("url", url_for("monitor.case", code=deadline.case_code, _external=True))
        event.add("categories", [deadline.kind])
        feed.add_component(event)
    return feed.to_ical()
