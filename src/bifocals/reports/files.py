"""Write a campaign's reports to a folder: index.html, cohort.html, one page per participant."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path

from bifocals.errors import BifocalsError
from bifocals.framework.model import Framework
from bifocals.instruments.model import Instrument
from bifocals.reports.cohort import cohort_report_html
from bifocals.reports.comments import CommentCode
from bifocals.reports.individual import individual_report_html
from bifocals.reports.pdf import html_to_pdf
from bifocals.reports.render import render, today
from bifocals.scoring.model import CampaignScores

# Names that must not be a participant's file: our own pages and Windows device names.
RESERVED = frozenset(
    {"index", "cohort", "con", "prn", "aux", "nul"}
    | {f"com{k}" for k in range(1, 10)}
    | {f"lpt{k}" for k in range(1, 10)}
)
MAX_STEM = 80


def safe_filename(name: str) -> str:
    """A file stem from any participant name: ASCII letters, digits, dot, dash, underscore.

    Accents are dropped (Zoë -> Zoe), anything else becomes a dash, no leading dot, at most
    80 characters, never empty and never one of RESERVED (those get a "-participant" suffix).
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.")[:MAX_STEM].strip("-.")
    if not stem:
        stem = "participant"
    if stem.lower() in RESERVED:
        stem += "-participant"
    return stem


def _unique(stem: str, taken: set[str]) -> str:
    """stem, or stem-2, stem-3, ... if already taken (case-insensitively, for macOS/Windows)."""
    candidate, k = stem, 1
    while candidate.lower() in taken:
        k += 1
        candidate = f"{stem}-{k}"
    taken.add(candidate.lower())
    return candidate


def write_reports(
    scores: CampaignScores,
    framework: Framework,
    instrument: Instrument,
    out_dir: Path | str,
    *,
    pdf: bool = False,
    comment_codes: Mapping[str, CommentCode] | None = None,
    progress: Callable[[str], None] | None = None,
    names: Mapping[str, str] | None = None,
    generated: str | None = None,
) -> list[Path]:
    """Write every participant's report, the cohort report and an index page; return the paths.

    Files: <participant>.html (and .pdf with pdf=True) with safe, unique names, cohort.html
    (.pdf), index.html linking them. progress is called once per participant with its code,
    then with "cohort" and "index". names maps participant codes to display names.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BifocalsError(f"cannot create the output folder {out}: {exc.strerror}") from exc
    names = names or {}
    date = generated or today()
    written: list[Path] = []
    taken: set[str] = set(RESERVED)
    people: list[dict[str, str | None]] = []

    def emit(path: Path, content: str | bytes) -> None:
        try:
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise BifocalsError(f"cannot write {path}: {exc.strerror}") from exc
        written.append(path)

    def page(stem: str, html: str) -> dict[str, str | None]:
        emit(out / f"{stem}.html", html)
        if pdf:
            emit(out / f"{stem}.pdf", html_to_pdf(html))
        return {"html": f"{stem}.html", "pdf": f"{stem}.pdf" if pdf else None}

    for ps in scores.participants:
        shown = names.get(ps.participant, ps.participant)
        stem = _unique(safe_filename(shown), taken)
        html = individual_report_html(
            scores,
            ps,
            framework,
            instrument,
            comment_codes=comment_codes,
            generated=date,
            display_name=names.get(ps.participant),
        )
        people.append({"name": shown, **page(stem, html)})
        if progress is not None:
            progress(ps.participant)
    cohort = page(
        "cohort",
        cohort_report_html(scores, framework, instrument, names=names, generated=date),
    )
    if progress is not None:
        progress("cohort")
    index = render(
        "index.html",
        {
            "kind": "index",
            "title": f"Reports: {scores.campaign}",
            "campaign": scores.campaign,
            "generated": date,
            "cohort": cohort,
            "people": people,
        },
    )
    emit(out / "index.html", index)
    if progress is not None:
        progress("index")
    return written
