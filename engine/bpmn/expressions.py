"""The restricted expression language of diagrams.

Gateway conditions, timer expressions and due dates are written by policy analysts in
the browser, so they must never run arbitrary Python. They are evaluated by simpleeval
over the task data plus a short whitelist of functions; imports, dunder attributes,
lambdas and comprehensions are refused both when a diagram is deployed
(:func:`check_expression`) and when an expression runs (:func:`evaluate`).

An expression that is itself an ISO 8601 literal (``P90D``, ``R3/PT1H``,
``2026-05-30T00:00:00+02:00``) stands for that text, as Camunda Modeler writes timers.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import simpleeval


class ExpressionError(Exception):
    """An expression is not allowed or could not be evaluated."""


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _add_days(value: Any, days: int) -> str:
    return (_as_date(value) + timedelta(days=int(days))).isoformat()


def _days_between(start: Any, end: Any) -> int:
    return (_as_date(end) - _as_date(start)).days


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "date": lambda value: _as_date(value).isoformat(),
    "add_days": _add_days,
    "days_between": _days_between,
}
"""Everything a diagram expression may call. Dates travel as ISO strings."""

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.Call,
    ast.Name, ast.Constant, ast.Attribute, ast.Subscript, ast.List, ast.Tuple, ast.Set,
    ast.Dict, ast.IfExp, ast.Load, ast.Slice,
    ast.operator, ast.unaryop, ast.boolop, ast.cmpop,
)
"""No keyword arguments: ``max(items, key=data.update)`` would call any method an
attribute reaches."""

MAX_LENGTH = 2000
"""Characters in one expression: a condition is a line, not a program."""
MAX_DEPTH = 40
"""Nesting of one expression; deeper ones exhaust the parser's stack."""
MAX_ITEMS = 10_000
"""Items in a list or characters in a text an expression may build."""
MAX_EXPONENT = 64
MAX_BASE = 10**9


def _bounded_mult(a: Any, b: Any) -> Any:
    for sequence, times in ((a, b), (b, a)):
        if hasattr(sequence, "__len__") and isinstance(times, int) \
                and times * len(sequence) > MAX_ITEMS:
            raise ExpressionError(f"the expression would build more than {MAX_ITEMS} items")
    return a * b


def _bounded_add(a: Any, b: Any) -> Any:
    if hasattr(a, "__len__") and hasattr(b, "__len__") and len(a) + len(b) > MAX_ITEMS:
        raise ExpressionError(f"the expression would build more than {MAX_ITEMS} items")
    return a + b


def _bounded_power(a: Any, b: Any) -> Any:
    if abs(b) > MAX_EXPONENT or abs(a) > MAX_BASE:
        raise ExpressionError(f"a power is limited to exponents up to {MAX_EXPONENT}")
    return a**b


OPERATORS = {**simpleeval.DEFAULT_OPERATORS, ast.Mult: _bounded_mult, ast.Add: _bounded_add,
             ast.Pow: _bounded_power}

_ISO_LITERAL = re.compile(
    r"^(R\d*/)?P[0-9YMWDTHS.,]+$"                               # durations, cycles
    r"|^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"  # instants
)


def iso_literal(text: str) -> str | None:
    """Return ``text`` stripped when it is a bare ISO 8601 literal, else ``None``."""
    stripped = text.strip()
    return stripped if _ISO_LITERAL.match(stripped) else None


def check_expression(text: str | None) -> str | None:
    """Say what is wrong with an expression without running it; ``None`` when it is fine."""
    if text is None or not text.strip():
        return "the expression is empty"
    if iso_literal(text):
        return None
    if len(text) > MAX_LENGTH:
        return f"the expression is longer than {MAX_LENGTH} characters"
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        return f"the expression does not parse: {exc.msg} in {text.strip()!r}"
    except (RecursionError, MemoryError, ValueError):
        return f"the expression is nested deeper than {MAX_DEPTH} levels"
    if _depth(tree) > MAX_DEPTH:
        return f"the expression is nested deeper than {MAX_DEPTH} levels"
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword):
            return f"keyword arguments are not allowed: {text.strip()!r}"
        if isinstance(node, ast.Dict) and any(
                isinstance(k, ast.Constant) and k.value == "typename" for k in node.keys):
            return "an object may not have a 'typename' key: the engine reserves it"
        if not isinstance(node, _ALLOWED_NODES):
            return f"{type(node).__name__} is not allowed in an expression: {text.strip()!r}"
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return f"names starting with '_' are not allowed: {node.id!r}"
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return f"attributes starting with '_' are not allowed: {node.attr!r}"
        called = isinstance(node, ast.Call) and node.func
        if called and not (isinstance(called, ast.Name) and called.id in FUNCTIONS):
            allowed = ", ".join(sorted(FUNCTIONS))
            return f"only these functions may be called: {allowed}; got {ast.unparse(called)!r}"
    return None


def evaluate(text: str, names: Mapping[str, Any]) -> Any:
    """Evaluate ``text`` over ``names`` with the whitelist; raise :class:`ExpressionError`."""
    literal = iso_literal(text)
    if literal is not None:
        return literal
    problem = check_expression(text)
    if problem:
        raise ExpressionError(problem)
    # simpleeval adds its own constructors to the functions it is given: a copy each time
    evaluator = simpleeval.EvalWithCompoundTypes(names=dict(names), functions=dict(FUNCTIONS),
                                                 operators=OPERATORS)
    try:
        value = evaluator.eval(text.strip())
    except ExpressionError:
        raise
    except simpleeval.NameNotDefined as exc:
        raise ExpressionError(f"{exc.name!r} is not set in the process data") from exc
    except ValueError as exc:  # its message quotes the value, which may be about her
        raise ExpressionError(f"{text.strip()!r} failed: a value could not be "
                              f"converted ({type(exc).__name__})") from exc
    except Exception as exc:
        raise ExpressionError(f"{text.strip()!r} failed: {exc}") from exc
    problem = plain_data_problem(value)
    if problem:
        raise ExpressionError(f"{text.strip()!r} {problem}")
    return value


def plain_data_problem(value: Any) -> str | None:
    """Why ``value`` cannot be process data: data is plain JSON (text, numbers, flags,
    lists, objects with text keys). An object with a ``typename`` key would be rebuilt as
    a class of SpiffWorkflow's when the state is read back, so it is refused too."""
    pending, seen = [value], 0
    while pending:
        item = pending.pop()
        seen += 1
        if seen > MAX_ITEMS:
            return f"gives more than {MAX_ITEMS} values"
        if item is None or isinstance(item, bool | int | float | str):
            continue
        if isinstance(item, list | tuple):
            pending.extend(item)
        elif isinstance(item, dict):
            if "typename" in item:
                return "gives an object with a 'typename' key, which process data may not hold"
            if not all(isinstance(key, str) for key in item):
                return "gives an object whose keys are not all text"
            pending.extend(item.values())
        else:
            return f"gives a {type(item).__name__}, not plain data"
    return None


def _depth(tree: ast.AST) -> int:
    deepest, pending = 0, [(tree, 1)]
    while pending:
        node, level = pending.pop()
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    return deepest
