"""The legal advisers' deadline tracker: every legal deadline still to act on.

Sorted by the latest safe day (the last working day on which acting is still in time),
coloured by how close it is. Legal advisers, coordinators and admins see every deadline;
any other actor sees the deadlines her roles own.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_number, gettext, ngettext
from flask_login import login_required

from engine.errors import Conflict, NotFound
from engine.identity.credentials import CALENDAR
from engine.obligations.deadlines import deadline_cursor
from engine.protection.plain_text import broken_text_fields

from ..common.acting import acting_user, engine, roles_required
from ..common.bounds import COUNT_CAP, MAX_DAYS
from ..common.onward import onward, read_after
from ..common.procedure_texts import translate
from ..common.urgency import DEADLINE_OVERSEERS, deadline_urgency, owned_roles

bp = Blueprint("deadlines", __name__, url_prefix="/deadlines")

PAGE_SIZE = 100


def tracker_filters(args: Any) -> tuple[dict[str, Any], list[str]]:
    """The tracker's filters from a query string, and a message for each bad one."""
    problems: list[str] = []
    filters: dict[str, Any] = {"kind": args.get("kind") or None,
                               "case_code": (args.get("case") or "").strip() or None,
                               "missed": args.get("missed") == "1"}
    if broken_text_fields([filters["kind"], filters["case_code"]]):
        problems.append(gettext("A filter holds a character that cannot be searched for."))
        filters["kind"] = filters["case_code"] = None
    within = (args.get("within") or "").strip()
    if within:
        if within.isdigit():
            filters["within_days"] = min(int(within), MAX_DAYS)  # beyond: the same rows
        else:
            problems.append(gettext("“Within” is a number of days, for example 30."))
    return filters, problems


@bp.get("/")
@login_required
def tracker() -> tuple[str, int]:
    user = acting_user()
    filters, problems = tracker_filters(request.args)
    roles = owned_roles(user)
    after = request.args.get("after") or None
    service = engine().deadlines
    total = service.count_tracker(**filters, owner_roles=roles, cap=COUNT_CAP)
    listed, after, refused = read_after(lambda cursor: service.tracker(
        **filters, owner_roles=roles, limit=PAGE_SIZE + 1, after=cursor), after)
    if refused:
        problems.append(refused)
    args = {k: v for k, v in request.args.items() if k not in ("page", "after") and v}
    page = onward(listed, PAGE_SIZE, deadline_cursor, "deadlines.tracker", args, after)
    counted = (gettext("more than %(count)s deadlines", count=format_number(COUNT_CAP))
               if total > COUNT_CAP else
               ngettext("%(num)d deadline", "%(num)d deadlines", total))
    return render_template(
        "deadlines.html", deadlines=page.rows, counted=counted,
        kinds=engine().deadlines.kinds(), args=args,
        filters=filters, within=request.args.get("within", ""), problems=problems,
        urgency=deadline_urgency, today=engine().ctx.today(), sees_all=roles is None,
        next_url=page.next_url, first_url=page.first_url,
    ), 400 if problems else 200


@bp.post("/<int:deadline_id>/acknowledge")
@roles_required(*DEADLINE_OVERSEERS)
def acknowledge(deadline_id: int) -> Any:
    """A missed deadline taken note of leaves the missed list; the history keeps it."""
    try:
        done = engine().deadlines.acknowledge(deadline_id, acting_user().username)
    except (Conflict, NotFound):
        flash(gettext("That deadline is not missed, or someone acknowledged it already: "
                      "nothing was changed."), "error")
    else:
        flash(gettext("Acknowledged: %(what)s of case %(case)s has left the list of missed "
                      "deadlines.", what=translate(done.title), case=done.case_code), "success")
    return redirect(url_for("deadlines.tracker", missed="1"))


@bp.post("/calendar")
@login_required
def calendar_link() -> str:
    """A personal iCalendar address, shown once: it carries a token of her own."""
    user = acting_user()
    token = engine().credentials.create_token(user.username, "calendar feed", scope=CALENDAR,
                                              by=user.username).token
    feed = url_for("deadlines_api.CalendarFeed", token=token, _external=True)
    return render_template("calendar_link.html", feed=feed)
