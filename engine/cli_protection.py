"""``varnapot keys``: the master key that seals every case's data key."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .cli_common import reported
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
