"""Texts of pages, reports and e-mails in the raters' and participants' languages (Babel).

The catalogues are `locale/<lang>/LC_MESSAGES/messages.po`, kept in git. Their compiled form
(`messages.mo`) is a build output: `make install` writes it (`python -m bifocals.locale.extract
--compile`), and where it is missing or older than its `.po` (a fresh clone, a plain `pip
install .`) the `.po` is compiled in memory on first use, once per process. English is the
language the texts are written in: it needs no catalogue, and an English page is exactly the
text of its template.

Dates and numbers follow the language too (`format_date`, `format_decimal`), through Babel's
CLDR data.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _babel_decimal
from babel.support import NullTranslations, Translations

from bifocals.instruments.translation import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES

LOCALE_DIR = Path(__file__).parent
DOMAIN = "messages"

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "format_date",
    "format_decimal",
    "gettext_for",
    "language_or_default",
    "negotiate",
    "ngettext_for",
    "translated_text",
    "translations",
]


def N_(message: str) -> str:
    """Mark a text for the catalogue where it is defined; it is translated where it is shown."""
    return message


def language_or_default(*choices: str | None) -> str:
    """The first of `choices` that is a supported language, else English."""
    for choice in choices:
        if choice:
            code = choice.strip().lower().replace("_", "-").split("-")[0]
            if code in LANGUAGES:
                return code
    return DEFAULT_LANGUAGE


def negotiate(accept_language: str | None) -> str:
    """The supported language a browser's Accept-Language header prefers, else English."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, i, tag))
    return language_or_default(*(tag for q, _, tag in sorted(ranked) if q < 0))


def _mo_bytes(language: str) -> bytes | None:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        return mo.read_bytes()
    if not po.is_file():
        return None
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=language, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


@cache
def translations(language: str | None) -> _gettext.NullTranslations:
    """The catalogue of `language` (English or an unknown language: the texts as written)."""
    lang = language_or_default(language)
    if lang == DEFAULT_LANGUAGE:
        return NullTranslations()
    data = _mo_bytes(lang)
    if data is None:
        return NullTranslations()
    return Translations(io.BytesIO(data), domain=DOMAIN)


def gettext_for(language: str | None) -> Callable[[str], str]:
    """`_` for one language: `_ = gettext_for("de"); _("Thank you")`."""
    return translations(language).gettext


def ngettext_for(language: str | None) -> Callable[[str, str, int], str]:
    """`ngettext` for one language (plural forms as the language has them)."""
    return translations(language).ngettext


def translated_text(message: str, msgids: Iterable[str], language: str | None) -> str:
    """`message`, written in English from one of `msgids` (str.format fields: "{campaign} has
    no results yet"), in `language` with the same values; any other message as it is."""
    _ = gettext_for(language)
    for msgid in msgids:
        parts = re.split(r"\{([a-z_]+)\}", msgid)
        pattern = "".join(
            re.escape(part) if k % 2 == 0 else f"(?P<{part}>.+?)" for k, part in enumerate(parts)
        )
        found = re.fullmatch(pattern, message, flags=re.S)
        if found:
            return _(msgid).format(**found.groupdict())
    return message


def format_date(value: date | datetime, language: str | None, fmt: str = "long") -> str:
    """A date as the language writes it ('4. Dezember 2026', '4 décembre 2026')."""
    day = value.date() if isinstance(value, datetime) else value
    return _babel_date(day, format=fmt, locale=Locale.parse(language_or_default(language)))


def format_decimal(value: float, language: str | None, fmt: str = "0.0") -> str:
    """A number as the language writes it (decimal comma in de, fr, es)."""
    return _babel_decimal(value, format=fmt, locale=Locale.parse(language_or_default(language)))


def language_choices(current: str, available: Iterable[str] = LANGUAGES) -> list[dict[str, object]]:
    """The languages to offer (code, own name, whether chosen), for a language switch."""
    return [
        {"code": c, "name": LANGUAGE_NAMES[c], "current": c == current}
        for c in available
        if c in LANGUAGE_NAMES
    ]
