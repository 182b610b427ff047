"""Who is acting: Flask-Login sessions for pages, bearer tokens for the API.

A browser session holds only her user name and session generation; both are checked,
and her roles read again, on every request. Signing out ends every session she has:
a copy of the cookie is worth nothing afterwards (``engine.credentials``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_babel import lazy_gettext
from flask_login import LoginManager, current_user, login_required

from engine import ProcessEngine
from engine.errors import Unauthorized
from engine.identity.bearers import Bearer
from engine.identity.credentials import API, CALENDAR
from engine.protection.access import Reader
from engine.views import UserView

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Sign in to continue.")
login_manager.localize_callback = str  # in her language, when it is flashed

F = TypeVar("F", bound=Callable[..., Any])

CALENDAR_FEED = "/api/deadlines.ics"


class User:
    """The signed-in user as Flask-Login wants her: a view of her account and roles."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, view: UserView, *, session_id: str = "",
                 bearer: Bearer | None = None) -> None:
        self.view = view
        self.session_id = session_id
        self.bearer = bearer
        """The API token she sent, as read (a completion checks it again)."""
        self.by_token = bearer is not None

    def get_id(self) -> str:
        """What her session cookie carries: ``name:generation``, checked on each request."""
        return self.session_id

    @property
    def username(self) -> str:
        return self.view.username

    @property
    def roles(self) -> list[str]:
        return self.view.roles

    def has_role(self, *roles: str) -> bool:
        return any(role in self.view.roles for role in roles)


def engine() -> ProcessEngine:
    """The live engine; in a trainee's training session, her group's engine instead, so
    that every page she opens plays the training's case (``web.common.training``)."""
    if has_request_context() and "training_engine" in g:
        training: ProcessEngine = g.training_engine
        return training
    process_engine: ProcessEngine = current_app.extensions["varnapot"]
    return process_engine


def acting_user() -> User:
    """The signed-in user of this request (pages and API views require one)."""
    return cast(User, current_user._get_current_object())  # type: ignore[attr-defined]


def reader() -> Reader:
    """The signed-in user as the access log names her: user, roles, and address."""
    user = acting_user()
    return Reader(user.username, tuple(user.roles), request.remote_addr or "unknown")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    """The API answers 401 (JSON); a page sends her to sign in and back."""
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    view = engine().credentials.session_user(session_id)
    return User(view, session_id=session_id) if view else None


@login_manager.request_loader
def _load_token_user(req: Any) -> User | None:
    """``Authorization: Bearer <token>`` on API requests; pages use the session only.

    The calendar feed takes a calendar token, in its URL (calendar apps send no headers)
    or its header, and nothing else does: an API token does not open the feed, and a
    calendar token, which lives in calendar apps and URLs, opens nothing but the feed.
    """
    if not req.path.startswith("/api/"):
        return None
    header = req.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    scope = API
    if req.path == CALENDAR_FEED:
        token, scope = req.args.get("token") or token, CALENDAR
    if not token:
        return None
    try:
        bearer = engine().credentials.bearer(token, scope)
        return User(bearer.user, bearer=bearer)
    except Unauthorized:
        return None


def roles_required(*roles: str) -> Callable[[F], F]:
    """The view needs a signed-in user holding one of ``roles`` (403 otherwise)."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not acting_user().has_role(*roles):
                _log_refused_case(kwargs)
                abort(403)
            return view(*args, **kwargs)

        return cast(F, checked)

    return decorate


def _log_refused_case(arguments: dict[str, Any]) -> None:
    """A refused look at one case (by its code or an instance of it) goes in the access
    log, as a granted one does; a refused list or form names no case."""
    what = f"{request.method} {request.path}"
    if isinstance(arguments.get("code"), str):
        engine().disclosure.refused(reader(), what, case_code=arguments["code"])
    elif isinstance(arguments.get("instance_id"), int):
        engine().disclosure.refused(reader(), what, instance_id=arguments["instance_id"])


def safe_next(target: str | None) -> str:
    """Only a path on this site: never send her on to another host after sign-in."""
    if target:
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and "\\" not in target):
            return target
    return url_for("worklist.home")
