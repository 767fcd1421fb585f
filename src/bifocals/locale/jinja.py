"""Jinja's i18n extension wired to the catalogues: `_()`, `gettext()`, `ngettext()` and
`{% trans %}` in a template use the language named by the template's `lang` (English when
it has none, so pages that do not set it read exactly as their templates)."""

from __future__ import annotations

from datetime import date, datetime

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from bifocals.locale import format_date, format_decimal, translations


@pass_context
def _gettext(ctx: Context, message: str) -> str:
    return translations(ctx.get("lang")).gettext(message)


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int) -> str:
    return translations(ctx.get("lang")).ngettext(singular, plural, n)


def local_date(value: date | datetime, language: str | None, fmt: str = "long") -> str:
    """A date in the page's language (template global)."""
    return format_date(value, language, fmt)


def local_decimal(value: float, language: str | None, fmt: str = "0.0") -> str:
    """A number in the page's language (template global)."""
    return format_decimal(value, language, fmt)


def install_i18n(env: Environment) -> None:
    """Add the i18n extension to `env`, with the per-language catalogues and formatters."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True
    )
    env.globals["local_date"] = local_date
    env.globals["local_decimal"] = local_decimal
