"""``varnapot keys``, ``audit`` and ``case``: the master key, who read what, her rights."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

import click

from .access import AccessView, Reader
from .case_export import to_html
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


@click.group("case")
def case_rights() -> None:
    """Her rights: export, erasure, legal hold and retention (see engine.case_rights)."""


def _operator(name: str | None) -> Reader:
    return Reader(name or getpass.getuser(), ("command line",), "command line")


@case_rights.command("export")
@click.argument("code")
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True)
@click.option("--as", "actor", default=None, help="Who exports, for the access log.")
@click.pass_context
@reported
def case_export(ctx: click.Context, code: str, folder: Path, actor: str | None) -> None:
    """Write CODE.json and CODE.html: everything held about her (readable by you only)."""
    export = engine_of(ctx).rights.export(_operator(actor), code)
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, text in ((".json", json.dumps(export, indent=2, ensure_ascii=False)),
                         (".html", to_html(export))):
        path = folder / f"{code}{suffix}"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
        click.echo(f"wrote {path}")


@case_rights.command("erase")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Confirm: her data can never be read again.")
@click.option("--as", "actor", default=None, help="Who erases, for the history.")
@click.pass_context
@reported
def case_erase(ctx: click.Context, code: str, yes: bool, actor: str | None) -> None:
    """Crypto-erase a case: destroy its key; what stays names only the code."""
    if not yes:
        raise ValueError("erasure cannot be undone: add --yes to confirm")
    cancelled = engine_of(ctx).rights.erase(code, _operator(actor).username)
    click.echo(f"case {code} erased ({cancelled} running procedure(s) cancelled)")


@case_rights.command("hold")
@click.argument("code")
@click.option("--release", is_flag=True, help="Lift the hold.")
@click.option("--as", "actor", default=None)
@click.pass_context
@reported
def case_hold(ctx: click.Context, code: str, release: bool, actor: str | None) -> None:
    """Put a case under a legal hold (no erasure), or lift it."""
    engine_of(ctx).rights.hold(code, not release, _operator(actor).username)
    click.echo(f"case {code}: legal hold {'lifted' if release else 'set'}")


@case_rights.command("retention")
@json_option
@click.pass_context
@reported
def case_retention(ctx: click.Context, as_json: bool) -> None:
    """Closed cases past the jurisdiction's retention period, for review."""
    echo_views(engine_of(ctx).rights.due_for_review(), as_json,
               lambda item: f"{item.case_code:<16} closed {item.closed_on}  review from "
                            f"{item.review_from}" + ("  (legal hold)" if item.legal_hold
                                                     else ""))
