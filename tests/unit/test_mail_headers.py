"""Mail leaves with the headers a receiving server expects (RFC 5322), not only From/To/Subject:
without Date and Message-ID, relays that do not add them pass the mail on bare, and spam
filters mark it down, so invitations end in the junk folder."""

from email.parser import BytesParser
from email.policy import default
from email.utils import parsedate_to_datetime
from typing import Any

from aiosmtpd.controller import Controller

from app.mail import send_mail
from app.settings import get_settings
from tests.live import free_port


class RawInbox:
    def __init__(self) -> None:
        self.raw: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.raw.append(envelope.content)
        return "250 OK"


def test_a_sent_mail_has_a_date_and_a_message_id_of_the_senders_domain(monkeypatch):
    inbox = RawInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings = get_settings()
        monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
        monkeypatch.setattr(settings, "smtp_port", controller.port)
        monkeypatch.setattr(settings, "smtp_starttls", False)
        monkeypatch.setattr(settings, "mail_from", "Gode grep <ikke-svar@kommune.example.no>")
        send_mail("kari@kommune.example.no", "Invitasjon til Gode grep", "Hei!")
        send_mail("ola@kommune.example.no", "Invitasjon til Gode grep", "Hei!")
    finally:
        controller.stop()

    first, second = (BytesParser(policy=default).parsebytes(raw) for raw in inbox.raw)
    assert parsedate_to_datetime(str(first["Date"])).tzinfo is not None
    assert str(first["Message-ID"]).endswith("@kommune.example.no>")
    assert first["Message-ID"] != second["Message-ID"]
