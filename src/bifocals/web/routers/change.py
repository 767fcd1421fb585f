"""The change initiative dashboard: the list of stored initiatives, one initiative's report
inside the site layout, and its PDF. Admins and facilitators only; participants get 403."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from markupsafe import Markup

from bifocals.change.importer import get_initiative, list_initiatives
from bifocals.change.model import Initiative
from bifocals.change.render import render_body, render_pdf, report_css
from bifocals.change.report import ChangeReport, build_report
from bifocals.errors import BifocalsError
from bifocals.web.accounts import audit
from bifocals.web.deps import csrf_protect, get_store, render, require_role
from bifocals.web.security import User

router = APIRouter(dependencies=[Depends(csrf_protect)])
Manager = Annotated[User, Depends(require_role("admin", "facilitator"))]

SCOPE = ".change-report"
_AT_BLOCK = re.compile(r"@(page|media)[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def scope_css(css: str, scope: str = SCOPE) -> str:
    """The report's stylesheet limited to `scope`: print-only blocks dropped, `body` rules
    applied to the scope itself, every other selector prefixed, so the site's styles stay."""
    out = []
    for m in _RULE.finditer(_AT_BLOCK.sub("", css)):
        selectors = []
        for sel in m.group(1).split(","):
            sel = sel.strip()
            if not sel:
                continue
            if sel == "body":
                selectors.append(scope)
            else:
                selectors.append(f"{scope} {sel}")
        # The site sets the page's font, size and margins: keep the report's colours only.
        body = m.group(2).strip()
        if m.group(1).strip() == "body":
            body = "; ".join(
                d for d in (p.strip() for p in body.split(";")) if d.startswith("color")
            )
        if selectors and body:
            out.append(f"{', '.join(selectors)} {{ {body} }}")
    return "\n".join(out)


@lru_cache(maxsize=1)
def dashboard_css() -> str:
    """The report's stylesheet scoped to the dashboard's section (computed once)."""
    return scope_css(report_css())


def initiative_path(name: str) -> str:
    """The dashboard URL of an initiative (any character of the name is quoted)."""
    return f"/initiatives/{quote(name, safe='')}"


def _load(request: Request, name: str) -> tuple[Initiative, ChangeReport]:
    try:
        ini = get_initiative(get_store(request), name)
    except BifocalsError as exc:
        if name not in {i["name"] for i in list_initiatives(get_store(request))}:
            raise HTTPException(
                404, "There is no initiative with that name. The list shows every stored one."
            ) from exc
        raise
    return ini, build_report(ini)


def _pdf_filename(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "initiative"
    return f"{stem[:80]}.pdf"


@router.get("/initiatives", include_in_schema=False)
def initiatives_page(request: Request, user: Manager) -> Response:
    """Every stored change initiative with a link to its dashboard."""
    rows = [
        {
            **i,
            "href": initiative_path(i["name"]),
            "imported": i["imported_at"][:16].replace("T", " "),
        }
        for i in list_initiatives(get_store(request))
    ]
    return render(request, "change/list.html", {"initiatives": rows})


@router.get("/initiatives/{name:path}.pdf", include_in_schema=False)
def initiative_pdf(request: Request, name: str, user: Manager) -> Response:
    """The initiative's report as a PDF download."""
    _, report = _load(request, name)
    try:
        pdf = render_pdf(report)
    except BifocalsError as exc:
        raise HTTPException(503, f"The PDF cannot be made on this server: {exc}") from exc
    audit(get_store(request), user, "initiative.pdf", name)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{_pdf_filename(name)}"'},
    )


@router.get("/initiatives/{name:path}", include_in_schema=False)
def initiative_page(request: Request, name: str, user: Manager) -> Response:
    """The dashboard: findings, alignment over periods, duty coverage, readiness heat map."""
    ini, report = _load(request, name)
    ctx = {
        "ini": ini,
        "counts": report.counts(),
        "pdf_href": initiative_path(name) + ".pdf",
        # render_body autoescapes every value; its SVGs are built from escaped parts.
        "body": Markup(render_body(report)),
        "css": Markup(dashboard_css()),
    }
    return render(request, "change/dashboard.html", ctx)
