"""Settings of the web app: cookies, sessions, login limits, links and outgoing mail."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from bifocals.services.security import LoginLimits


@dataclass(frozen=True)
class SmtpSettings:
    """Where invitations and reminders are sent from. host None: mail is off, links are shown."""

    host: str | None = None
    port: int = 25
    sender: str = "bifocals@localhost"
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0

    @property
    def enabled(self) -> bool:
        """True when a server is configured."""
        return bool(self.host)


@dataclass(frozen=True)
class WebSettings:
    """Everything the app factory can be told; the defaults suit a local run on 127.0.0.1."""

    # Cookies carry the Secure flag when True, or when the request itself came over https.
    secure_cookies: bool = False
    session_hours: float = 8.0
    login_max_failures: int = 5
    login_window_minutes: int = 15
    login_backoff_seconds: int = 30
    login_backoff_cap_seconds: int = 300
    login_address_max_failures: int = 20
    invitation_days: int = 30
    nomination_days: int = 14
    # Absolute base of links put in e-mails (https://360.example.org); None: the request's own.
    base_url: str | None = None
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    site_name: str = "bifocals"
    # The schedule (reminders, close at the deadline, queued mail) runs in the app when True:
    # `bifocals serve` turns it on (BIFOCALS_SCHEDULER=0 turns it off, for cron and `campaign
    # tick`); an app made for a test leaves it off unless asked.
    scheduler: bool = False
    tick_seconds: float = 30.0
    # Where `serve` listens (http://host:port): the base of links in scheduled mail when
    # base_url is not set (a request's own address is used for everything else).
    listen_url: str | None = None

    def mail_base(self) -> str | None:
        """The base of links in mail sent without a request (reminders, the outbox)."""
        return self.base_url or self.listen_url

    def login_limits(self) -> LoginLimits:
        """The sign-in throttle these settings ask for."""
        return LoginLimits(
            max_failures=self.login_max_failures,
            window_minutes=self.login_window_minutes,
            backoff_seconds=self.login_backoff_seconds,
            backoff_cap_seconds=self.login_backoff_cap_seconds,
            address_max_failures=self.login_address_max_failures,
        )

    @classmethod
    def from_env(cls) -> WebSettings:
        """Settings from BIFOCALS_* environment variables (unset ones keep their defaults)."""
        env = os.environ
        smtp = SmtpSettings(
            host=env.get("BIFOCALS_SMTP_HOST") or None,
            port=int(env.get("BIFOCALS_SMTP_PORT", "25")),
            sender=env.get("BIFOCALS_SMTP_FROM", "bifocals@localhost"),
            starttls=env.get("BIFOCALS_SMTP_STARTTLS", "") not in ("", "0", "false"),
            username=env.get("BIFOCALS_SMTP_USER") or None,
            password=env.get("BIFOCALS_SMTP_PASSWORD") or None,
        )
        return cls(
            secure_cookies=env.get("BIFOCALS_SECURE_COOKIES", "") not in ("", "0", "false"),
            session_hours=float(env.get("BIFOCALS_SESSION_HOURS", "8")),
            base_url=env.get("BIFOCALS_BASE_URL") or None,
            smtp=smtp,
            scheduler=env.get("BIFOCALS_SCHEDULER", "1") not in ("", "0", "false"),
            tick_seconds=float(env.get("BIFOCALS_TICK_SECONDS", "30")),
            listen_url=env.get("BIFOCALS_LISTEN_URL") or None,
        )
