"""``varnapot keys`` and ``varnapot audit``: the master key, and who read what."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .access import AccessView
from .cli_common import echo_views, engine_of, json_option, reported
from .keys import DEFAULT_KEY_FILE, create_key_file, master_key_from


@click.group()
def keys() -> None:
    """The master key (see engine.keys)."""


@keys.command("create")
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_KEY_FILE, show_default=True)
@click.option("--if-missing", is_flag=True,
              help="Do nothing when a master key is already configured.")
@reported
def keys_create(path: Path, if_missing: bool) -> None:
    """Make a new master key in a file only its owner can read."""
    if if_missing and (os.environ.get("VARNAPOT_MASTER_KEY")
                       or os.environ.get("VARNAPOT_MASTER_KEY_FILE") or path.exists()):
        master_key_from(os.environ)  # a malformed one is reported now, not at start
        click.echo("master key: configured")
        return
    if path.exists():
        raise ValueError(f"{path} exists: a new key would make every sealed case unreadable")
    create_key_file(path)
    click.echo(f"created a new master key in {path} (readable by its owner only).\n"
               "Keep a copy somewhere safe: without it no case's data can be read. "
               "In production give it in VARNAPOT_MASTER_KEY instead.")


@click.group()
def audit() -> None:
    """The access log of personal data (see engine.access)."""


@audit.command("verify")
@click.pass_context
@reported
def audit_verify(ctx: click.Context) -> None:
    """Check that no access event was altered, removed or slipped in."""
    check = engine_of(ctx).access.verify()
    if not check.intact:
        click.echo(f"error: the access log was tampered with: {check.problem}", err=True)
        sys.exit(2)
    click.echo(f"access log intact: {check.events} events; head {check.head}")


@audit.command("access")
@click.option("--case", "case_code", default=None, help="Only the reads of this case.")
@click.option("--limit", default=200, show_default=True, type=int)
@json_option
@click.pass_context
@reported
def audit_access(ctx: click.Context, case_code: str | None, limit: int, as_json: bool) -> None:
    """Who read which personal data, newest first."""
    echo_views(engine_of(ctx).access.events(case_code=case_code, limit=limit), as_json,
               _access_line)


def _access_line(event: AccessView) -> str:
    return (f"{event.id:>6}  {event.at:%Y-%m-%d %H:%M}  {event.outcome:<8} "
            f"{event.case_code:<16} {event.username:<16} {event.what}  "
            f"[{', '.join(event.fields)}]  from {event.source}")
