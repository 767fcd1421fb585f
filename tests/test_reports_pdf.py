"""360 reports on the real demo campaign (SQLite store -> score_campaign), HTML and PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bifocals.demo import participant_names
from bifocals.framework.model import Framework
from bifocals.instruments.model import Instrument
from bifocals.reports import (
    cohort_report_html,
    html_to_pdf,
    individual_report_html,
    write_reports,
)
from bifocals.scoring import GROUP_LABELS, CampaignScores
from support.reports import scored_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[CampaignScores, Framework, Instrument]:
    """The demo campaign imported into a real SQLite store, loaded back and scored."""
    d = tmp_path_factory.mktemp("demo")
    return scored_demo(d)


def _pages(pdf: bytes, html: str) -> int:
    """Page count: pdfinfo when poppler is installed, else WeasyPrint's own layout."""
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
        found = re.search(rb"^Pages:\s+(\d+)", info.stdout, re.M)
        assert found is not None
        return int(found.group(1))
    import weasyprint

    return len(weasyprint.HTML(string=html).render().pages)


def _names() -> dict[str, str]:
    return {code: full.split(",")[0] for code, full in participant_names().items()}


def test_demo_reports_never_show_a_suppressed_group(
    demo: tuple[CampaignScores, Framework, Instrument],
) -> None:
    scores, framework, instrument = demo
    suppressed_seen = pooled_seen = 0
    for ps in scores.participants:
        html = individual_report_html(scores, ps, framework, instrument)
        assert "<script" not in html.lower()
        table = html.split('<table class="groups">', 1)[1].split("</table>", 1)[0]
        for key in ps.suppressed:
            suppressed_seen += 1
            assert f"<td>{GROUP_LABELS[key]}</td>" not in table
            assert f"Not shown: {GROUP_LABELS[key]}" in html
        for c in ps.comments:
            assert c.group not in ps.suppressed
        for g in ps.groups:
            if g.pooled_from:
                pooled_seen += 1
                assert "together: each group alone is too small to stay anonymous" in table
                assert f'<td class="num">{g.n_raters}</td>' in table
    assert suppressed_seen > 0 and pooled_seen > 0  # the demo has small groups on purpose


@pytest.mark.pdf
def test_demo_pdf_has_pages_and_text(
    demo: tuple[CampaignScores, Framework, Instrument],
    pdf_engine: None,
    artifacts_dir: Path,
) -> None:
    scores, framework, instrument = demo
    names = _names()
    html = individual_report_html(
        scores, "P04", framework, instrument, generated="2026-11-23", display_name=names["P04"]
    )
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    pages = _pages(pdf, html)
    assert pages > 1
    out = artifacts_dir / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / "individual-P04.pdf").write_bytes(pdf)
    cohort_html = cohort_report_html(scores, framework, instrument, names=names)
    cohort = html_to_pdf(cohort_html)
    assert cohort.startswith(b"%PDF") and _pages(cohort, cohort_html) > 1
    (out / "cohort.pdf").write_bytes(cohort)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(out / "individual-P04.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Daniel Kim" in text and f"Page 2 of {pages}" in text
        assert "Dimension by dimension" in text
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(out / "individual-P04.pdf"), str(out / "P04")],
            check=True,
        )


@pytest.mark.pdf
def test_write_reports_with_pdf(
    demo: tuple[CampaignScores, Framework, Instrument], pdf_engine: None, tmp_path: Path
) -> None:
    scores, framework, instrument = demo
    head = type(scores)(
        campaign=scores.campaign,
        instrument=scores.instrument,
        thresholds=scores.thresholds,
        participants=scores.participants[:2],
        reliability=scores.reliability,
    )
    seen: list[str] = []
    paths = write_reports(
        head,
        framework,
        instrument,
        tmp_path,
        pdf=True,
        names=_names(),
        progress=seen.append,
        workers=2,
    )
    assert seen == ["P01", "P02", "cohort", "index"]
    assert sorted(p.name for p in paths) == [
        "Amara-Okafor.html",
        "Amara-Okafor.pdf",
        "Lukas-Brandt.html",
        "Lukas-Brandt.pdf",
        "cohort.html",
        "cohort.pdf",
        "index.html",
    ]
    for p in paths:
        if p.suffix == ".pdf":
            assert p.read_bytes().startswith(b"%PDF")
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="Amara-Okafor.pdf"' in index and 'href="cohort.pdf"' in index
