"""The ``varnapot`` command: run the server, migrate, deploy, and drive procedures.

Every listing takes ``--json``. Any error prints one line to stderr and exits non-zero.
"""

from __future__ import annotations

import json
import signal
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from engine import EngineConfig
from engine.errors import BadRequest
from engine.identity.users import MONITORS, PUBLISHERS
from engine.kit.clock import parse_duration
from engine.obligations.inbox import SOURCES
from engine.services import backups
from engine.services.tasks import check_release

from .common import (
    acting_as,
    actor_option,
    echo_views,
    engine_of,
    json_data,
    json_option,
    reader_as,
    reported,
    settle_memory,
    worker_on,
)
from .migration import migrate
from .people import inbox, mail, users
from .product import with_procedures
from .protection import audit, case_rights, keys


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Varna pot: protection procedures for victims of trafficking, as BPMN."""
    ctx.obj = None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Web processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads in each web process.")
@click.option("--timer-workers", default=1, show_default=True, type=click.IntRange(0, 16),
              help="`varnapot worker` processes started and stopped with the server "
                   "(0 when they run elsewhere).")
@click.option("--sweep", default=30.0, show_default=True, type=float,
              help="Seconds between the timer workers' safety sweeps.")
@click.option("--timeout", default=60, show_default=True, type=click.IntRange(5, 3600),
              help="Seconds a request may take before its process is replaced.")
@click.option("--log-format", type=click.Choice(["json", "text"]), default="json",
              show_default=True, help="One JSON object per line, or lines for a person.")
@reported
def serve(host: str, port: int, workers: int, threads: int, timer_workers: int,
          sweep: float, timeout: int, log_format: str) -> None:
    """Serve in production: gunicorn web processes and timer workers, stopped together."""
    from web.common.request_log import log_to_stderr

    from .serving import Settings, Supervisor

    if sweep <= 0:
        raise ValueError("--sweep must be more than 0 seconds")
    log_to_stderr(log_format)
    settings = Settings(host=host, port=port, workers=workers, threads=threads,
                        timer_workers=timer_workers, sweep_seconds=sweep, timeout=timeout,
                        log_format=log_format)
    sys.exit(Supervisor(settings).run())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_context
@reported
@click.option("--no-timers", is_flag=True,
              help="Do not fire timers in this process (a `varnapot worker` does).")
def run(ctx: click.Context, host: str, port: int, no_timers: bool) -> None:
    """Start the development server (one process), with timers unless --no-timers."""
    from engine.jobs.scheduler import TimerScheduler
    from web import create_app

    engine = engine_of(ctx)
    if engine.config.production:
        raise BadRequest("`varnapot run` is the development server: in production use "
                         "`varnapot serve`")
    app = create_app(engine=engine)
    scheduler = None if no_timers else TimerScheduler(engine)
    if scheduler is not None:
        app.extensions["varnapot.scheduler"] = scheduler
        scheduler.start()
    try:
        app.run(host=host, port=port)
    finally:
        if scheduler is not None:
            scheduler.shutdown()


@main.command()
@click.option("--sweep", default=30.0, show_default=True, type=float,
              help="Seconds between safety sweeps.")
@click.option("--name", default=None, help="Worker name in the heartbeat table.")
@click.option("--log-format", type=click.Choice(["json", "text"]), default="text",
              show_default=True, help="One JSON object per line, or lines for a person.")
@click.option("--metrics-port", type=click.IntRange(1, 65535), default=None,
              help="Serve this worker's Prometheus metrics on this port (not needed "
                   "under `varnapot serve`, whose /metrics reports its workers).")
@click.pass_context
@reported
def worker(ctx: click.Context, sweep: float, name: str | None, log_format: str,
           metrics_port: int | None) -> None:
    """Fire timers, reminders and escalations until stopped (several may run at once)."""
    from engine.jobs.scheduler import TimerScheduler
    from web.common import metrics
    from web.common.request_log import log_to_stderr

    if sweep <= 0:
        raise ValueError("--sweep must be more than 0 seconds")
    log_to_stderr(log_format)
    engine = engine_of(ctx)
    metrics.watch(engine)
    if metrics_port is not None:
        metrics.serve_worker_metrics(engine, metrics_port)
    scheduler = TimerScheduler(engine, name=name, sweep_seconds=sweep, blocking=True,
                               on_fired=metrics.observe_firings)
    settle_memory()
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown())
    try:
        scheduler.start()
    except KeyboardInterrupt:
        scheduler.shutdown()


def _timer_line(t: Any) -> str:
    what = t.element_id if t.kind == "bpmn" else f"deadline {t.deadline_id} ({t.offset_days} d)"
    tail = f" attempts={t.attempts} error={t.last_error}" if t.attempts else ""
    return (f"{t.id}\t{t.next_attempt_at.isoformat()}\t{t.status}\t{t.kind}\t{t.case_code}"
            f"\tinstance {t.instance_id}\t{what}{tail}")


@main.command()
@click.option("--due-within", "due_within", default=None,
              help="Only timers due within this span, such as 7d, 12h or 30m.")
@click.option("--status", default="pending", show_default=True,
              help="pending, fired, cancelled, failed or all.")
@click.option("--instance", "instance_id", type=int, default=None)
@json_option
@click.pass_context
@reported
def timers(ctx: click.Context, due_within: str | None, status: str, instance_id: int | None,
           as_json: bool) -> None:
    """List timers, reminders and escalations, the earliest first."""
    span = parse_span(due_within) if due_within else None
    found = engine_of(ctx).timers.timers(due_within=span, instance_id=instance_id,
                                       status=None if status == "all" else status)
    echo_views(found, as_json, _timer_line)


def parse_span(text: str) -> timedelta:
    """``7d``, ``12h``, ``30m`` or ``45s`` (or an ISO duration such as ``P7D``)."""
    if text.upper().startswith("P"):
        return parse_duration(text)
    units = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
    number, unit = text[:-1], text[-1:]
    if unit not in units or not number.isdigit():
        raise ValueError(f"--due-within {text!r}: use a whole number and d, h, m or s, "
                         "such as 7d")
    return timedelta(**{units[unit]: int(number)})


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
@reported
def db_upgrade(ctx: click.Context) -> None:
    """Apply every migration (creates the SQLite file under instance/ on first run)."""
    engine = engine_of(ctx.find_root())
    engine.upgrade_database()
    click.echo("database is up to date")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
@reported
def backup(ctx: click.Context, file: Path) -> None:
    """Copy the database to FILE, with FILE.json: what it holds and the access log's head.

    Keep the master key and the erasure journal apart from it: they are never in a backup.
    """
    manifest = backups.take(engine_of(ctx), file)
    counts = ", ".join(f"{name} {count}" for name, count in manifest["counts"].items())
    click.echo(f"backup written to {file} ({counts})")
    click.echo(manifest["access_log_head"])


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reported
def restore(file: Path) -> None:
    """Load FILE (and FILE.json) into the empty database DATABASE_URL names, upgrade it,
    erase again every case the erasure journal names, and check it is whole."""
    done = backups.bring_back(with_procedures(EngineConfig.from_env()), file)
    counts = ", ".join(f"{name} {count}" for name, count in done.counts.items())
    click.echo(f"restored from {file}: {counts}")
    if done.erased_again:
        click.echo(f"erased again, as the erasure journal says: {', '.join(done.erased_again)}")
    click.echo(f"access log intact; {done.access_head}")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--note", default=None, help="Why: kept with each new version.")
@actor_option
@json_option
@click.pass_context
@reported
def deploy(ctx: click.Context, paths: tuple[str, ...], note: str | None, actor: str | None,
           as_json: bool) -> None:
    """Deploy BPMN files or folders of them."""
    engine = engine_of(ctx)
    by = acting_as(engine, actor, roles=PUBLISHERS)
    results = [r for path in paths
               for r in engine.repository.deploy(path, actor=by, note=note)]
    echo_views(results, as_json, lambda d: f"{d.key} version {d.version}"
           + ("" if d.new_version else " (unchanged)"))
    for result in results:
        for warning in result.warnings:
            click.echo(f"warning: {result.key}: {warning}", err=True)


@main.command()
@click.option("--key", default=None, help="Every version of this key.")
@json_option
@click.pass_context
@reported
def definitions(ctx: click.Context, key: str | None, as_json: bool) -> None:
    """List deployed process definitions."""
    echo_views(engine_of(ctx).repository.definitions(key), as_json,
           lambda d: f"{d.key}\tv{d.version}\t{d.name or ''}")


@main.command()
@click.argument("key")
@click.option("--case", "case_code", required=True, help="Pseudonymous case code.")
@click.option("--data", default=None, help="Initial data as a JSON object.")
@click.option("--jurisdiction", default=None,
              help="For a new case: the code of the jurisdiction it follows (SI).")
@actor_option
@json_option
@click.pass_context
@reported
def start(ctx: click.Context, key: str, case_code: str, data: str | None,
          jurisdiction: str | None, actor: str | None, as_json: bool) -> None:
    """Start a procedure for a case."""
    engine = engine_of(ctx)
    who = acting_as(engine, actor, roles=MONITORS)
    view = engine.runtime.start(key, case_code, json_data(data), actor=who,
                                jurisdiction=jurisdiction)
    echo_views(view, as_json, _instance_line)


@main.command()
@click.argument("name")
@click.option("--case", "case_code", required=True, help="Her case code.")
@click.option("--correlate", multiple=True, metavar="KEY=VALUE",
              help="A variable the waiting procedure must hold with this value (text); "
                   "repeat for more.")
@click.option("--data", default=None, help="Named values as a JSON object.")
@actor_option
@json_option
@click.pass_context
@reported
def message(ctx: click.Context, name: str, case_code: str, correlate: tuple[str, ...],
            data: str | None, actor: str | None, as_json: bool) -> None:
    """Deliver an outside party's message to the procedure of a case that waits for it."""
    engine = engine_of(ctx)
    who = acting_as(engine, actor, roles=(*MONITORS, "legal_adviser", "admin_unit"))
    pairs = {}
    for pair in correlate:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise BadRequest(f"--correlate {pair!r} is not KEY=VALUE")
        pairs[key] = value
    delivery = engine.messages.correlate(name, case_code, correlate=pairs,
                                         data=json_data(data), actor=who)
    echo_views(delivery, as_json, lambda d: (
        f"{d.instance_id}\t{d.process_key}\t{'started' if d.started else 'delivered'}"))


def _instance_line(i: Any) -> str:
    incident = ""
    if i.incident_element:
        incident = f"\tincident at {i.incident_element}: {i.incident_message}"
    return f"{i.id}\t{i.process_key} v{i.version}\t{i.case_code}\t{i.status}{incident}"


def _task_line(t: Any) -> str:
    due = t.due_date.isoformat() if t.due_date else "-"
    if t.legal_date and t.legal_date != t.due_date:
        due += f" (legal date {t.legal_date.isoformat()})"
    return (f"{t.id}\t{t.role}\t{t.title}\tcase {t.case_code}\tinstance {t.instance_id}"
            f"\tdue {due}\t{t.assignee or 'unclaimed'}")


@main.command()
@click.option("--status", default=None)
@click.option("--case", "case_code", default=None)
@json_option
@click.pass_context
@reported
def instances(ctx: click.Context, status: str | None, case_code: str | None,
              as_json: bool) -> None:
    """List process instances."""
    echo_views(engine_of(ctx).runtime.instances(status=status, case_code=case_code), as_json,
           _instance_line)


@main.command()
@click.argument("instance_id", type=int)
@json_option
@click.pass_context
@reported
@click.option("--as", "actor", default=None,
              help="Read as this user: what her roles may read, logged under her name "
                   "(default: everything, logged under your login).")
def show(ctx: click.Context, instance_id: int, as_json: bool, actor: str | None) -> None:
    """Show one instance: status, open tasks, timers and variables (the read is logged)."""
    engine = engine_of(ctx)
    reader, whole = reader_as(engine, actor)
    view = engine.disclosure.instance(reader, instance_id, f"instance {instance_id}",
                                      whole=whole)
    if as_json:
        echo_views(view, True, str)
        return
    click.echo(_instance_line(view))
    click.echo(f"revision {view.revision}, started {view.started_at.isoformat()} "
               f"by {view.started_by}")
    for task in view.open_tasks:
        click.echo(f"  task {_task_line(task)}")
    for timer in view.timers:
        click.echo(f"  timer {timer.element_id} due {timer.due_at.isoformat()}")
    for name, value in sorted(view.variables.items()):
        click.echo(f"  {name} = {json.dumps(value, ensure_ascii=False)}")


@main.command()
@click.option("--role", default=None)
@click.option("--assignee", default=None)
@click.option("--instance", "instance_id", type=int, default=None)
@click.option("--status", default="open", show_default=True)
@json_option
@click.pass_context
@reported
def tasks(ctx: click.Context, role: str | None, assignee: str | None,
          instance_id: int | None, status: str, as_json: bool) -> None:
    """The worklist."""
    echo_views(engine_of(ctx).tasks.tasks(role=role, assignee=assignee, instance_id=instance_id,
                                    status=status), as_json, _task_line)


def _deadline_line(d: Any) -> str:
    when = f"{d.days_left:+d} days" if d.status == "open" else d.status
    return (f"{d.latest_safe_day}  {d.kind:<32} {d.case_code:<16} legal date {d.legal_date}"
            f"  {d.owner_role:<14} {when}")


@main.command()
@click.option("--case", "case_code", default=None)
@click.option("--instance", "instance_id", type=int, default=None)
@click.option("--kind", default=None)
@click.option("--status", default=None, help="open, met, missed or cancelled.")
@click.option("--owner", "owner_role", default=None, help="Role that owns the deadline.")
@click.option("--within", "within_days", type=int, default=None,
              help="Only those whose latest safe day is at most this many days away.")
@json_option
@click.pass_context
@reported
def deadlines(ctx: click.Context, case_code: str | None, instance_id: int | None,
              kind: str | None, status: str | None, owner_role: str | None,
              within_days: int | None, as_json: bool) -> None:
    """Legal deadlines, soonest latest safe day first."""
    echo_views(engine_of(ctx).deadlines.deadlines(
        case_code=case_code, instance_id=instance_id, kind=kind, status=status,
        owner_role=owner_role, within_days=within_days), as_json, _deadline_line)


@main.command()
@click.option("--role", default=None)
@click.option("--instance", "instance_id", type=int, default=None)
@click.option("--source", type=click.Choice(SOURCES), default=None)
@json_option
@click.pass_context
@reported
def notifications(ctx: click.Context, role: str | None, instance_id: int | None,
                  source: str | None, as_json: bool) -> None:
    """Every notice sent to roles; `varnapot inbox` is one user's own view."""
    echo_views(engine_of(ctx).deadlines.notifications(role=role, instance_id=instance_id,
                                                      source=source), as_json,
               lambda n: f"{n.created_at:%Y-%m-%d %H:%M}  {n.role:<14} "
                         f"{n.case_code or '-':<16} {n.subject}")


@main.command()
@click.argument("task_id", type=int)
@click.option("--as", "user", required=True, help="A user holding the task's role.")
@json_option
@click.pass_context
@reported
def claim(ctx: click.Context, task_id: int, user: str, as_json: bool) -> None:
    """Claim a task."""
    engine = engine_of(ctx)
    worker, _ = worker_on(engine, task_id, user)
    echo_views(engine.tasks.claim(task_id, worker.username), as_json, _task_line)


@main.command()
@click.argument("task_id", type=int)
@click.option("--as", "user", required=True, help="The user who claimed the task.")
@json_option
@click.pass_context
@reported
def unclaim(ctx: click.Context, task_id: int, user: str, as_json: bool) -> None:
    """Give a claimed task back to the worklist."""
    engine = engine_of(ctx)
    worker, task = worker_on(engine, task_id, user)
    check_release(task, worker.username)
    echo_views(engine.tasks.unclaim(task_id, worker.username), as_json, _task_line)


@main.command()
@click.argument("task_id", type=int)
@click.option("--as", "user", required=True, help="A user holding the task's role.")
@click.option("--data", required=True, help="The form fields as a JSON object.")
@click.option("--revision", type=int, default=None, help="Fail if the instance moved on.")
@json_option
@click.pass_context
@reported
def complete(ctx: click.Context, task_id: int, user: str, data: str, revision: int | None,
             as_json: bool) -> None:
    """Complete a task with its form data."""
    engine = engine_of(ctx)
    worker = engine.users.acting(user)
    view = engine.tasks.complete(task_id, worker.username, json_data(data), revision=revision,
                                 roles=worker.roles)
    if as_json:
        echo_views(engine.runtime.instance(view.instance_id), True, str)
    else:
        click.echo(f"task {view.id} completed")
        click.echo(_instance_line(engine.runtime.instance(view.instance_id)))


@main.command()
@click.argument("instance_id", type=int)
@json_option
@click.pass_context
@reported
def history(ctx: click.Context, instance_id: int, as_json: bool) -> None:
    """The audit trail of an instance."""
    engine = engine_of(ctx)
    engine.runtime.instance(instance_id)  # not-found for an unknown id
    echo_views(engine.history.events(instance_id=instance_id), as_json,
           lambda e: f"{e.at.isoformat()}\t{e.actor}\t{e.event_type}\t{e.element_id or ''}"
           f"\t{','.join(e.data_keys)}\t{e.detail or ''}")


@main.command()
@click.argument("instance_id", type=int)
@actor_option
@json_option
@click.pass_context
@reported
def retry(ctx: click.Context, instance_id: int, actor: str | None, as_json: bool) -> None:
    """Run a failed step of an instance in incident again."""
    engine = engine_of(ctx)
    who = acting_as(engine, actor, roles=MONITORS)
    echo_views(engine.runtime.retry(instance_id, actor=who), as_json, _instance_line)


@main.command()
@click.argument("instance_id", type=int)
@actor_option
@click.option("--reason", default=None)
@json_option
@click.pass_context
@reported
def cancel(ctx: click.Context, instance_id: int, actor: str | None, reason: str | None,
           as_json: bool) -> None:
    """Cancel an instance."""
    engine = engine_of(ctx)
    who = acting_as(engine, actor, roles=MONITORS)
    echo_views(engine.runtime.cancel(instance_id, actor=who, reason=reason), as_json,
               _instance_line)


@main.command()
@click.argument("instance_id", type=int)
@actor_option
@click.option("--reason", default=None, help="Kept in the instance's history.")
@json_option
@click.pass_context
@reported
def suspend(ctx: click.Context, instance_id: int, actor: str | None, reason: str | None,
            as_json: bool) -> None:
    """Suspend an instance: no task can be completed and no timer fires."""
    engine = engine_of(ctx)
    who = acting_as(engine, actor, roles=MONITORS)
    echo_views(engine.runtime.suspend(instance_id, actor=who, reason=reason), as_json,
               _instance_line)


@main.command()
@click.argument("instance_id", type=int)
@actor_option
@click.option("--reason", default=None, help="Kept in the instance's history.")
@json_option
@click.pass_context
@reported
def resume(ctx: click.Context, instance_id: int, actor: str | None, reason: str | None,
           as_json: bool) -> None:
    """Resume a suspended instance."""
    engine = engine_of(ctx)
    who = acting_as(engine, actor, roles=MONITORS)
    echo_views(engine.runtime.resume(instance_id, actor=who, reason=reason), as_json,
               _instance_line)


@main.command()
@click.option("--advance", "advance", default=None, help="ISO 8601 duration, e.g. P91D.")
@click.option("--set", "moment", default=None, help="ISO 8601 date-time.")
@click.option("--rewind", is_flag=True, help="Allow --set to go back (simulation set-up).")
@click.pass_context
@reported
def clock(ctx: click.Context, advance: str | None, moment: str | None, rewind: bool) -> None:
    """Show the engine clock; with VARNAPOT_CLOCK=manual, move it and fire due timers."""
    engine = engine_of(ctx)
    fired: list[int] = []
    if advance and moment:
        raise ValueError("give --advance or --set, not both")
    if advance:
        fired = engine.advance_clock(parse_duration(advance))
    elif moment:
        fired = engine.set_clock(datetime.fromisoformat(moment), rewind=rewind)
    click.echo(engine.clock.now().isoformat())
    for instance_id in fired:
        click.echo(f"timers fired in instance {instance_id}")


for _command in (users, inbox, mail, keys, audit, case_rights, migrate):
    main.add_command(_command)


if __name__ == "__main__":
    main()
