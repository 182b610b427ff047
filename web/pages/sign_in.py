"""Sign-in and sign-out pages. Signing out ends every session she has: a copy of the
cookie is worth nothing afterwards (``engine.identity.credentials``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import login_required, login_user, logout_user

from engine.errors import TooManyAttempts, Unauthorized

from ..common.acting import User, acting_user, engine, safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign-in; the address braked is the client's, as ``web.proxies`` finds it."""
    status = 200
    headers: dict[str, str] = {}
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()
        password = request.form.get("password", "")
        try:
            view = engine().credentials.sign_in(username, password, request.remote_addr or "")
        except TooManyAttempts as exc:
            minutes = max(1, -(-exc.retry_after // 60))
            flash(ngettext("Too many failed sign-ins: try again in %(num)d minute.",
                           "Too many failed sign-ins: try again in %(num)d minutes.",
                           minutes), "error")
            status = 429
            headers["Retry-After"] = str(exc.retry_after)
        except Unauthorized:
            flash(gettext("Wrong user name or password."), "error")
            status = 401
        else:
            login_user(User(view, session_id=view.session_id))
            return redirect(safe_next(request.args.get("next")))
    return render_template("login.html"), status, headers


@bp.post("/logout")
@login_required
def logout() -> Any:
    """Ends every session she has, so a copied cookie does not outlive this one."""
    engine().credentials.end_sessions(acting_user().username, by=acting_user().username)
    logout_user()
    return redirect(url_for("auth.login"))
