"""The change report as JSON, HTML (inline SVG) and PDF, from the demo initiative."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bifocals.change import ChangeReport, build_report
from bifocals.change.loader import demo_initiative_text, load_initiative_text
from bifocals.reports.change import render_html, render_pdf


@pytest.fixture(scope="module")
def report() -> ChangeReport:
    ini, _ = load_initiative_text(demo_initiative_text(), "demo")
    return build_report(ini)


def test_json_is_complete_and_serialisable(report: ChangeReport) -> None:
    data = json.loads(json.dumps(report.to_dict()))
    assert data["initiative"]["name"] == "Move the order system to the cloud"
    assert [p["band"] for p in data["alignment"]["periods"]] == [
        "aligned",
        "misaligned",
        "aligned",
    ]
    assert len(data["duties"]) == 14 and len(data["kotter"]) == 8
    assert {r["key"] for r in data["readiness"]["rows"]} == {
        "warehouse",
        "customer_service",
        "it_ops",
        "overall",
    }
    # The suppressed group is named, but none of its numbers appear anywhere.
    assert data["readiness"]["suppressed_groups"] == ["Finance operations"]
    assert data["finding_counts"]["error"] == 3
    severities = [f["severity"] for f in data["findings"]]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_html_has_every_section_and_escapes(report: ChangeReport, artifacts_dir: Path) -> None:
    html = render_html(report)
    (artifacts_dir / "change-report.html").write_text(html, encoding="utf-8")
    for anchor in ("findings", "alignment", "duties", "rights", "readiness", "kotter", "health"):
        assert f'id="{anchor}"' in html
    drift = f"{report.alignment.angle[1]:.0f}°"
    assert html.count("<svg") == 2 and drift in html and "2.9 ▲" in html
    assert "Finance operations" in html  # named as left out, without numbers
    assert "<script" not in html


def test_html_escapes_user_text() -> None:
    text = demo_initiative_text().replace(
        "name: Move the order system to the cloud", "name: '<b>Cloud</b> & co'"
    )
    ini, _ = load_initiative_text(text, "demo")
    html = render_html(build_report(ini))
    assert "<b>Cloud</b>" not in html and "&lt;b&gt;Cloud&lt;/b&gt; &amp; co" in html


@pytest.mark.pdf
def test_pdf(report: ChangeReport, pdf_engine: None, artifacts_dir: Path) -> None:
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    (artifacts_dir / "change-report.pdf").write_bytes(pdf)
