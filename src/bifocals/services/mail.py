"""Outgoing mail (invitations, reminders, nomination links) over SMTP, and the message texts."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

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


def invitation_text(
    participant: str, campaign: str, url: str, group: str, reminder: bool
) -> tuple[str, str]:
    """Subject and body of an invitation or reminder to give feedback."""
    who = "yourself" if group == "self" else participant
    subject = (
        f"Reminder: your feedback for {who}" if reminder else f"Your feedback for {who} is asked"
    )
    opening = (
        "This is a friendly reminder: your answers have not reached us yet."
        if reminder
        else f'You are invited to give feedback in the campaign "{campaign}".'
    )
    about = (
        "The questions are about how you see your own leadership and management."
        if group == "self"
        else f"The questions are about how you see {participant} at work. Your answers are "
        "pooled with those of others; no one sees what you, in particular, answered."
    )
    body = (
        f"{opening}\n\n{about}\n\n"
        f"Open your private link (it takes about ten minutes; you can stop and come back):\n"
        f"{url}\n\n"
        "Keep this link to yourself: it is the only key to your answers. "
        "If it was sent to you by mistake, just ignore this message.\n"
    )
    return subject, body


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
