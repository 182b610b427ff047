"""Reminders reach each user of a role: in her own inbox, and once by e-mail over SMTP.

The mail server is a real one, aiosmtpd listening on 127.0.0.1.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage as Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from engine import ProcessEngine
from engine.errors import BadRequest, Conflict, NotFound
from engine.kit.language import catalogue, translate_in
from engine.obligations.mail import BACKOFF, parse_smtp_url
from engine.store.models import NotificationEmail, NotificationRead, UserAccount
from tests.conftest import PROCESSES
from tests.product import product_config

GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-02",
         "victim_category": "trafficking", "informed_of_permit": True, "interpreter_provided": True}
FIRST_REMINDER = datetime(2026, 4, 29, 6, 1, tzinfo=UTC)
"""Just after the 30-day reminder (08:00 in Ljubljana) of the stay granted 2 March,
whose latest safe day is Friday 29 May."""
REFUSED = "gone@example.org"


class Mailbox:
    """What the SMTP server accepted; it refuses mail for ``REFUSED`` for good."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address == REFUSED:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def to(self, address: str) -> list[Message]:
        return [m for rcpt, m in self.reminders() if rcpt == [address]]

    def reminders(self) -> list[tuple[list[str], Message]]:
        """The deadline reminders (the procedure's own notices are mailed too)."""
        return [(rcpt, m) for rcpt, m in self.messages if " left (case " in subject(m)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def smtp_server(smtp_port: int) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield mailbox
    controller.stop()


def smtp_url(port: int) -> str:
    return f"smtp://127.0.0.1:{port}?from=alerts@varnapot.example&timeout=5"


def subject(message: Message) -> str:
    return str(message["Subject"])


def granted_stay(engine: ProcessEngine, case: str = "SI-MAIL-1") -> int:
    """A reflection period whose stay ends 31 May: residence deadline, legal adviser told."""
    engine.repository.deploy(PROCESSES)
    instance = engine.runtime.start("reflection_period", case, actor="coord")
    engine.tasks.complete(instance.open_tasks[0].id, "officer", GRANT)
    return instance.id


def add_staff(engine: ProcessEngine) -> None:
    engine.users.add("ana", ["coordinator"], email="ana@drustvo.example", display_name="Ana K.")
    engine.users.add("bojan", ["coordinator", "legal_adviser"], email="bojan@drustvo.example")
    engine.users.add("lea", ["legal_adviser"])  # no address: inbox only
    engine.users.add("marko", ["police"], email="marko@policija.example")
    engine.users.add("tina", ["coordinator"], email="tina@drustvo.example")
    engine.users.update("tina", active=False)  # left the service


def reminder_ids(engine: ProcessEngine, username: str) -> list[int]:
    return [n.id for n in engine.inbox.inbox(username) if n.source == "reminder"]


def reminder_mails(engine: ProcessEngine, status: str | None = None):
    return [e for e in engine.mail.outbox(status=status) if " left (case " in e.subject]


def test_each_user_reads_the_reminders_of_her_roles_in_her_own_inbox(make_engine):
    engine = make_engine()
    add_staff(engine)
    granted_stay(engine)
    assert all(not reminder_ids(engine, u) for u in ("ana", "bojan", "lea", "marko"))

    engine.set_clock(FIRST_REMINDER)
    ana, bojan, lea = (engine.inbox.inbox(u, source="reminder") for u in ("ana", "bojan", "lea"))
    assert [(n.role, n.unread) for n in ana] == [("coordinator", True)]
    assert sorted(n.role for n in bojan) == ["coordinator", "legal_adviser"]
    assert [n.role for n in lea] == ["legal_adviser"]
    assert "30 days left" in ana[0].subject and ana[0].case_code == "SI-MAIL-1"
    assert reminder_ids(engine, "marko") == []  # police do not own this deadline

    unread_before = engine.inbox.unread_count("bojan")
    assert engine.inbox.mark_read("ana", [ana[0].id]) == 1
    assert engine.inbox.mark_read("ana", [ana[0].id]) == 0  # already read
    assert not engine.inbox.inbox("ana", source="reminder")[0].unread
    assert engine.inbox.unread_count("bojan") == unread_before  # her colleague's stays unread
    assert engine.inbox.inbox("ana", unread=True, source="reminder") == []

    engine.inbox.mark_unread("ana", [ana[0].id])
    assert engine.inbox.inbox("ana", source="reminder")[0].unread
    assert engine.inbox.mark_read("bojan") == unread_before  # all of hers
    assert engine.inbox.unread_count("bojan") == 0


def test_marking_a_notice_outside_her_inbox_is_refused_and_marks_nothing(make_engine):
    engine = make_engine()
    add_staff(engine)
    granted_stay(engine)
    engine.set_clock(FIRST_REMINDER)
    (lawyers,) = [n.id for n in engine.inbox.inbox("lea", source="reminder")]
    (own,) = reminder_ids(engine, "ana")

    with pytest.raises(NotFound, match=f"notification {lawyers} is not in the inbox of ana"):
        engine.inbox.mark_read("ana", [own, lawyers])
    with pytest.raises(NotFound, match="user 'nobody' does not exist"):
        engine.inbox.mark_read("nobody")
    with engine.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(NotificationRead)) == 0
    assert engine.inbox.inbox("ana", source="reminder")[0].unread


def test_bad_user_input_is_refused_and_nothing_is_stored(make_engine):
    engine = make_engine()
    engine.users.add("ana", ["coordinator"], email="ana@drustvo.example")
    with pytest.raises(BadRequest, match="unknown role 'judge'"):
        engine.users.add("vesna", ["judge"])
    with pytest.raises(BadRequest, match="not an e-mail address"):
        engine.users.add("vesna", ["school"], email="vesna at school")
    with pytest.raises(BadRequest, match="not a valid user name"):
        engine.users.add("Vesna Novak", ["school"])
    with pytest.raises(BadRequest, match="at least one role"):
        engine.users.add("vesna", [])
    with pytest.raises(Conflict, match="already exists"):
        engine.users.add("ana", ["school"])
    with pytest.raises(BadRequest, match="unknown role"):
        engine.users.update("ana", roles=["coordinator", "judge"])
    assert [u.username for u in engine.users.users()] == ["ana"]
    assert engine.users.get("ana").roles == ["coordinator"]


def test_a_reminder_is_mailed_once_to_each_active_user_with_an_address(
        make_engine, smtp_server, smtp_port):
    engine = make_engine(smtp_url=smtp_url(smtp_port))
    add_staff(engine)
    granted_stay(engine)
    engine.set_clock(FIRST_REMINDER - timedelta(minutes=2))
    procedure_notices = len(smtp_server.messages)
    assert smtp_server.reminders() == []  # not due yet

    engine.set_clock(FIRST_REMINDER)  # fires the reminder, then sends the outbox
    assert sorted(r[0] for r, _ in smtp_server.reminders()) == [
        "ana@drustvo.example", "bojan@drustvo.example"]  # bojan once for his two roles
    (message,) = smtp_server.to("ana@drustvo.example")
    assert subject(message).startswith("[Varna pot] ")
    assert "30 days left" in subject(message) and "SI-MAIL-1" in subject(message)
    assert message["To"] == "\"Ana K.\" <ana@drustvo.example>"
    assert message["From"] == "Varna pot <alerts@varnapot.example>"
    assert "Act by 2026-05-29" in message.get_content()

    assert engine.mail.deliver_pending() == []  # nothing twice
    other = ProcessEngine(product_config(database_url=engine.config.database_url,
                                       clock="manual", smtp_url=smtp_url(smtp_port)))
    try:
        assert other.mail.deliver_pending() == []  # nor from a second worker
    finally:
        other.close()
    assert len(smtp_server.messages) == procedure_notices + 2
    assert {e.status for e in engine.mail.outbox()} == {"sent"}

    engine.mail.send_test("ops@drustvo.example")  # outside the outbox
    rcpt, test_message = smtp_server.messages[-1]
    assert (rcpt, subject(test_message)) == (["ops@drustvo.example"],
                                             "[Varna pot] test message")
    assert len(engine.mail.outbox()) == 2


def test_mail_waits_out_a_server_outage_then_arrives_once(make_engine, smtp_port):
    engine = make_engine(smtp_url=smtp_url(smtp_port))  # nothing listens there yet
    engine.users.add("ana", ["coordinator"], email="ana@drustvo.example")
    granted_stay(engine)
    engine.set_clock(FIRST_REMINDER)
    (queued,) = reminder_mails(engine)
    assert (queued.status, queued.attempts) == ("pending", 1)
    assert queued.last_error and queued.next_attempt_at == FIRST_REMINDER + BACKOFF[0]
    assert any(n.source == "reminder" for n in engine.inbox.inbox("ana"))  # inbox regardless

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert engine.mail.deliver_pending() == []  # backing off
        engine.advance_clock(BACKOFF[0])
        engine.advance_clock(timedelta(hours=1))
        assert len(mailbox.to("ana@drustvo.example")) == 1
    finally:
        controller.stop()
    (sent,) = reminder_mails(engine)
    assert (sent.status, sent.attempts) == ("sent", 2)


def test_an_address_the_server_refuses_is_given_up_without_retrying(
        make_engine, smtp_server, smtp_port):
    engine = make_engine(smtp_url=smtp_url(smtp_port))
    engine.users.add("ana", ["coordinator"], email=REFUSED)
    engine.users.add("tom", ["coordinator"], email="tom@drustvo.example")
    granted_stay(engine)
    engine.set_clock(FIRST_REMINDER)
    assert [r for r, _ in smtp_server.reminders()] == [["tom@drustvo.example"]]
    failed = reminder_mails(engine, "failed")
    assert [(e.address, e.attempts) for e in failed] == [(REFUSED, 1)]
    assert "no such mailbox" in failed[0].last_error
    engine.advance_clock(timedelta(days=1))
    assert reminder_mails(engine, "failed")[0].attempts == 1
    assert {e.address for e in engine.mail.outbox(status="failed")} == {REFUSED}


def test_without_smtp_nothing_is_queued(make_engine):
    engine = make_engine()
    engine.users.add("ana", ["coordinator"], email="ana@drustvo.example")
    granted_stay(engine)
    engine.set_clock(FIRST_REMINDER)
    assert reminder_ids(engine, "ana")
    with engine.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(NotificationEmail)) == 0
        assert session.scalar(select(func.count()).select_from(UserAccount)) == 1
    with pytest.raises(BadRequest, match="e-mail is off"):
        engine.mail.send_test("ana@drustvo.example")


@pytest.mark.parametrize(("url", "message"), [
    ("http://mail.example", "must start with smtp:// or smtps://"),
    ("smtp://", "names no host"),
    ("smtp://mail.example:port", "bad port"),
    ("smtp://mail.example?starttls=maybe", "starttls must be true or false"),
    ("smtp://mail.example?form=a@b.c", "unknown option 'form'"),
    ("smtp://mail.example?from=nobody", "is not an e-mail address"),
])
def test_a_malformed_smtp_url_is_refused_with_a_clear_message(url, message):
    with pytest.raises(BadRequest, match=message):
        parse_smtp_url(url)


def test_smtp_url_options():
    settings = parse_smtp_url("smtps://alerts%40ngo:s3cr%2Ft@mail.example?from=a@ngo.example")
    assert (settings.host, settings.port, settings.implicit_tls) == ("mail.example", 465, True)
    assert (settings.username, settings.password) == ("alerts@ngo", "s3cr/t")
    plain = parse_smtp_url("smtp://mail.example:2525?starttls=true")
    assert (plain.port, plain.starttls, plain.sender) == (2525, True, "varnapot@mail.example")


def test_the_reminder_day_is_the_same_in_the_inbox_and_the_mail(
        make_engine, smtp_server, smtp_port):
    """The inbox and the e-mail tell the same thing on the same day."""
    engine = make_engine(smtp_url=smtp_url(smtp_port))
    engine.users.add("ana", ["coordinator"], email="ana@drustvo.example")
    granted_stay(engine)
    engine.set_clock(datetime(2026, 5, 28, 8, 1, tzinfo=UTC))  # the last reminder day
    inbox = [n for n in engine.inbox.inbox("ana") if n.source == "reminder"]
    mailed = [subject(m)[len("[Varna pot] "):] for m in smtp_server.to("ana@drustvo.example")]
    assert sorted(n.subject for n in inbox) == sorted(mailed)
    assert len(inbox) == 5 and date(2026, 5, 29).isoformat() in inbox[0].body


def test_each_user_gets_the_mail_in_the_language_she_chose(make_engine, smtp_server,
                                                           smtp_port):
    """The worker has no request to take a language from: it writes each message in its
    reader's, and in English for one who chose none."""
    engine = make_engine(smtp_url=smtp_url(smtp_port))
    add_staff(engine)
    engine.credentials.set_language("bojan", "sl")
    granted_stay(engine)
    engine.set_clock(FIRST_REMINDER)
    (english,) = smtp_server.to("ana@drustvo.example")
    (slovene,) = [m for rcpt, m in smtp_server.messages
                  if rcpt == ["bojan@drustvo.example"]
                  and "preostalih dni: 30 (primer SI-MAIL-1)" in subject(m)]
    assert "30 days left (case SI-MAIL-1)" in subject(english)
    assert "Sent to the role: National coordination service" in english.get_content()
    assert english["Content-Language"] is None
    assert slovene["Content-Language"] == "sl"
    body = slovene.get_content()
    assert "Primer: SI-MAIL-1" in body and "Sent to the role" not in body
    assert ("Poslano vlogi: Nacionalna koordinacijska služba" in body
            or "Poslano vlogi: Pravni svetovalec" in body)
    assert "To obvestilo je tudi v vašem nabiralniku Varne poti." in body


def test_the_installed_catalogues_give_the_mail_its_words_in_every_language():
    """The worker reads the catalogues `make install` compiled: each language has its own,
    Serbian Cyrillic too."""
    for language in ("sl", "sr_Latn", "sr_Cyrl", "bs", "hr"):
        words = translate_in(catalogue(language), "Case: {code}")
        assert words != "Case: {code}" and "{code}" in words, language
    assert re.fullmatch(r"[\u0400-\u04FF]+: \{code\}", translate_in(catalogue("sr_Cyrl"),
                                                                    "Case: {code}"))
