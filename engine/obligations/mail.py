"""E-mail of notifications over SMTP, through an outbox table the timer worker empties.

``VARNAPOT_SMTP_URL`` turns it on::

    smtp://[user[:password]@]host[:port][?from=varnapot@example.org&starttls=true&timeout=10]
    smtps://...   (TLS from the first byte, port 465 by default)

Without it every notice still reaches the in-app inbox; nothing is queued for e-mail.

The unit of work that writes a notification also writes one outbox row per user of the
role who has an address, so a rolled-back unit mails nothing and a committed one is
never forgotten. :meth:`Mailer.deliver_pending` then sends the rows one at a time: claim
(locked, ``SKIP LOCKED`` on PostgreSQL so several workers share the queue), send, mark
sent, commit. Only a worker killed between the server's acceptance and that commit could
send a message twice, and the copy carries the same ``Message-ID`` so mail clients fold
it. A server that is down costs one attempt of one message per sweep, not of the queue.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select

from engine.context import EngineContext
from engine.errors import BadRequest
from engine.identity.users import check_email
from engine.kit.jurisdiction import JurisdictionError
from engine.kit.language import catalogue, translate_in
from engine.kit.roles import ROLES
from engine.kit.texts import translatable
from engine.store.case_jurisdiction import case_jurisdiction
from engine.store.models import Notification, NotificationEmail, UserAccount
from engine.store.unit_of_work import UnitOfWork
from engine.views import EmailView

log = logging.getLogger("varnapot.mail")

PENDING, SENT, FAILED = "pending", "sent", "failed"
EMAIL_STATUSES = (PENDING, SENT, FAILED)
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2))
"""Wait after the 1st, 2nd, 3rd and later failed attempts (engine clock)."""
MAX_ATTEMPTS = 6
SUBJECT_PREFIX = "[Varna pot] "


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    starttls: bool = False
    timeout: float = 10.0

    @property
    def sender_domain(self) -> str:
        return self.sender.rpartition("@")[2] or "varnapot.invalid"


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_smtp_url(url: str) -> SmtpSettings:
    """The settings in ``VARNAPOT_SMTP_URL``; a clear error for anything malformed."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise BadRequest(f"VARNAPOT_SMTP_URL must start with smtp:// or smtps://, "
                         f"not {parts.scheme or url!r}")
    if not parts.hostname:
        raise BadRequest("VARNAPOT_SMTP_URL names no host (smtp://host:port)")
    try:
        port = parts.port
    except ValueError as exc:
        raise BadRequest(f"VARNAPOT_SMTP_URL has a bad port: {exc}") from exc
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(query) - {"from", "starttls", "timeout"}
    if unknown:
        raise BadRequest(f"VARNAPOT_SMTP_URL has an unknown option {sorted(unknown)[0]!r}; "
                         "use from, starttls or timeout")
    starttls = query.get("starttls", "false").lower()
    if starttls not in _TRUE | _FALSE:
        raise BadRequest(f"VARNAPOT_SMTP_URL starttls must be true or false, not {starttls!r}")
    try:
        timeout = float(query.get("timeout", "10"))
    except ValueError:
        raise BadRequest("VARNAPOT_SMTP_URL timeout must be a number of seconds") from None
    sender = query.get("from") or f"varnapot@{parts.hostname}"
    if "@" not in sender or any(c in sender for c in "\r\n<>"):
        raise BadRequest(f"VARNAPOT_SMTP_URL from={sender!r} is not an e-mail address")
    implicit = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname, port=port or (465 if implicit else 25), sender=sender,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit, starttls=starttls in _TRUE, timeout=timeout)


def enqueue(ctx: EngineContext, session: UnitOfWork, notification: Notification,
            recipients: Sequence[UserAccount]) -> None:
    """Queue the e-mail of a notification for each recipient with an address."""
    if ctx.mail is None:
        return
    addressed = [u for u in recipients if u.email]
    if not addressed:
        return
    session.flush()  # the notification's id
    now = ctx.now()
    session.add_all(NotificationEmail(
        notification_id=notification.id, user_id=user.id, address=user.email,
        status=PENDING, attempts=0, next_attempt_at=now, created_at=now)
        for user in addressed)
    session.timer_due(now)  # an in-process scheduler sends it at once


def compose(settings: SmtpSettings, notification: Notification, row: NotificationEmail,
            recipient_name: str, moment: datetime, *, language: str | None = None,
            role_label: str | None = None) -> EmailMessage:
    """The message for one recipient in her language (English when she chose none); its
    Message-ID is the same on every attempt."""
    words = catalogue(language)
    message = _message(settings, formataddr((_one_line(recipient_name), row.address)),
                       translate_in(words, notification.subject), moment)
    message["Message-ID"] = (f"<varnapot.{notification.id}.{row.user_id}"
                             f"@{settings.sender_domain}>")
    message["Auto-Submitted"] = "auto-generated"
    lines = [translate_in(words, notification.body), ""]
    if notification.case_code:
        lines.append(translate_in(words, translatable("Case: {code}"))
                     .format(code=notification.case_code))
    role = translate_in(words, role_label or ROLES.get(notification.role, notification.role))
    lines += [translate_in(words, translatable("Sent to the role: {role}")).format(role=role),
              "", translate_in(words, translatable("This notice is also in your Varna pot "
                                                   "inbox."))]
    message.set_content("\n".join(lines))
    if language:  # after the content: setting it clears the Content- headers
        message["Content-Language"] = language.replace("_", "-")
    return message


def _message(settings: SmtpSettings, to: str, subject: str, moment: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("Varna pot", settings.sender))
    message["To"] = to
    message["Subject"] = SUBJECT_PREFIX + _one_line(subject)
    message["Date"] = format_datetime(moment)
    return message


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Mailer:
    """Sends the outbox; lists it; sends a test message to check the settings."""

    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx
        self.max_attempts = MAX_ATTEMPTS

    @property
    def enabled(self) -> bool:
        return self.ctx.mail is not None

    def deliver_pending(self, *, worker: str = "mail") -> list[int]:
        """Send every message due now; the ids of those the server accepted."""
        settings = self.ctx.mail
        if settings is None:
            return []
        sent: list[int] = []
        connection: smtplib.SMTP | None = None
        try:
            while True:
                with self.ctx.db.transaction() as session:
                    row = self._claim(session)
                    if row is None:
                        break
                    try:
                        connection = connection or self._connect(settings)
                    except (smtplib.SMTPException, OSError) as exc:
                        self._count_failure(session, row, exc, worker, permanent=False)
                        break  # unreachable or refusing us: try again at the next sweep
                    try:
                        self._send(session, connection, settings, row)
                    except (smtplib.SMTPException, OSError) as exc:
                        self._count_failure(session, row, exc, worker,
                                            permanent=_permanent(exc))
                        if not _about_this_message(exc):
                            connection = _close(connection)
                            break
                    else:
                        row.status, row.sent_at = SENT, self.ctx.now()
                        row.attempts += 1
                        session.audit("notification_emailed", worker,
                                       detail=f"notification {row.notification_id} to "
                                              f"user {row.user_id}")
                        sent.append(row.id)
        finally:
            _close(connection)
        if sent:
            log.info("%s notification e-mail(s) sent", len(sent))
        return sent

    def _claim(self, session: UnitOfWork) -> NotificationEmail | None:
        return session.scalar(
            select(NotificationEmail)
            .where(NotificationEmail.status == PENDING,
                   NotificationEmail.next_attempt_at <= self.ctx.now())
            .order_by(NotificationEmail.next_attempt_at, NotificationEmail.id)
            .limit(1).with_for_update(skip_locked=True))

    def _send(self, session: UnitOfWork, connection: smtplib.SMTP, settings: SmtpSettings,
              row: NotificationEmail) -> None:
        notification = session.get(Notification, row.notification_id)
        user = session.get(UserAccount, row.user_id)
        assert notification is not None and user is not None  # cascaded deletes
        label = None
        if notification.case_code:
            try:
                place = case_jurisdiction(self.ctx, session, notification.case_code)
                label = place.role_labels.get(notification.role)
            except JurisdictionError:  # its file left the deployment: the generic label
                pass
        message = compose(settings, notification, row, user.display_name, self.ctx.now(),
                          language=user.language, role_label=label)
        connection.send_message(message, from_addr=settings.sender, to_addrs=[row.address])

    @staticmethod
    def _connect(settings: SmtpSettings) -> smtplib.SMTP:
        if settings.implicit_tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout,
                context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            if settings.starttls:
                connection.starttls(context=ssl.create_default_context())
        if settings.username:
            connection.login(settings.username, settings.password or "")
        return connection

    def _count_failure(self, session: UnitOfWork, row: NotificationEmail, exc: Exception,
                       worker: str, *, permanent: bool) -> None:
        message = str(exc) or type(exc).__name__
        row.attempts += 1
        row.last_error = message[:2000]
        if permanent or row.attempts >= self.max_attempts:
            row.status = FAILED
        else:
            row.next_attempt_at = self.ctx.now() + BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
        log.warning("e-mail %s of notification %s, attempt %s%s: %s", row.id,
                    row.notification_id, row.attempts,
                    " (gave up)" if row.status == FAILED else "", message)
        session.audit("notification_email_failed", worker,
                       detail=f"notification {row.notification_id} to user {row.user_id}, "
                              f"attempt {row.attempts}: {message[:500]}")

    def outbox(self, *, status: str | None = None) -> list[EmailView]:
        """The queued, sent and failed messages, the newest first."""
        if status is not None and status not in EMAIL_STATUSES:
            raise BadRequest(f"unknown e-mail status {status!r}; use one of "
                             f"{', '.join(EMAIL_STATUSES)}")
        query = (select(NotificationEmail, Notification.subject, UserAccount.username)
                 .join(Notification, Notification.id == NotificationEmail.notification_id)
                 .join(UserAccount, UserAccount.id == NotificationEmail.user_id)
                 .order_by(NotificationEmail.id.desc()))
        if status is not None:
            query = query.where(NotificationEmail.status == status)
        with self.ctx.db.reading() as session:
            return [EmailView(id=e.id, notification_id=e.notification_id, username=username,
                              address=e.address, subject=subject, status=e.status,
                              attempts=e.attempts, last_error=e.last_error,
                              next_attempt_at=e.next_attempt_at, sent_at=e.sent_at)
                    for e, subject, username in session.execute(query)]

    def send_test(self, address: str) -> None:
        """Send one message now, outside the outbox, to check the settings work."""
        settings = self.ctx.mail
        if settings is None:
            raise BadRequest("e-mail is off: set VARNAPOT_SMTP_URL")
        if check_email(address) is None:
            raise BadRequest("give the address to send the test message to")
        message = _message(settings, address, "test message", self.ctx.now())
        message.set_content("Varna pot can send e-mail with these settings.")
        connection = self._connect(settings)
        try:
            connection.send_message(message, from_addr=settings.sender, to_addrs=[address])
        finally:
            _close(connection)


def _permanent(exc: Exception) -> bool:
    """A 5xx answer or refused recipients will not succeed by trying again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _about_this_message(exc: Exception) -> bool:
    """The server answered about this message; the connection is still good."""
    return isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPResponseException)


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is None:
        return None
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()
    return None
