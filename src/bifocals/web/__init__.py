"""The web app: FastAPI, server-rendered pages, one router per feature (see app.py)."""

from __future__ import annotations

from bifocals.web.app import create_app
from bifocals.web.settings import SmtpSettings, WebSettings

__all__ = ["SmtpSettings", "WebSettings", "create_app"]
