"""`bifocals report` and the reports zip write each participant's report in the participant's
stored language (English where none is set); the index and the cohort report stay English."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bifocals.cli import app as cli
from bifocals.reports import zip_reports
from bifocals.services.campaigns import ResultsRead
from bifocals.services.results import load_results
from bifocals.store.tables import participants
from support.web import store_at

DEMO = "Northwind leadership programme 2026"
LANGS = {"P01": "de", "P02": "fr", "P03": "es"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The demo campaign, closed, with P01 in German, P02 in French, P03 in Spanish."""
    path = tmp_path / "files.db"
    assert CliRunner().invoke(cli, ["demo", "load", "--db", str(path)]).exit_code == 0
    with store_at(f"sqlite:///{path}") as store, store.engine.begin() as conn:
        for code, lang in LANGS.items():
            conn.execute(
                sa.update(participants).where(participants.c.code == code).values(language=lang)
            )
    return path


def _lang(html: str) -> str:
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_cli_report_writes_each_participant_in_their_language(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = CliRunner().invoke(cli, ["report", DEMO, "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    with store_at(f"sqlite:///{db}") as store, store.engine.connect() as conn:
        names = dict(conn.execute(sa.select(participants.c.code, participants.c.name)).all())
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    by_code = {
        code: next(t for n, t in pages.items() if n.startswith(names[code].split()[0]))
        for code in ("P01", "P02", "P03", "P04")
    }
    assert _lang(by_code["P01"]) == "de" and "So lesen Sie diesen Bericht" in by_code["P01"]
    assert _lang(by_code["P02"]) == "fr" and "Comment lire ce rapport" in by_code["P02"]
    assert _lang(by_code["P03"]) == "es" and "Cómo leer este informe" in by_code["P03"]
    assert _lang(by_code["P04"]) == "en" and "How to read this report" in by_code["P04"]
    assert _lang(pages["cohort.html"]) == "en" and _lang(pages["index.html"]) == "en"


def _lang_of(filename: str, data: bytes) -> str:
    """The language a zipped report declares: <html lang> of a page, /Lang of a PDF (WeasyPrint
    writes the page's lang there, in a compressed object stream)."""
    if filename.endswith(".html"):
        return _lang(data.decode("utf-8"))
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            text = zlib.decompress(stream.group(1))
        except zlib.error:
            continue
        if found := re.search(rb"/Lang\s*\(([a-z-]+)\)", text):
            return found.group(1).decode()
    found = re.search(rb"/Lang\s*\(([a-z-]+)\)", data)
    return found.group(1).decode() if found else ""


def test_zip_has_each_report_in_its_language(db: Path) -> None:
    with store_at(f"sqlite:///{db}") as store:
        read = ResultsRead(None, "report.export", f"campaign:{DEMO}", "test zip")
        results = load_results(store, 1, read)
    assert results.languages == LANGS
    # two participants (German, none set) keep the PDFs few
    kept = tuple(p for p in results.scores.participants if p.participant in ("P01", "P04"))
    body, _kind = zip_reports(
        dataclasses.replace(results.scores, participants=kept),
        results.framework,
        results.instrument,
        names=results.names,
        languages=results.languages,
    )
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        langs = {
            n.split("-", 1)[0].split(".")[0]: _lang_of(n, archive.read(n))
            for n in archive.namelist()
        }
    assert langs == {"P01": "de", "P04": "en", "cohort": "en"}
