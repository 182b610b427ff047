"""The API's blueprint: JSON bodies read strictly.

webargs reads a body that is not JSON as no body at all, so a form post or a typo in the
content type used to pass for an empty, valid change. Here a body is JSON or refused:
415 for another content type, 400 for malformed JSON or JSON nested deeper than any
form needs (which would otherwise exhaust the interpreter's stack, here or later).
"""

from __future__ import annotations

import json
from typing import Any

import flask
from flask_smorest import Blueprint, abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

MAX_DEPTH = 32
"""Objects and lists within each other; a form's data is two or three deep."""


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
    """A flask-smorest blueprint whose operations read their JSON body strictly."""

    ARGUMENTS_PARSER = JsonBodyParser()
