"""The texts to translate: extracted with Babel from the templates and modules that use the
catalogues, into messages.pot; `.po` files of each language are updated from it.

    python -m bifocals.locale.extract           # write messages.pot, update every .po
    python -m bifocals.locale.extract --check   # exit 1 when a .po lacks a text or its translation
    python -m bifocals.locale.extract --compile # write each language's messages.mo (make install)

SOURCES lists what is translated; a test runs the same check, so a text added to one of these
templates without its German, French and Spanish breaks the build.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bifocals.locale import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALE_DIR

PACKAGE = LOCALE_DIR.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
JINJA = "jinja2.ext:babel_extract"
# (glob under src/bifocals, extraction method): the rater's survey and link pages, the
# invitation and reminder e-mails, the participant's report, the participant's own pages
# (sign-in, password, "My feedback", the development plan and its manager's page, the
# nomination page), a stakeholder's readiness survey, and the error pages.
SOURCES: tuple[tuple[str, str], ...] = (
    ("web/templates/base.html", JINJA),
    ("web/templates/auth/*.html", JINJA),
    ("web/templates/cross_site.html", JINJA),
    ("web/templates/error.html", JINJA),
    ("web/app.py", "python"),
    ("web/templates/campaigns/nominate.html", JINJA),
    ("web/routers/nominate.py", "python"),
    ("web/templates/readiness/form.html", JINJA),
    ("web/routers/readiness.py", "python"),
    ("web/templates/plan/edit.html", JINJA),
    ("web/templates/plan/shared.html", JINJA),
    ("web/routers/auth.py", "python"),
    ("web/routers/plans.py", "python"),
    ("web/routers/programme.py", "python"),
    ("services/plans.py", "python"),
    ("services/accounts.py", "python"),
    ("services/participant_accounts.py", "python"),
    ("web/templates/survey/*.html", JINJA),
    ("web/templates/link_done.html", JINJA),
    ("web/templates/link_problem.html", JINJA),
    ("web/routers/survey.py", "python"),
    ("web/link_pages.py", "python"),
    ("locale/names.py", "python"),
    ("services/mail_texts.py", "python"),
    ("reports/templates/base.html", JINJA),
    ("reports/templates/individual.html", JINJA),
    ("reports/wording.py", "python"),
    ("reports/individual.py", "python"),
    ("reports/svg.py", "python"),
    ("web/routers/reports.py", "python"),
)
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}


def source_files() -> Iterator[tuple[Path, str]]:
    """Every file extracted, with its method."""
    for pattern, method in SOURCES:
        for path in sorted(PACKAGE.glob(pattern)):
            yield path, method


def extract_catalog() -> Catalog:
    """The template catalogue (msgids and where they occur) of every file in SOURCES."""
    catalog = Catalog(domain=DOMAIN, project="bifocals", charset="utf-8", fuzzy=False)
    for path, method in source_files():
        options = JINJA_OPTIONS if method == JINJA else {}
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options
        ):
            where = (str(path.relative_to(PACKAGE)), lineno)
            catalog.add(message, None, [where], auto_comments=comments, context=context)
    return catalog


def po_path(language: str) -> Path:
    """The catalogue file of `language`."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: str) -> Catalog:
    """The `.po` of `language` as a Babel catalogue."""
    with po_path(language).open("rb") as fh:
        return read_po(fh, locale=language, domain=DOMAIN)


def missing(template: Catalog, language: str) -> list[str]:
    """The msgids of `template` that the `.po` of `language` lacks or leaves untranslated
    (a plural needs every form)."""
    if not po_path(language).is_file():
        return [str(m.id) for m in template if m.id]
    po = read_catalog(language)
    out = []
    for msg in template:
        if not msg.id:
            continue
        found = po.get(msg.id, msg.context)
        strings = found.string if found is not None else None
        forms = strings if isinstance(strings, tuple | list) else (strings,)
        if found is None or found.fuzzy or not all(forms):
            out.append(msg.id if isinstance(msg.id, str) else str(msg.id[0]))
    return out


def update() -> None:
    """Write messages.pot and bring each language's `.po` up to it (translations kept)."""
    template = extract_catalog()
    template.creation_date = datetime(2026, 1, 1, tzinfo=UTC)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as fh:
        write_po(fh, template, width=96, omit_header=False, sort_output=False)
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            continue
        path = po_path(lang)
        if path.is_file():
            po = read_catalog(lang)
            po.update(template, no_fuzzy_matching=True)
            po.obsolete.clear()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            po = Catalog(locale=lang, domain=DOMAIN, project="bifocals", fuzzy=False)
            po.update(template, no_fuzzy_matching=True)
        po.creation_date = template.creation_date
        po.revision_date = template.creation_date
        with path.open("wb") as fh:
            write_po(fh, po, width=96, sort_output=False)


def compile_catalogues() -> list[Path]:
    """Write messages.mo beside each language's .po (what the runtime would compile in memory).

    Not `pybabel compile`: its checker reads any "%" as %-formatting, so a brace-format text
    such as "the 95% interval is {interval}" fails when a translation writes "95-%-Intervall".
    tests/test_i18n_catalogue.py checks the placeholders that are real."""
    written = []
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE or not po_path(lang).is_file():
            continue
        target = po_path(lang).with_suffix(".mo")
        with target.open("wb") as fh:
            write_mo(fh, read_catalog(lang))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Update the catalogues, or with --check list what is missing, or with --compile write
    the .mo files; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bifocals.locale.extract")
    parser.add_argument("--check", action="store_true", help="only report missing texts")
    parser.add_argument("--compile", action="store_true", help="write the .mo files")
    args = parser.parse_args(argv)
    if args.compile:
        compile_catalogues()
        return 0
    if not args.check:
        update()
    template = extract_catalog()
    bad = 0
    for lang in LANGUAGES:
        if lang != DEFAULT_LANGUAGE:
            gaps = missing(template, lang)
            bad += len(gaps)
            for msgid in gaps:
                print(f"{po_path(lang)}: untranslated: {msgid!r}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
