"""``varnapot migrate``: move running instances to another version of their procedure."""

from __future__ import annotations

from typing import Any

import click

from engine.errors import BadRequest
from engine.identity.users import MIGRATORS

from .common import acting_as, actor_option, echo_views, engine_of, json_option, reported


@click.command()
@click.argument("instance_id", type=int, required=False)
@click.option("--key", default=None, help="Move every running instance of a version of "
                                          "this procedure (with --from).")
@click.option("--from", "from_version", type=int, default=None,
              help="The version whose running instances move (with --key).")
@click.option("--to", "to_version", type=int, required=True, help="The target version.")
@click.option("--map", "mapped", multiple=True, metavar="OLD=NEW",
              help="An element whose id changed, and its id in the target; repeat for more.")
@click.option("--dry-run", is_flag=True, help="Only say what would move.")
@actor_option
@json_option
@click.pass_context
@reported
def migrate(ctx: click.Context, instance_id: int | None, key: str | None,
            from_version: int | None, to_version: int, mapped: tuple[str, ...],
            dry_run: bool, actor: str | None, as_json: bool) -> None:
    """Move one instance (INSTANCE_ID), or every running instance of --key --from, to
    version --to. Refused, with each element named, when one has no counterpart."""
    if (instance_id is None) == (key is None or from_version is None):
        raise BadRequest("give INSTANCE_ID, or --key and --from")
    engine = engine_of(ctx)
    who = acting_as(engine, actor, roles=MIGRATORS)
    mapping = dict(_pair(text) for text in mapped)
    migration = engine.migration
    if instance_id is not None:
        result: Any = migration.plan(instance_id, to_version, mapping) if dry_run else \
            migration.migrate(instance_id, to_version, mapping=mapping, actor=who)
    else:
        assert key is not None and from_version is not None
        result = migration.plan_version(key, from_version, to_version, mapping) if dry_run \
            else migration.migrate_version(key, from_version, to_version, mapping=mapping,
                                           actor=who)
    echo_views(result, as_json, _line)


def _pair(text: str) -> tuple[str, str]:
    old, equals, new = text.partition("=")
    if not equals or not old.strip() or not new.strip():
        raise BadRequest(f"--map {text!r} is not OLD=NEW")
    return old.strip(), new.strip()


def _line(moved: Any) -> str:
    outcome = "moved" if moved.done else ("would move" if not moved.problems else "cannot move")
    line = (f"{moved.instance_id}\t{moved.process_key}\tversion {moved.from_version} -> "
            f"{moved.to_version}\t{outcome}")
    for problem in moved.problems:
        line += f"\n  {problem.element_id}: {problem.message}"
    return line
