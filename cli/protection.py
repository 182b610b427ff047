"""``varnapot keys``, ``audit`` and ``case``: the master key, who read what, her rights."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

import click

from engine import ProcessEngine
from engine.crypto.keys import DEFAULT_KEY_FILE, create_key_file, master_key_from
from engine.protection.access import AccessView, head_line
from engine.protection.case_export import to_html

from .common import acting_as, echo_views, engine_of, json_option, reader_as, reported


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
@click.option("--head", "filed", default=None, metavar="HEAD",
              help="A head printed earlier and filed elsewhere ('access-log-head COUNTS "
                   "HASH' or 'N:HASH'): every lane of the chain must still hold it.")
@click.pass_context
@reported
def audit_verify(ctx: click.Context, filed: str | None) -> None:
    """Check that no access event was altered, removed or slipped in.

    The last line is the head: file it every day where the database's administrators
    cannot write, and give it back with --head to prove the log was not cut back.
    """
    try:
        check = engine_of(ctx).access.verify(filed)
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if not check.intact:
        click.echo(f"error: the access log was tampered with: {check.problem}", err=True)
        sys.exit(2)
    held = " and holds the filed head" if filed else ""
    click.echo(f"access log intact: {check.events} events{held}; head {check.head}")
    click.echo(head_line(check))


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
    """Her rights: export, erasure, legal hold and retention (see engine.case_rights), and
    the transfer of a case to another jurisdiction."""


@case_rights.command("export")
@click.argument("code")
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True)
@click.option("--as", "actor", default=None,
              help="Who exports, for the access log: an existing, active user "
                   "(default: your login).")
@click.pass_context
@reported
def case_export(ctx: click.Context, code: str, folder: Path, actor: str | None) -> None:
    """Write CODE.json and CODE.html: everything held about her (readable by you only)."""
    engine = engine_of(ctx)
    reader, _ = reader_as(engine, actor)
    export = engine.rights.export(reader, code)
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
@click.option("--as", "actor", default=None,
              help="Who erases, for the history: an existing, active user "
                   "(default: your login).")
@click.pass_context
@reported
def case_erase(ctx: click.Context, code: str, yes: bool, actor: str | None) -> None:
    """Crypto-erase a case: destroy its key; what stays names only the code."""
    if not yes:
        raise ValueError("erasure cannot be undone: add --yes to confirm")
    engine = engine_of(ctx)
    cancelled = engine.rights.erase(code, _operator(engine, actor))
    click.echo(f"case {code} erased ({cancelled} running procedure(s) cancelled)")


@case_rights.command("hold")
@click.argument("code")
@click.option("--release", is_flag=True, help="Lift the hold.")
@click.option("--as", "actor", default=None,
              help="Who sets it, for the history: an existing, active user "
                   "(default: your login).")
@click.pass_context
@reported
def case_hold(ctx: click.Context, code: str, release: bool, actor: str | None) -> None:
    """Put a case under a legal hold (no erasure), or lift it."""
    engine = engine_of(ctx)
    engine.rights.hold(code, not release, _operator(engine, actor))
    click.echo(f"case {code}: legal hold {'lifted' if release else 'set'}")


@case_rights.command("transfer")
@click.argument("code")
@click.option("--to", "target", required=True, help="The jurisdiction's code, such as SI.")
@click.option("--reason", required=True, help="Why the case moves; kept in its history.")
@click.option("--as", "actor", default=None,
              help="Who moves it, for the history: an existing, active user "
                   "(default: your login).")
@json_option
@click.pass_context
@reported
def case_transfer(ctx: click.Context, code: str, target: str, reason: str,
                  actor: str | None, as_json: bool) -> None:
    """Move a case to another jurisdiction; its open deadlines are counted again there."""
    engine = engine_of(ctx)
    moved = engine.transfers.transfer(code, target, reason=reason,
                                      actor=_operator(engine, actor))
    echo_views(moved, as_json, lambda m: "\n".join(
        [f"case {m.case_code}: {m.source} -> {m.target}"]
        + [f"  {d.kind}: legal date {d.legal_date}, latest safe day "
           f"{d.latest_safe_day_before} -> {d.latest_safe_day}" for d in m.deadlines]))


def _operator(engine: ProcessEngine, name: str | None) -> str:
    """The user ``--as`` names, checked; else the operator's login."""
    return acting_as(engine, name, default=getpass.getuser())


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
