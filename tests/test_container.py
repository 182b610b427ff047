"""The container image and the compose file, checked as far as a machine without a
container engine can: the Dockerfile passes hadolint, every command the image and the
compose services run is one the command line accepts, with options it knows, and the
settings they pass are the ones the code reads."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(found).exists():
        pytest.fail("hadolint is not installed: it comes with `pip install -e '.[dev]'`")
    return found


def accepts(command: list[str]) -> None:
    """``varnapot ...`` parses: each (sub)command exists and every option is known and
    valid, as click would check it before running anything (no group takes options of
    its own, so the first word after a group names its subcommand)."""
    assert command[0] == "varnapot", command
    found: click.Command = main
    ctx = click.Context(main, info_name="varnapot")
    words = command[1:]
    while isinstance(found, click.Group):
        if not words:
            raise click.UsageError(f"{command}: a command is missing")
        sub = found.get_command(ctx, words[0])
        if sub is None:
            raise click.UsageError(f"{command}: no command {words[0]!r}")
        ctx = click.Context(sub, info_name=words[0], parent=ctx)
        found, words = sub, words[1:]
    found.make_context(ctx.info_name, words, parent=ctx.parent)


def test_a_command_the_cli_does_not_know_is_caught():
    with pytest.raises(click.UsageError):
        accepts(["varnapot", "serve", "--no-such-option"])
    with pytest.raises(click.UsageError):
        accepts(["varnapot", "db", "downgrade"])


def test_the_dockerfile_passes_hadolint():
    done = subprocess.run([hadolint(), "--no-color", str(ROOT / "Dockerfile")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_builds_its_assets_and_runs_the_commands_the_tests_run():
    assert "RUN make assets" in DOCKERFILE
    dry = subprocess.run(["make", "-n", "assets"], cwd=ROOT, capture_output=True, text=True,
                         check=False)
    assert dry.returncode == 0, dry.stderr
    assert "pip install --no-cache-dir ." in DOCKERFILE
    assert re.search(r"^USER 10001:10001$", DOCKERFILE, re.M)  # not root
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M).group(1))
    accepts(cmd)
    assert cmd[cmd.index("--timer-workers") + 1] == "0"  # timers in the worker service


def test_every_compose_service_runs_a_command_the_cli_knows():
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "migrate", "web", "worker"}
    for name in ("migrate", "web", "worker"):
        command = services[name]["command"]
        if command[:2] == ["sh", "-c"]:
            for part in command[2].split("&&"):
                accepts(shlex.split(part))
        else:
            accepts(command)
    assert services["worker"]["command"][:2] == ["varnapot", "worker"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == \
        "service_completed_successfully"
    assert set(COMPOSE["secrets"]) == {"master_key", "secret_key"}


def test_the_settings_the_image_passes_are_the_ones_the_code_reads():
    passed = set(re.findall(r"\b(VARNAPOT_[A-Z_]+)=", DOCKERFILE))
    assert {"VARNAPOT_MASTER_KEY_FILE", "VARNAPOT_SECRET_KEY_FILE", "VARNAPOT_ENV",
            "VARNAPOT_ERASURE_JOURNAL", "VARNAPOT_TRAINING_DIR"} <= passed
    code = "\n".join(p.read_text(encoding="utf-8") for folder in ("engine", "web", "cli")
                     for p in (ROOT / folder).rglob("*.py"))
    assert all(f'"{name}"' in code for name in passed), passed
    environment = COMPOSE["x-varnapot"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql+psycopg://")
