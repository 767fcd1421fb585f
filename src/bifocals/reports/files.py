"""A campaign's reports as files: written to a folder (index.html, cohort.html, one page per
participant) or packed into one zip archive."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, Unpack

from bifocals.errors import BifocalsError
from bifocals.framework.model import Framework
from bifocals.instruments.model import Instrument
from bifocals.reports.cohort import cohort_report_html
from bifocals.reports.comments import CommentCode
from bifocals.reports.individual import individual_report_html
from bifocals.reports.pdf import PDF_BATCH, html_to_pdf, pdf_maker
from bifocals.reports.render import render, today
from bifocals.scoring.model import CampaignScores, ParticipantScores
from bifocals.scoring.norms import Percentile
from bifocals.scoring.retest import ScaleChange

# Names that must not be a participant's file: our own pages and Windows device names.
RESERVED = frozenset(
    {"index", "cohort", "con", "prn", "aux", "nul"}
    | {f"com{k}" for k in range(1, 10)}
    | {f"lpt{k}" for k in range(1, 10)}
)
MAX_STEM = 80


# Letters that Unicode does not decompose into a base letter and an accent, as they are
# usually written in ASCII (Weiß -> Weiss, Łukasz -> Lukasz).
_ASCII_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Đ": "D",
        "đ": "d",
        "Þ": "Th",
        "þ": "th",
        "ı": "i",
    }
)


def safe_filename(name: str) -> str:
    """A file stem from any participant name: ASCII letters, digits, dot, dash, underscore.

    Accents are dropped (Zoë -> Zoe), letters without a decomposition are spelt in ASCII
    (Weiß -> Weiss, Łukasz -> Lukasz), anything else becomes a dash; at most 80 characters,
    starting and ending with a letter or digit (so never hidden, never "..");
    never empty and never one of RESERVED (those get a "-participant" suffix).
    """
    spelt = name.translate(_ASCII_LETTERS)
    ascii_name = unicodedata.normalize("NFKD", spelt).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-._")[:MAX_STEM].strip("-._")
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


class CampaignOptions(TypedDict, total=False):
    """The keyword options write_reports and zip_reports share (described at write_reports)."""

    names: Mapping[str, str] | None
    generated: str | None
    languages: Mapping[str, str] | None
    changes: Mapping[str, Sequence[ScaleChange]] | None
    compared_with: str | None
    percentiles: Mapping[str, Sequence[Percentile]] | None
    norm_name: str | None
    notes: Sequence[str]


@dataclass(frozen=True)
class _Pages:
    """The HTML pages of a campaign's reports, made with the options of CampaignOptions."""

    scores: CampaignScores
    framework: Framework
    instrument: Instrument
    options: CampaignOptions
    date: str

    def participant(
        self, ps: ParticipantScores, comment_codes: Mapping[str, CommentCode] | None = None
    ) -> str:
        """One participant's report, in their language, with their name, change, norm."""
        o, code = self.options, ps.participant
        changes, percentiles = o.get("changes"), o.get("percentiles")
        return individual_report_html(
            self.scores,
            ps,
            self.framework,
            self.instrument,
            comment_codes=comment_codes,
            generated=self.date,
            display_name=(o.get("names") or {}).get(code),
            change=None if changes is None else changes.get(code),
            compared_with=o.get("compared_with"),
            language=(o.get("languages") or {}).get(code),
            percentiles=None if percentiles is None else percentiles.get(code, ()),
            norm_name=o.get("norm_name"),
            notes=o.get("notes", ()),
        )

    def cohort(self) -> str:
        """The cohort report (English)."""
        o = self.options
        return cohort_report_html(
            self.scores,
            self.framework,
            self.instrument,
            names=o.get("names") or {},
            generated=self.date,
            changes=o.get("changes"),
            compared_with=o.get("compared_with"),
        )


def write_reports(
    scores: CampaignScores,
    framework: Framework,
    instrument: Instrument,
    out_dir: Path | str,
    *,
    pdf: bool = False,
    comment_codes: Mapping[str, CommentCode] | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int = 1,
    **options: Unpack[CampaignOptions],
) -> list[Path]:
    """Write every participant's report, the cohort report and an index page; return the paths.

    Files: <participant>.html (and .pdf with pdf=True) with safe, unique names, cohort.html
    (.pdf), index.html linking them. progress is called once per participant with its code
    after its files are written, then with "cohort" and "index". names maps participant codes
    to display names, languages to the language of each one's report (English where none is
    given; the index and cohort pages are English). changes (per participant code, from
    scoring.retest, with compared_with) add the "since last time" sections; a participant
    without an entry gets none; percentiles (per code, against the norm group norm_name) add
    "Against the norm", and notes say why a comparison asked for is missing. workers > 1
    makes the PDFs in that many processes (WeasyPrint
    holds the GIL, so threads would not help); HTML is always made here.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BifocalsError(f"cannot create the output folder {out}: {exc.strerror}") from exc
    names = options.get("names") or {}
    pages = _Pages(scores, framework, instrument, options, options.get("generated") or today())
    written: list[Path] = []
    taken: set[str] = set(RESERVED)
    people: list[dict[str, str | None]] = []
    tell = progress or (lambda _: None)

    def emit(path: Path, content: str | bytes) -> None:
        try:
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise BifocalsError(f"cannot write {path}: {exc.strerror}") from exc
        written.append(path)

    with pdf_maker(workers if pdf else 1) as make_pdfs:
        batch: list[tuple[str, str, str]] = []  # (participant code, file stem, html)

        def flush() -> None:
            documents = make_pdfs([html for _, _, html in batch]) if pdf else []
            for k, (code, stem, _) in enumerate(batch):
                if pdf:
                    emit(out / f"{stem}.pdf", documents[k])
                tell(code)
            batch.clear()

        for ps in scores.participants:
            shown = names.get(ps.participant, ps.participant)
            stem = _unique(safe_filename(shown), taken)
            html = pages.participant(ps, comment_codes)
            emit(out / f"{stem}.html", html)
            people.append(
                {"name": shown, "html": f"{stem}.html", "pdf": f"{stem}.pdf" if pdf else None}
            )
            batch.append((ps.participant, stem, html))
            if len(batch) >= max(1, workers * PDF_BATCH if pdf else 1):
                flush()
        flush()
        cohort_html = pages.cohort()
        emit(out / "cohort.html", cohort_html)
        if pdf:
            emit(out / "cohort.pdf", make_pdfs([cohort_html])[0])
    tell("cohort")
    cohort = {"html": "cohort.html", "pdf": "cohort.pdf" if pdf else None}
    index = render(
        "index.html",
        {
            "kind": "index",
            "title": f"Reports: {scores.campaign}",
            "campaign": scores.campaign,
            "generated": pages.date,
            "cohort": cohort,
            "people": people,
        },
    )
    emit(out / "index.html", index)
    tell("index")
    return written


def zip_reports(
    scores: CampaignScores,
    framework: Framework,
    instrument: Instrument,
    **options: Unpack[CampaignOptions],
) -> tuple[bytes, str]:
    """Every participant's report and the cohort report in one zip archive: (archive, "pdf"),
    or (archive, "html") when no PDF can be made here (WeasyPrint without Pango).

    A participant's file is named by code and name ("P01-Amara-Okafor.pdf"), made safe for
    any file system by safe_filename and unique in the archive; the cohort report is
    cohort.pdf (cohort.html). languages maps participant codes to the language of their
    report (English where none is given; the cohort report is English). changes,
    compared_with, percentiles, norm_name and notes are as for write_reports.
    """
    names = options.get("names") or {}
    made = _Pages(scores, framework, instrument, options, options.get("generated") or today())
    taken: set[str] = set(RESERVED)
    pages: list[tuple[str, str]] = []
    for ps in scores.participants:
        name = names.get(ps.participant)
        label = ps.participant if not name else f"{ps.participant} {name}"
        pages.append((_unique(safe_filename(label), taken), made.participant(ps)))
    pages.append(("cohort", made.cohort()))
    kind = "pdf"
    try:
        files = [(f"{stem}.pdf", html_to_pdf(html)) for stem, html in pages]
    except BifocalsError:  # no PDF engine here: the HTML pages instead
        kind = "html"
        files = [(f"{stem}.html", html.encode("utf-8")) for stem, html in pages]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename, data in files:
            archive.writestr(filename, data)
    return buffer.getvalue(), kind
