"""Outgoing e-mail through the SMTP server named in the settings.

Two ways out: `send_mail` waits for the SMTP server and raises if it refuses (an invitation
is kept only if its mail went out, so the manager is told at once); `send_later` hands the
mail to one background sender thread and returns at once (password resets: the answer must
take as long whether the account exists or not, and a failure must not show).

In the local demo an SMTP server (aiosmtpd) runs inside the app and keeps what it receives,
so a developer can read sent mail on /utvikler/epost; the tests start their own.
"""

import logging
import queue
import smtplib
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from app.settings import Settings, get_settings

log = logging.getLogger(__name__)
# Bounded, so a flood of requests cannot fill the memory; past it mail is dropped and logged.
QUEUE_SIZE = 1000


class MailError(Exception):
    pass


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text e-mail; raise MailError if the server cannot take it."""
    settings = get_settings()
    _deliver(_message(settings, to, subject, body), settings)


def send_later(to: str, subject: str, body: str) -> None:
    """Queue a plain-text e-mail for the background sender; failures are logged, not raised."""
    settings = get_settings().model_copy()  # where to send is decided now, not when it leaves
    message = _message(settings, to, subject, body)
    try:
        _outbox().put_nowait((message, settings))
    except queue.Full:
        log.error("outgoing mail queue is full (%s); dropped %r", QUEUE_SIZE, subject)


def flush(timeout: float = 30) -> bool:
    """Wait until everything queued so far has been sent or given up on (tests, shutdown)."""
    done = threading.Event()
    _outbox().put(done, timeout=timeout)
    return done.wait(timeout)


_Item = tuple[EmailMessage, Settings] | threading.Event
_queue: "queue.Queue[_Item]" = queue.Queue(QUEUE_SIZE)
_sender: threading.Thread | None = None
_sender_lock = threading.Lock()


def _outbox() -> "queue.Queue[_Item]":
    """The queue, with its sender thread running (started on first use, once per process)."""
    global _sender
    with _sender_lock:
        if _sender is None or not _sender.is_alive():
            _sender = threading.Thread(target=_send_queued, name="mail-sender", daemon=True)
            _sender.start()
    return _queue


def _send_queued() -> None:
    # One thread, one message at a time: a burst of requests never opens many SMTP connections.
    while True:
        item = _queue.get()
        if isinstance(item, threading.Event):
            item.set()
            continue
        message, settings = item
        try:
            _deliver(message, settings)
        except Exception:  # the sender must outlive any one bad message or server
            log.warning("could not send e-mail %r", message["Subject"], exc_info=True)


def _message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    # RFC 5322 requires Date and expects Message-ID; a relay that does not add them (most do
    # not for mail from another host) passes the message on without, and spam filters count
    # that against it. The id's domain is the sender's own, not this host's name.
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body)
    return message


def _deliver(message: EmailMessage, settings: Settings) -> None:
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user and settings.smtp_password:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # For the operator (a wrong GODEGREP_SMTP_* shows here), without the message's
        # addresses: an SMTP refusal can quote them, so only its class and code are logged.
        # SMTPException is an OSError too: asked first.
        code = getattr(exc, "smtp_code", None)
        refused = isinstance(exc, smtplib.SMTPException)
        reason = f"{type(exc).__name__} {code or ''}" if refused else str(exc)
        log.warning(
            "mail server %s:%s did not take a message: %s",
            settings.smtp_host,
            settings.smtp_port,
            reason.strip(),
        )
        raise MailError(reason.strip()) from exc  # those who log it get no address either


@dataclass(frozen=True)
class ReceivedMail:
    to: str
    subject: str
    body: str


class Inbox:
    """An aiosmtpd handler that keeps every message it receives (demo and tests)."""

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = BytesParser(policy=default).parsebytes(envelope.content)
        body = parsed.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        self.messages.append(ReceivedMail(str(parsed["To"]), str(parsed["Subject"]), text))
        return "250 Message accepted for delivery"


def start_local_server(host: str, port: int) -> tuple[Any, Inbox]:
    """Start aiosmtpd in a background thread; returns (controller, inbox)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname=host, port=port)
    controller.start()
    return controller, inbox
