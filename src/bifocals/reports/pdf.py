"""HTML to PDF with WeasyPrint: A4, running header, page numbers, charts kept whole."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache
from typing import Any

from bifocals.errors import BifocalsError


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
    pdf = weasyprint.HTML(string=html).write_pdf(font_config=_font_config())
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
