"""HTML to PDF with WeasyPrint: A4, running header, page numbers, charts kept whole.

Every PDF (the 360 reports and the change report) is made by `html_to_pdf`, whose URL fetcher
loads only `data:` URIs and the package's own assets (`bifocals-asset:reports/templates/x.css`):
never a `file://` path or an `http(s)://` address, whatever text reaches a template.
"""

from __future__ import annotations

import mimetypes
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote
from urllib.request import DataHandler, Request

from bifocals.errors import BifocalsError

ASSET_SCHEME = "bifocals-asset"
ASSET_SUFFIXES: frozenset[str] = frozenset(
    {".css", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".woff", ".woff2", ".ttf", ".otf"}
)


class RefusedURL(ValueError):
    """A resource a PDF asked for that the fetcher will not load (it is left out)."""


def fetch_resource(url: str) -> tuple[bytes, str]:
    """(body, media type) of a resource a PDF page refers to, or RefusedURL.

    Loads a `data:` URI, or `bifocals-asset:<path>`, a file of the installed bifocals package
    with a stylesheet, image or font suffix (no `..`, no absolute path). Everything else
    (`file:`, `http:`, `https:`, `ftp:`, relative paths) is refused, so a PDF never reads the
    server's files or calls out to the network.
    """
    scheme, sep, rest = url.partition(":")
    scheme = scheme.lower()
    if sep and scheme == "data":
        with DataHandler().data_open(Request(url)) as found:
            return found.read(), found.headers.get_content_type()
    if sep and scheme == ASSET_SCHEME:
        return _asset(url, unquote(rest.split("?", 1)[0].split("#", 1)[0]))
    raise RefusedURL(
        f"PDF resource {url[:100]!r} refused: reports load only data: URIs and "
        f"{ASSET_SCHEME}: files of the package, never file:// or http(s):// addresses"
    )


def _asset(url: str, path: str) -> tuple[bytes, str]:
    parts = PurePosixPath(path).parts
    if (
        not parts
        or path.startswith("/")
        or "\\" in path
        or any(p in ("..", ".", "") for p in parts)
        or PurePosixPath(path).suffix.lower() not in ASSET_SUFFIXES
    ):
        raise RefusedURL(f"PDF asset {url[:100]!r} refused: not a stylesheet, image or font path")
    node = resources.files("bifocals").joinpath(*parts)
    if not node.is_file():
        raise RefusedURL(f"PDF asset {url[:100]!r} refused: no such file in the package")
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return node.read_bytes(), mime


def _fetch_for_weasyprint(fetcher: Any, url: str, headers: Any = None) -> Any:
    """URLFetcher.fetch (WeasyPrint with a URLFetcher class): fetch_resource as a response."""
    from weasyprint.urls import URLFetcherResponse

    body, mime = fetch_resource(url)  # WeasyPrint logs a refusal and leaves the resource out
    return URLFetcherResponse(url, body, {"Content-Type": mime})


def _fetch_as_dict(url: str) -> dict[str, Any]:
    """The url_fetcher function of older WeasyPrint (no URLFetcher class): a dict."""
    body, mime = fetch_resource(url)
    return {"string": body, "mime_type": mime, "redirected_url": url}


@cache
def url_fetcher() -> Any:
    """The one URL fetcher every PDF is made with (see fetch_resource)."""
    import weasyprint.urls

    base = getattr(weasyprint.urls, "URLFetcher", None)
    if base is None:
        return _fetch_as_dict
    # A subclass of WeasyPrint's fetcher whose fetch() never opens a file or a socket.
    cls = type("BifocalsURLFetcher", (base,), {"fetch": _fetch_for_weasyprint})
    return cls()


@cache
def _font_config() -> Any:
    """One WeasyPrint font configuration per process (saves about a tenth of each PDF)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of a report page (its print stylesheet sets A4, headers and page breaks).

    Raises BifocalsError when WeasyPrint cannot load its Pango library.
    """
    try:
        import weasyprint
    except OSError as exc:  # WeasyPrint raises OSError when Pango is missing
        raise BifocalsError(
            f"cannot make PDF files: WeasyPrint needs the Pango library ({exc}); "
            "install it (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0) "
            "or leave out --pdf"
        ) from exc
    fetcher = url_fetcher()
    pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=_font_config())
    if not isinstance(pdf, bytes):
        raise BifocalsError("WeasyPrint returned no PDF")
    return pdf


# PDFs handed to the worker processes at a time, per worker (bounds the HTML held in memory).
PDF_BATCH = 4


@contextmanager
def pdf_maker(workers: int = 1) -> Iterator[Callable[[Sequence[str]], list[bytes]]]:
    """A function turning a batch of HTML pages into PDFs, in-process or in a process pool.

    WeasyPrint holds the GIL, so only processes make PDFs in parallel; they are started with
    spawn (not fork) because the caller may hold database connections or threads.
    """
    if workers <= 1:
        yield lambda pages: [html_to_pdf(h) for h in pages]
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        yield lambda pages: list(pool.map(html_to_pdf, pages))


def html_to_pdfs(pages: Sequence[str], workers: int = 1) -> list[bytes]:
    """PDFs of many pages, in order, using `workers` processes when more than one."""
    with pdf_maker(workers) as make:
        return make(pages)
