"""HTML to PDF with WeasyPrint: A4, running header, page numbers, charts kept whole."""

from __future__ import annotations

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
