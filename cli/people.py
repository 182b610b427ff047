"""``varnapot users``, ``varnapot inbox`` and ``varnapot mail``: who is told, and how."""

from __future__ import annotations

import click

from engine.identity.credentials import generate_password
from engine.identity.password_policy import check_password, personal_words
from engine.identity.users import USER_ROLES
from engine.obligations.inbox import SOURCES
from engine.obligations.mail import EMAIL_STATUSES
from engine.views import EmailView, InboxItem, UserView

from .common import echo_views, engine_of, json_option, reported


def _user_line(user: UserView) -> str:
    state = "" if user.active else "  (deactivated)"
    return f"{user.username:<20} {', '.join(user.roles):<40} {user.email or '-'}{state}"


def _inbox_line(item: InboxItem) -> str:
    mark = "*" if item.unread else " "
    return (f"{mark} {item.id:>6}  {item.created_at:%Y-%m-%d %H:%M}  {item.source:<10} "
            f"{item.case_code or '-':<16} {item.subject}")


def _email_line(email: EmailView) -> str:
    when = email.sent_at or email.next_attempt_at
    error = f"  ({email.last_error})" if email.last_error and email.status != "sent" else ""
    return (f"{email.id:>6}  {email.status:<8} {when:%Y-%m-%d %H:%M}  {email.username:<16} "
            f"{email.subject}{error}")


@click.group()
def users() -> None:
    """The people who use Varna pot and the roles they hold."""


@users.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(USER_ROLES), help="Repeat for each role she holds.")
@click.option("--email", default=None, help="Where her notifications are e-mailed.")
@click.option("--name", "display_name", default=None, help="Her name as others see it.")
@click.option("--password", "password_mode", flag_value="prompt", default=None,
              help="Ask for her password (typed twice, not shown).")
@click.option("--generate-password", "password_mode", flag_value="generate",
              help="Make a random password and print it once.")
@json_option
@click.pass_context
@reported
def users_add(ctx: click.Context, username: str, roles: tuple[str, ...], email: str | None,
              display_name: str | None, password_mode: str | None, as_json: bool) -> None:
    """Add a user with one or more roles; with a password she can sign in."""
    engine = engine_of(ctx.find_root())
    password = _new_password(password_mode, username, display_name)
    if password is not None:  # refused before she is added, not after
        check_password(password, personal_words(username, display_name))
    view = engine.users.add(username, roles, email=email, display_name=display_name, by="cli")
    if password is not None:
        engine.credentials.set_password(username, password, by="cli")
    echo_views(view, as_json, _user_line)
    if password_mode == "generate":
        click.echo(f"password for {username}: {password}  (shown once)", err=True)


@users.command("password")
@click.argument("username")
@click.option("--generate", is_flag=True, help="Make a random password and print it once.")
@click.pass_context
@reported
def users_password(ctx: click.Context, username: str, generate: bool) -> None:
    """Set a user's password."""
    engine = engine_of(ctx.find_root())
    password = _new_password("generate" if generate else "prompt", username,
                             engine.users.get(username).display_name)
    assert password is not None
    engine.credentials.set_password(username, password, by="cli")
    click.echo(f"password for {username}: {password}  (shown once)" if generate
               else f"password for {username} set")


@users.command("token")
@click.argument("username")
@click.option("--label", default="api", help="What the token is for, to recognise it later.")
@click.option("--revoke", is_flag=True, help="Revoke all her tokens instead.")
@click.pass_context
@reported
def users_token(ctx: click.Context, username: str, label: str, revoke: bool) -> None:
    """Make a bearer token for the REST API (shown once), or revoke her tokens."""
    credentials = engine_of(ctx.find_root()).credentials
    if revoke:
        count = credentials.revoke_tokens(username, by="cli")
        click.echo(f"{count} token(s) of {username} revoked")
        return
    made = credentials.create_token(username, label, by="cli")
    click.echo(made.token)
    click.echo(f"bearer token for {username} ({label}); it is shown only this once",
               err=True)


@users.command("demo")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True,
              help="Where the server will answer, to say where to sign in.")
@click.pass_context
@reported
def users_demo(ctx: click.Context, url: str) -> None:
    """Add one demo user per role (demo-<role>) and print their passwords once, framed, so
    they stand out at the end of `make run`'s output.

    Users that exist already are left alone, so running it again prints nothing new.
    """
    engine = engine_of(ctx.find_root())
    existing = {u.username for u in engine.users.users()}
    made = []
    for role in USER_ROLES:
        username = f"demo-{role.replace('_', '-')}"
        if username in existing:
            continue
        display_name = f"Demo {role.replace('_', ' ')}"
        engine.users.add(username, [role], display_name=display_name, by="cli")
        password = generate_password(username, display_name)
        engine.credentials.set_password(username, password, by="cli")
        made.append((username, role, password))
    if not made:
        click.echo(f"Demo users exist already: sign in at {url} (a new password: "
                   "`varnapot users password demo-coordinator --generate`).")
        return
    lines = [f"Open {url} and sign in as demo-coordinator to start.",
             "Demo users; their passwords are shown only this once:", ""]
    lines += [f"  {username:<24} {role:<16} {password}" for username, role, password in made]
    width = max(len(line) for line in lines)
    click.echo("+" + "-" * (width + 2) + "+")
    for line in lines:
        click.echo(f"| {line:<{width}} |")
    click.echo("+" + "-" * (width + 2) + "+")


def _new_password(mode: str | None, *names: str | None) -> str | None:
    if mode == "generate":
        return generate_password(*names)
    if mode == "prompt":
        return str(click.prompt("password", hide_input=True, confirmation_prompt=True))
    return None


@users.command("list")
@click.option("--role", default=None, type=click.Choice(USER_ROLES))
@json_option
@click.pass_context
@reported
def users_list(ctx: click.Context, role: str | None, as_json: bool) -> None:
    """List users, with their roles and e-mail."""
    echo_views(engine_of(ctx.find_root()).users.users(role=role), as_json, _user_line)


@users.command("update")
@click.argument("username")
@click.option("--role", "roles", multiple=True, type=click.Choice(USER_ROLES),
              help="Replaces her roles; repeat for each.")
@click.option("--email", default=None, help="A new address; an empty string removes it.")
@click.option("--active/--inactive", default=None,
              help="An inactive user gets no notifications and cannot act.")
@json_option
@click.pass_context
@reported
def users_update(ctx: click.Context, username: str, roles: tuple[str, ...],
                 email: str | None, active: bool | None, as_json: bool) -> None:
    """Change a user's roles, e-mail or whether she is active."""
    echo_views(engine_of(ctx.find_root()).users.update(
        username, roles=roles or None, email=email, active=active, by="cli"),
        as_json, _user_line)


@click.group()
def inbox() -> None:
    """A user's notifications: reminders, escalations and notices of the procedures."""


@inbox.command("list")
@click.option("--user", "username", required=True)
@click.option("--unread", is_flag=True, help="Only those she has not read.")
@click.option("--source", type=click.Choice(SOURCES), default=None)
@click.option("--limit", type=int, default=100, show_default=True)
@json_option
@click.pass_context
@reported
def inbox_list(ctx: click.Context, username: str, unread: bool, source: str | None,
               limit: int, as_json: bool) -> None:
    """Her notifications, newest first; * marks the unread."""
    echo_views(engine_of(ctx.find_root()).inbox.inbox(username, unread=unread, source=source,
                                                      limit=limit), as_json, _inbox_line)


@inbox.command("read")
@click.argument("notification_ids", nargs=-1, type=int)
@click.option("--user", "username", required=True)
@click.option("--all", "every", is_flag=True, help="Every unread notification.")
@click.pass_context
@reported
def inbox_read(ctx: click.Context, notification_ids: tuple[int, ...], username: str,
               every: bool) -> None:
    """Mark notifications read."""
    if every == bool(notification_ids):
        raise ValueError("give notification ids or --all, not both or neither")
    changed = engine_of(ctx.find_root()).inbox.mark_read(
        username, None if every else notification_ids)
    click.echo(f"{changed} marked read")


@inbox.command("unread")
@click.argument("notification_ids", nargs=-1, type=int, required=True)
@click.option("--user", "username", required=True)
@click.pass_context
@reported
def inbox_unread(ctx: click.Context, notification_ids: tuple[int, ...], username: str) -> None:
    """Mark notifications unread again."""
    changed = engine_of(ctx.find_root()).inbox.mark_unread(username, notification_ids)
    click.echo(f"{changed} marked unread")


@click.group()
def mail() -> None:
    """E-mail of notifications (VARNAPOT_SMTP_URL)."""


@mail.command("outbox")
@click.option("--status", type=click.Choice(EMAIL_STATUSES), default=None)
@json_option
@click.pass_context
@reported
def mail_outbox(ctx: click.Context, status: str | None, as_json: bool) -> None:
    """Queued, sent and failed messages, newest first."""
    echo_views(engine_of(ctx.find_root()).mail.outbox(status=status), as_json, _email_line)


@mail.command("send")
@click.pass_context
@reported
def mail_send(ctx: click.Context) -> None:
    """Send the queued messages that are due now (the worker does this on every sweep)."""
    engine = engine_of(ctx.find_root())
    if not engine.mail.enabled:
        raise ValueError("e-mail is off: set VARNAPOT_SMTP_URL")
    click.echo(f"{len(engine.mail.deliver_pending(worker='cli'))} sent")


@mail.command("test")
@click.argument("address")
@click.pass_context
@reported
def mail_test(ctx: click.Context, address: str) -> None:
    """Send one test message to ADDRESS, to check the SMTP settings."""
    engine_of(ctx.find_root()).mail.send_test(address)
    click.echo(f"sent to {address}")
