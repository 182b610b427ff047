"""The API's blueprint: JSON bodies read strictly, and every error answer documented.

webargs reads a body that is not JSON as no body at all, so a form post or a typo in the
content type used to pass for an empty, valid change. Here a body is JSON or refused:
415 for another content type, 400 for malformed JSON or JSON nested deeper than any
form needs (which would otherwise exhaust the interpreter's stack, here or later).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

import flask
from flask_smorest import Blueprint, abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

F = TypeVar("F", bound=Callable[..., Any])

MAX_DEPTH = 32
"""Objects and lists within each other; a form's data is two or three deep."""

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def json_body(data: bytes) -> Any:
    """The parsed body, or a 400 that says what is wrong with it."""
    try:
        found = json.loads(data)
    except RecursionError:
        abort(400, message=f"the JSON body is nested deeper than {MAX_DEPTH} levels")
    except (ValueError, UnicodeDecodeError):
        abort(400, message="the body is not well-formed JSON")
    if _depth(found) > MAX_DEPTH:
        abort(400, message=f"the JSON body is nested deeper than {MAX_DEPTH} levels")
    return found


def _depth(value: Any) -> int:
    """How deeply lists and objects nest, counted without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            pending.extend((inner, level + 1) for inner in item)
    return deepest


def read_json(req: flask.Request) -> Any:
    """The request's JSON body, ``missing`` when it has none; 415 or 400 if unreadable."""
    data = req.get_data(cache=True)
    if not data:
        return core.missing  # no body: the schema's defaults and required fields speak
    if not is_json_request(req):
        abort(415, message="send the body as JSON, with Content-Type: application/json")
    return json_body(data)


class JsonBodyParser(FlaskParser):
    """webargs' parser, refusing a body that is not JSON instead of reading it as none."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        return read_json(req)


class ApiBlueprint(Blueprint):  # type: ignore[misc]
    """A flask-smorest blueprint whose operations document every error they can answer.

    Each operation lists its own refusals with :meth:`errors`; those every operation of
    the API shares are added here: 401 (each needs a user), 400 for a change (a missing
    CSRF token with a session cookie), and 400, 413 and 415 where a JSON body is read.
    Each refers to one of the status responses flask-smorest registers with our error
    schema.
    """

    ARGUMENTS_PARSER = JsonBodyParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_errors_doc)

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        """A query or path the schema refuses is a bad request (400), its fields named;
        a body it refuses is data the operation cannot take (422)."""
        if location in ("query", "path", "headers"):
            kwargs.setdefault("error_status_code", 400)
        return super().arguments(schema, location=location, **kwargs)

    @staticmethod
    def errors(*statuses: int) -> Callable[[F], F]:
        """Document the error statuses an operation answers besides the shared ones."""

        def decorate(view: F) -> F:
            doc = getattr(view, "_apidoc", {})
            listed = [*doc.get("errors", []), *statuses]
            view._apidoc = {**doc, "errors": listed}  # type: ignore[attr-defined]
            return view

        return decorate

    @staticmethod
    def _prepare_errors_doc(doc: dict[str, Any], doc_info: dict[str, Any], *,
                            method: str, **_: Any) -> dict[str, Any]:
        statuses = {401, *doc_info.get("errors", [])}
        if method.upper() in BODY_METHODS:
            statuses.add(400)
        parameters = doc_info.get("arguments", {}).get("parameters", [])
        if any(p.get("in") == "json" for p in parameters):
            statuses.update((400, 413, 415))
        responses = doc.setdefault("responses", {})
        for status in sorted(statuses):
            if status not in responses and str(status) not in responses:
                responses[status] = HTTPStatus(status).name  # a registered response
        return doc
