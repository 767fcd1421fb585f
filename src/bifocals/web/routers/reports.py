"""Report pages and exports: individual and cohort reports (HTML, PDF), scores and progress.

Only score_campaign output and response counts are served; no route returns raw answers.
Every view or export is audited with an action in REPORT_SEEN_ACTIONS, which blocks re-opening.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from bifocals.errors import BifocalsError
from bifocals.locale import gettext_for, language_or_default
from bifocals.reports import (
    cohort_report_html,
    html_to_pdf,
    individual_report_html,
    safe_filename,
    zip_reports,
)
from bifocals.services.access import can_view_report, managed_campaign
from bifocals.services.baselines import report_extras
from bifocals.services.campaigns import ResultsRead
from bifocals.services.results import (
    Results,
    load_results,
    participant_code,
    progress_csv,
    scores_csv,
)
from bifocals.services.security import User
from bifocals.store.tables import participants
from bifocals.web.deps import (
    Anyone,
    Manager,
    get_store,
    managed,
)
from bifocals.web.routers import attachment, page_router

router = page_router("/campaigns/{campaign_id}", shows_results=True)


def _with_back_link(
    html: str, href: str, label: str, pdf_href: str | None = None, lang: str | None = None
) -> str:
    """The standalone report page with a plain link back into the site at the top, and a
    "Download PDF" link when `pdf_href` is given (the page itself prints as well)."""
    _ = gettext_for(lang)
    download = _("Download PDF")
    pdf = (
        f' <span aria-hidden="true">&middot;</span> <a href="{escape(pdf_href)}" download>'
        f"{escape(download)}</a>"
        if pdf_href
        else ""
    )
    link = (
        f'<nav class="site-links" aria-label="Report" '
        f'style="font-family: sans-serif; margin: 0.5rem 1rem">'
        f'<a href="{escape(href)}">&larr; {escape(label)}</a>{pdf}</nav>'
    )
    head, sep, rest = html.partition("<body")
    if not sep:
        return link + html
    attrs, close, body = rest.partition(">")
    return f"{head}<body{attrs}{close}{link}{body}"


def _individual(
    request: Request, campaign_id: int, pid: int, user: User, action: str
) -> tuple[str, str, str]:
    """(report HTML, participant code, its language), after checking who may see it; the read
    is audited. The report is in the participant's language (English when none is set)."""
    store = get_store(request)
    with store.engine.connect() as conn:
        if not can_view_report(conn, user, campaign_id, pid):
            raise HTTPException(404, "no report to show here")
        code = participant_code(conn, campaign_id, pid)
        lang = language_or_default(
            conn.execute(
                sa.select(participants.c.language).where(participants.c.id == pid)
            ).scalar()
        )
    read = ResultsRead(user, action, f"participant:{code}")
    results = load_results(store, campaign_id, read)
    ps = results.participant(code)
    extras = report_extras(store, results, read)
    html = individual_report_html(
        results.scores,
        ps,
        results.framework,
        results.instrument,
        display_name=results.names.get(code),
        language=lang,
        change=None if extras.changes is None else extras.changes.get(code),
        compared_with=extras.compared_with,
        percentiles=None if extras.percentiles is None else extras.percentiles.get(code, ()),
        norm_name=None if extras.norm is None else extras.norm.name,
        notes=extras.notes,
    )
    return html, code, lang


@router.get("/participants/{pid}/report", include_in_schema=False)
def individual_page(request: Request, campaign_id: int, pid: int, user: Anyone) -> Response:
    """One participant's report (facilitators after close; the participant after release)."""
    html, _code, lang = _individual(request, campaign_id, pid, user, "report.view")
    if user.role == "participant":
        _ = gettext_for(lang)
        back, label = "/me", _("My feedback")
    else:
        back, label = f"/campaigns/{campaign_id}", "Back to campaign"
    pdf = f"/campaigns/{campaign_id}/participants/{pid}/report.pdf"
    return HTMLResponse(_with_back_link(html, back, label, pdf, lang))


def _pdf(html: str, filename: str) -> Response:
    try:
        data = html_to_pdf(html)
    except BifocalsError as exc:
        raise HTTPException(503, str(exc)) from exc
    return attachment(data, filename, "application/pdf")


@router.get("/participants/{pid}/report.pdf", include_in_schema=False)
def individual_pdf(request: Request, campaign_id: int, pid: int, user: Anyone) -> Response:
    """The same report as PDF."""
    html, code, _lang = _individual(request, campaign_id, pid, user, "report.pdf")
    return _pdf(html, f"{safe_filename(code)}.pdf")


def _campaign_results(
    request: Request, campaign_id: int, user: User, action: str, detail: str = ""
) -> tuple[Results, ResultsRead]:
    """The results of a campaign `user` manages, with the audited read that loaded them."""
    camp = managed(request, user, campaign_id)
    read = ResultsRead(user, action, f"campaign:{camp.name}", detail)
    return load_results(get_store(request), campaign_id, read), read


def _cohort(
    request: Request, campaign_id: int, user: User, action: str, detail: str = ""
) -> tuple[str, str]:
    results, read = _campaign_results(request, campaign_id, user, action, detail)
    extras = report_extras(get_store(request), results, read)
    html = cohort_report_html(
        results.scores,
        results.framework,
        results.instrument,
        names=results.names,
        changes=extras.changes,
        compared_with=extras.compared_with,
    )
    return html, results.name


@router.get("/cohort", include_in_schema=False)
def cohort_page(request: Request, campaign_id: int, user: Manager) -> Response:
    """The cohort report of a closed campaign."""
    html, _name = _cohort(request, campaign_id, user, "cohort.view")
    home = f"/campaigns/{campaign_id}"
    return HTMLResponse(_with_back_link(html, home, "Back to campaign", f"{home}/cohort.pdf"))


@router.get("/cohort.pdf", include_in_schema=False)
def cohort_pdf(request: Request, campaign_id: int, user: Manager) -> Response:
    """The cohort report as PDF."""
    html, name = _cohort(request, campaign_id, user, "cohort.export", "pdf")
    return _pdf(html, f"{safe_filename(name)}-cohort.pdf")


@router.get("/reports.zip", include_in_schema=False)
def reports_zip(request: Request, campaign_id: int, user: Manager) -> Response:
    """Every participant's report and the cohort report in one zip: PDFs, or the HTML pages
    when no PDF engine is installed. Who may: as for the cohort report (the campaign's
    facilitators and admins, once it is closed); the read is audited like the other exports,
    so the results count as seen."""
    results, read = _campaign_results(request, campaign_id, user, "report.export", "reports.zip")
    extras = report_extras(get_store(request), results, read)
    body, _kind = zip_reports(
        results.scores,
        results.framework,
        results.instrument,
        **extras.report_options(results.names, results.languages),
    )
    return attachment(body, f"{safe_filename(results.name)}-reports.zip", "application/zip")


@router.get("/export/scores.csv", include_in_schema=False)
def scores_csv_export(request: Request, campaign_id: int, user: Manager) -> Response:
    """Thresholded aggregates, one row per shown cell."""
    results, _read = _campaign_results(request, campaign_id, user, "report.export", "scores.csv")
    name = f"{safe_filename(results.name)}-scores.csv"
    return attachment(scores_csv(results), name, "text/csv; charset=utf-8")


@router.get("/export/scores.json", include_in_schema=False)
def scores_json_export(request: Request, campaign_id: int, user: Manager) -> Response:
    """The scores' to_dict (aggregated, thresholded)."""
    results, _read = _campaign_results(request, campaign_id, user, "report.export", "scores.json")
    body = json.dumps(results.scores.to_dict(), indent=1)
    return attachment(body, f"{safe_filename(results.name)}-scores.json", "application/json")


@router.get("/export/progress.csv", include_in_schema=False)
def progress_csv_export(request: Request, campaign_id: int, user: Manager) -> Response:
    """Answered and invited counts per participant and group; no answers, no rater names."""
    with get_store(request).engine.connect() as conn:
        camp = managed_campaign(conn, user, campaign_id)
        body = progress_csv(conn, campaign_id)
    name = f"{safe_filename(camp.name)}-progress.csv"
    return attachment(body, name, "text/csv; charset=utf-8")
