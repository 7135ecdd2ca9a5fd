"""Outgoing e-mail through the SMTP server named in the settings.

In the local demo an SMTP server (aiosmtpd) runs inside the app and keeps what it receives,
so a developer can read sent mail on /utvikler/epost; the tests start their own.
"""

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any

from app.settings import get_settings


class MailError(Exception):
    pass


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text e-mail; raise MailError if the server cannot take it."""
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user and settings.smtp_password:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(str(exc)) from exc


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
