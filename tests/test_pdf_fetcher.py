"""PDFs never fetch file:// or http(s):// resources: only data: URIs and the package's assets.

Whatever text reaches a template, the WeasyPrint URL fetcher of `html_to_pdf` (the 360 reports
and the change report) refuses to read the server's files or to call out to the network.
"""

from __future__ import annotations

import logging
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from bifocals.reports.pdf import RefusedURL, fetch_resource, html_to_pdf

SRC = Path(__file__).resolve().parents[1] / "src" / "bifocals"
PIXEL = (
    "data:image/svg+xml;base64,"
    "PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnIHdpZHRoPScxJyBoZWlnaHQ9JzEnLz4="
)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/hostname",
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.css",
        "ftp://example.org/x.css",
        "//example.org/x.css",
        "report.css",
        "/etc/passwd",
        "bifocals-asset:../../etc/passwd.css",
        "bifocals-asset:reports/../../x.css",
        "bifocals-asset:reports%2F..%2F..%2Fx.css",
        "bifocals-asset:/etc/x.css",
        "bifocals-asset:reports/pdf.py",
        "bifocals-asset:reports/templates/missing.css",
    ],
)
def test_fetcher_refuses(url: str) -> None:
    with pytest.raises(RefusedURL):
        fetch_resource(url)


def test_fetcher_loads_data_uris_and_package_assets() -> None:
    body, mime = fetch_resource("data:text/plain;base64,aGVsbG8=")
    assert (body, mime) == (b"hello", "text/plain")
    body, mime = fetch_resource("bifocals-asset:reports/templates/report.css")
    assert mime == "text/css" and body == (SRC / "reports/templates/report.css").read_bytes()


def test_only_the_fetching_html_to_pdf_makes_pdfs() -> None:
    """Every WeasyPrint document in the product is built in reports/pdf.py with the fetcher."""
    users = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"weasyprint\.(HTML|CSS)\(|\bwrite_pdf\(|from weasyprint import", text):
            users.append(path.relative_to(SRC).as_posix())
    assert users == ["reports/pdf.py"]
    source = (SRC / "reports/pdf.py").read_text(encoding="utf-8")
    calls = re.findall(r"weasyprint\.HTML\(([^)]*)\)", source)
    assert calls and all("url_fetcher=" in c for c in calls)
    change = (SRC / "reports/change.py").read_text(encoding="utf-8")
    assert "html_to_pdf(" in change  # the change report PDF goes through the same door


class _Counter(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b"#h::after { content: 'HTTPMARK7731' }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that counts the requests it gets."""
    hits: list[str] = []
    handler = type("Handler", (_Counter,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _page(tmp: Path, web: str) -> str:
    (tmp / "steal.css").write_text("#f::after { content: 'FILEMARK4417' }", encoding="utf-8")
    (tmp / "secret.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg' width='200' height='20'>"
        "<text y='15'>SVGMARK9051</text></svg>",
        encoding="utf-8",
    )
    return f"""<!doctype html><html><head>
<link rel="stylesheet" href="file://{tmp}/steal.css">
<link rel="stylesheet" href="{web}/remote.css">
<style>@import url("file://{tmp}/steal.css"); @import url("{web}/imported.css");</style>
</head><body><p>Visible body text</p><p id="f">f:</p><p id="h">h:</p>
<img src="file://{tmp}/secret.svg" alt="">
<img src="{web}/pixel.png" alt="">
<img src="{PIXEL}" alt="">
<div style="background: url('{web}/bg.png')">x</div>
</body></html>"""


def _text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


@pytest.mark.pdf
def test_a_pdf_never_reads_files_or_the_network(
    pdf_engine: None,
    tmp_path: Path,
    http_server: tuple[str, list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    web, hits = http_server
    html = _page(tmp_path, web)
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        text = _text(html_to_pdf(html))
    assert "Visible body text" in text
    for marker in ("FILEMARK4417", "SVGMARK9051", "HTTPMARK7731"):
        assert marker not in text
    assert hits == []  # not one request reached the server
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("file://" in m and "steal.css" in m for m in refused)
    assert any("secret.svg" in m for m in refused)
    assert any(f"{web}/remote.css" in m for m in refused)
    assert any(f"{web}/pixel.png" in m for m in refused)


@pytest.mark.pdf
def test_the_same_page_does_leak_without_the_fetcher(
    pdf_engine: None, tmp_path: Path, http_server: tuple[str, list[str]]
) -> None:
    """Control: WeasyPrint's default fetcher reads the file and calls the server, so the test
    above would notice a PDF made without the fetcher."""
    import weasyprint

    web, hits = http_server
    text = _text(weasyprint.HTML(string=_page(tmp_path, web)).write_pdf())
    assert "FILEMARK4417" in text and "SVGMARK9051" in text and "HTTPMARK7731" in text
    assert hits


@pytest.mark.pdf
def test_a_report_pdf_with_markup_in_a_name_reads_no_file(
    pdf_engine: None, db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Through the web door: a participant name holding tags comes out as text, fetches nothing."""
    from support.closed_campaign import seeded_site
    from support.web import login, store_at, web_client

    site = seeded_site(db_url, tmp_path)
    secret = tmp_path / "secret.css"
    secret.write_text("body::before { content: 'NAMEMARK2208' }", encoding="utf-8")
    name = f'<link rel="stylesheet" href="file://{secret}"><img src="file:///etc/passwd">'
    with store_at(db_url) as store:
        store.set_participant_names("Autumn", {"P1": name})
    with web_client(db_url) as client, caplog.at_level(logging.ERROR, logger="weasyprint"):
        login(client, "fac@example.org")
        r = client.get(f"/campaigns/{site.campaign_id}/participants/{site.pids['P1']}/report.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = _text(r.content)
    assert "NAMEMARK2208" not in text and "root:" not in text
    assert "<img" in re.sub(r"\s+", " ", text)  # the markup is shown as text, not run
    assert not [m for m in caplog.records if "secret.css" in m.getMessage()]  # never even asked
