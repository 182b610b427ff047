"""What every ``varnapot`` command shares: the engine, error reporting and printing."""

from __future__ import annotations

import gc
import getpass
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from functools import wraps
from typing import Any

import click

from engine import EngineConfig, ProcessEngine
from engine.errors import EngineError, Forbidden
from engine.protection.access import Reader
from engine.views import TaskView, UserView, View

from .product import with_procedures

SOURCE = "command line"


def engine_of(ctx: click.Context) -> ProcessEngine:
    """The command's engine, made on first use and closed (its connections too) with it."""
    if ctx.obj is None:
        ctx.obj = ProcessEngine(with_procedures(EngineConfig.from_env()))
        ctx.call_on_close(ctx.obj.close)
    return ctx.obj


def settle_memory() -> None:
    """Keep the garbage collector off what a long-running process built to serve.

    The engine, the application and the modules live as long as the process, yet each
    full collection of the cyclic collector walks every one of them again: in a web
    process that is a pause of tens of milliseconds, in the middle of someone's request,
    every few hundred completions. Frozen after start-up, they are left out of every
    collection; what requests allocate is collected as before.
    """
    gc.collect()
    gc.freeze()


def acting_as(engine: ProcessEngine, name: str | None, default: str = "system",
              roles: Sequence[str] = ()) -> str:
    """Who the command acts as, for the history: ``--as`` names an existing, active user
    holding one of ``roles`` when given, as the API asks (else one line and exit status
    1, nothing done); without it, ``default``: the operator at the server."""
    if name is None:
        return default
    user = engine.users.acting(name)
    if roles and not set(roles) & set(user.roles):
        raise Forbidden(f"user {user.username!r} may not do this: it needs one of the "
                        f"roles {', '.join(roles)}")
    return user.username


def reader_as(engine: ProcessEngine, name: str | None) -> tuple[Reader, bool]:
    """Who reads, for the access log, and whether she is shown everything.

    ``--as`` reads as that user, as the API would: what her roles may read, logged under
    her name and roles. Without it the operator at the server reads everything (she holds
    the master key anyway), logged under her login.
    """
    if name is None:
        return Reader(getpass.getuser(), (SOURCE,), SOURCE), True
    user = engine.users.acting(name)
    return Reader(user.username, tuple(user.roles), SOURCE), False


def worker_on(engine: ProcessEngine, task_id: int, name: str) -> tuple[UserView, TaskView]:
    """The user ``--as`` names and the task, if it is work of her roles: the rule of the
    pages and the API."""
    user = engine.users.acting(name)
    return user, engine.tasks.own_task(task_id, user.roles)


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
actor_option = click.option(
    "--as", "actor", default=None,
    help="Who acts, for the history: an existing, active user (default: system).")
"""``--as`` of the commands that change a procedure; checked by :func:`acting_as`."""
