"""Outgoing mail over SMTP, and the nomination message (invitation and reminder texts:
services.mail_texts)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bifocals.errors import BifocalsError
from bifocals.services.settings import SmtpSettings


def send_mail(smtp: SmtpSettings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message; a BifocalsError names the server when it fails."""
    if not smtp.host:
        raise BifocalsError("no mail server is configured; set BIFOCALS_SMTP_HOST or copy links")
    msg = EmailMessage()
    msg["From"] = smtp.sender
    msg["To"] = to
    msg["Subject"] = subject
    # Mail servers and filters distrust a message without a date or an id of its own.
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    msg.set_content(body)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
            if smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            client.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise BifocalsError(
            f"could not send mail through {smtp.host}:{smtp.port}: {exc}; "
            "check the SMTP settings or copy the link by hand"
        ) from exc


def nomination_text(participant: str, campaign: str, url: str) -> tuple[str, str]:
    """Subject and body of the message giving a participant their nomination link."""
    subject = "Choose who gives you feedback"
    body = (
        f"Hello {participant},\n\n"
        f'In the campaign "{campaign}" you can suggest the colleagues who should give you '
        "feedback: your manager, peers, people who report to you and others who see your work. "
        "Your facilitator approves each suggestion before anyone is invited.\n\n"
        f"Your private page:\n{url}\n"
    )
    return subject, body
