"""The web app: FastAPI, server-rendered pages, one router per feature (see app.py)."""

from __future__ import annotations

from bifocals.services.settings import SmtpSettings, WebSettings
from bifocals.web.app import create_app

__all__ = ["SmtpSettings", "WebSettings", "create_app"]
