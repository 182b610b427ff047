"""Every API error as JSON ``{"error", "message", "fields"}``, never HTML or a trace."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_smorest import Api
from flask_wtf.csrf import CSRFError
from marshmallow import Schema
from marshmallow import fields as schema_fields
from werkzeug.exceptions import HTTPException

from engine.errors import DeployError, EngineError, TooManyAttempts, ValidationFailed

LOCATIONS = ("json", "query", "form", "files", "headers", "cookies")

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "too_large",
         415: "unsupported_media_type", 422: "validation_failed", 429: "too_many_attempts",
         500: "internal_error"}


def problem(status: int, message: str, fields: dict[str, Any] | None = None,
            error: str | None = None) -> Any:
    response = jsonify(error=error or CODES.get(status, "error"), message=message,
                       fields=fields or {})
    response.status_code = status
    return response


def is_api() -> bool:
    return request.path.startswith("/api/")


class ErrorSchema(Schema):
    """The body of every error answer, as :func:`problem` writes it; for the document."""

    error = schema_fields.String(required=True, metadata={
        "description": "What went wrong, as a code: not_found, validation_failed, "
                       "conflict, method_not_allowed..."})
    message = schema_fields.String(required=True,
                                   metadata={"description": "The same in a sentence."})
    fields_ = schema_fields.Dict(required=True, data_key="fields", attribute="fields", metadata={
        "description": "The messages for each field refused, by its name; else empty."})


class VarnaApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, whose handler of HTTP errors (it takes them app-wide)
    answers API requests with our JSON and pages with a page.

    Each operation documents the errors it answers (``ApiBlueprint.errors``), each with
    :class:`ErrorSchema`; there is no catch-all ``default`` response to hide a stray one.
    """

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error: HTTPException) -> Any:
        if is_api():
            return _http_problem(error)
        status = error.code or 500
        heading, message = PAGES.get(status, (error.name, error.description or ""))
        page, _ = _page_error(status, heading, message)
        return page, status, _headers_of(error)


PAGES = {
    400: (lazy_gettext("Not understood"), lazy_gettext(
        "The request could not be understood. Go back, reload the page and try again.")),
    401: (lazy_gettext("Sign in"), lazy_gettext("Sign in to continue.")),
    403: (lazy_gettext("Not for your roles"), lazy_gettext(
        "This belongs to other roles than yours. If you should have access, ask an "
        "administrator.")),
    404: (lazy_gettext("Not found"), lazy_gettext(
        "There is nothing here: the address may be mistyped, or the item was removed.")),
    405: (lazy_gettext("Not allowed"), lazy_gettext(
        "This address does not accept that kind of request.")),
    410: (lazy_gettext("Erased"), lazy_gettext(
        "This case was erased at her request or at the end of its retention: its data "
        "can no longer be read by anyone.")),
    413: (lazy_gettext("Too large"), lazy_gettext(
        "What you sent is larger than this site accepts.")),
    500: (lazy_gettext("Something went wrong"), lazy_gettext(
        "The server could not finish this. Try again in a moment; if it keeps happening, "
        "tell an administrator.")),
}
"""The pages' words for an HTTP error, in her language; the API's stay English."""


def init_app(app: Flask) -> None:
    @app.errorhandler(EngineError)
    def engine_error(exc: EngineError) -> Any:
        if not is_api():
            raise exc  # the pages' own handlers
        fields = exc.fields if isinstance(exc, ValidationFailed) else None
        if isinstance(exc, DeployError):
            fields = {}
            for found in exc.problems:
                fields.setdefault(found.element_id or "_diagram", []).append(found.message)
        response = problem(exc.http_status, exc.message, fields, exc.code)
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Any:
        if is_api():
            return problem(400, "the CSRF token is missing or wrong; send the page's token "
                           "in an X-CSRFToken header, or use a bearer token",
                           error="csrf_failed")
        return _page_error(400, gettext("The form expired"),
                           gettext("Reload the page and send it again."))


def _http_problem(exc: HTTPException) -> Any:
    """flask-smorest's errors (webargs' 422 included) in our shape."""
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    fields = data.get("messages", {})
    if isinstance(fields, dict) and len(fields) == 1 and next(iter(fields)) in LOCATIONS:
        fields = next(iter(fields.values()))  # the fields, not where webargs found them
    message = data.get("message") or (
        "invalid input" if status == 422 or (status == 400 and fields) else exc.description)
    if status == 401:
        message = "sign in, or send a bearer token"
    if status == 403:
        message = "your roles do not allow this"
    response = problem(status, message, fields if isinstance(fields, dict) else {})
    response.headers.extend(_headers_of(exc))
    return response


def _headers_of(exc: HTTPException) -> list[tuple[str, str]]:
    """The headers the error carries besides its body's type: a 405's ``Allow``, above all."""
    return [(name, value) for name, value in exc.get_headers()
            if name.lower() != "content-type"]


def _page_error(status: int, heading: str, message: str) -> Any:
    return render_template("error.html", code=status, heading=heading,
                           message=message), status
