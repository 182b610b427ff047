"""What every ``varnapot`` command shares: the engine, error reporting and printing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

import click

from . import EngineConfig, ProcessEngine
from .errors import EngineError
from .views import View


def engine_of(ctx: click.Context) -> ProcessEngine:
    """The command's engine, made on first use and closed (its connections too) with it."""
    if ctx.obj is None:
        ctx.obj = ProcessEngine(EngineConfig.from_env())
        ctx.call_on_close(ctx.obj.close)
    return ctx.obj


def reported(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn engine and input errors into one line on stderr and exit status 1."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EngineError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except (ValueError, OSError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return run


def json_data(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--data is not valid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(value, dict):
        raise ValueError("--data must be a JSON object")
    return value


def echo_views(items: View | Iterable[View], as_json: bool,
           line: Callable[[Any], str]) -> None:
    if isinstance(items, View):
        if as_json:
            click.echo(json.dumps(items.to_dict(), indent=2, ensure_ascii=False))
        else:
            click.echo(line(items))
        return
    items = list(items)
    if as_json:
        click.echo(json.dumps([i.to_dict() for i in items], indent=2, ensure_ascii=False))
    else:
        for item in items:
            click.echo(line(item))


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
