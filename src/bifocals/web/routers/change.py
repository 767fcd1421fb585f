"""The change initiative pages: the list of initiatives (with a YAML upload), one initiative's
dashboard inside the site layout, its PDF and JSON, its facilitators, its readiness survey
links, and its effort imports (upload an export, preview it, apply it). Admins see every
initiative, a facilitator only the ones assigned to them (others answer 404); participants get
403. The respondents' pages (/readiness/{token}) live in routers/readiness.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.types import DecoratedCallable
from markupsafe import Markup

from bifocals.addresses import EMAIL
from bifocals.change.effort_plan import THEMED_BY
from bifocals.change.loader import load_initiative_text
from bifocals.change.model import Initiative
from bifocals.change.report import ChangeReport, build_report
from bifocals.errors import BifocalsError, NotFound, Problem, ValidationError
from bifocals.reports.change import render_body, render_pdf, report_css
from bifocals.services.accounts import audit, write_audit
from bifocals.services.change_records import (
    embedder_for,
    get_initiative,
    list_initiatives,
    save_initiative,
)
from bifocals.services.effort import (
    KINDS,
    MAX_EXPORT_BYTES,
    MAX_MAPPING_BYTES,
    EffortFile,
    apply_preview,
    effort_history,
    preview_upload,
    stored_preview,
)
from bifocals.services.initiatives import (
    NOT_FOUND,
    assign_initiative_facilitator,
    can_manage_initiative,
    facilitator_counts,
    facilitators_of,
    managed_initiative,
    remove_initiative_facilitator,
)
from bifocals.services.mail import send_mail
from bifocals.services.readiness_links import (
    MAX_LABEL,
    MAX_LINKS,
    collection_counts,
    group_names,
    issue_links,
    set_collecting,
    show_results,
    web_reader,
)
from bifocals.services.security import User
from bifocals.services.token_links import LinkKind, link_url, mark_sent
from bifocals.store.change_tables import change_initiatives
from bifocals.web.deps import (
    Admin,
    Manager,
    get_settings,
    get_store,
    no_cross_site_read,
    public_base,
    render,
)
from bifocals.web.link_pages import stash_issued, take_issued
from bifocals.web.routers import (
    Text,
    Upload,
    attachment,
    flash_outcome,
    flash_to,
    page_router,
    see_other,
    upload_name,
)

router = page_router()

SCOPE = ".change-report"
MAX_UPLOAD = 10_000_000
MAX_EMAILS = MAX_LINKS
_EMAIL = EMAIL  # bifocals.addresses: the one rule
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


def _managed(request: Request, user: User, name: str) -> Any:
    with get_store(request).engine.connect() as conn:
        return managed_initiative(conn, user, name)


def _load(request: Request, user: User, name: str, kind: str) -> tuple[Initiative, ChangeReport]:
    """The initiative and its report for a page or download (kind: view, pdf, json).

    The read is audited by web_reader; the web survey's answers are in only once it is closed
    (see readiness_links: results only after closing)."""
    _managed(request, user, name)
    try:
        ini = get_initiative(get_store(request), name, web_reader(user, kind))
    except BifocalsError as exc:  # removed between the two reads
        raise HTTPException(404, NOT_FOUND) from exc
    return ini, build_report(ini)


def _pdf_filename(name: str, ext: str = "pdf") -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "initiative"
    return f"{stem[:80]}.{ext}"


def _list_page(
    request: Request,
    user: User,
    problems: list[Problem] | None = None,
    error: str = "",
    source: str = "",
    status_code: int = 200,
) -> Response:
    store = get_store(request)
    mine = user.id if user.role == "facilitator" else None
    counts: dict[str, int] = {}
    if user.role == "admin":
        with store.engine.connect() as conn:
            counts = facilitator_counts(conn)
    rows = [
        {
            **i,
            "href": initiative_path(i["name"]),
            "imported": i["imported_at"][:16].replace("T", " "),
            "facilitators": counts.get(i["name"], 0),
        }
        for i in list_initiatives(store, mine)
    ]
    ctx = {"initiatives": rows, "problems": problems or [], "error": error, "source": source}
    return render(request, "change/list.html", ctx, status_code=status_code)


@router.get("/initiatives", include_in_schema=False)
def initiatives_page(request: Request, user: Manager) -> Response:
    """The initiatives you may open, with a link to each dashboard and the upload form."""
    return _list_page(request, user)


@router.post("/initiatives/import", include_in_schema=False)
async def import_upload(
    request: Request,
    user: Manager,
    file: Upload,
    replace: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Import an initiative YAML file, all or nothing; a facilitator who imports it manages it."""
    source = "upload:" + upload_name(file.filename, "initiative.yaml")
    raw = await file.read(MAX_UPLOAD + 1)
    # Parsing, the analyzer and the database work block: run them off the event loop.
    return await run_in_threadpool(
        _import_upload, request, user, raw, file.filename or "", source, bool(replace)
    )


def _import_upload(
    request: Request, user: User, raw: bytes, filename: str, source: str, replace: bool
) -> Response:
    if len(raw) > MAX_UPLOAD:
        problem = Problem(source, None, "file", f"{len(raw)} bytes", "larger than 10 MB")
        return _list_page(request, user, [problem], source=source, status_code=400)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = Problem(source, None, "file", filename, f"not UTF-8 text ({exc.reason})")
        return _list_page(request, user, [problem], source=source, status_code=400)
    try:
        ini, data = load_initiative_text(text, source)
    except ValidationError as exc:
        return _list_page(request, user, exc.problems, source=source, status_code=400)
    except BifocalsError as exc:
        return _list_page(request, user, error=str(exc), source=source, status_code=400)
    store = get_store(request)
    t = change_initiatives
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(t.c.id).where(t.c.name == ini.name)).first()
        allowed = found is None or can_manage_initiative(conn, user, int(found.id))
    if found is not None and not (replace and allowed):
        why = (
            "tick 'Replace an initiative of the same name' to overwrite it"
            if allowed
            else "it is managed by someone else; change `name` in the file"
        )
        error = f"name: {ini.name!r}: an initiative with this name already exists; {why}."
        return _list_page(request, user, error=error, source=source, status_code=400)
    try:
        done = save_initiative(
            store,
            ini,
            data,
            source,
            replace_existing=found is not None,
            embedder=embedder_for(ini),
            facilitator_id=user.id if user.role == "facilitator" else None,
        )
    except BifocalsError as exc:
        return _list_page(request, user, error=str(exc), source=source, status_code=400)
    verb = "replaced" if done.replaced else "imported"
    audit(store, user, f"initiative.{'replace' if done.replaced else 'import'}", ini.name, source)
    note = f"Initiative {ini.name!r} {verb}: {done.tasks} tasks."
    return flash_to(request, initiative_path(ini.name), note)


def _report_file(ext: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """The route of a download of the initiative's report as `ext`: its read is audited, so a
    link on another site must not open it (declared before the dashboard, whose path
    parameter would otherwise take this address)."""
    return router.get(
        f"/initiatives/{{name:path}}.{ext}",
        include_in_schema=False,
        dependencies=[Depends(no_cross_site_read)],
    )


@_report_file("pdf")
def initiative_pdf(request: Request, name: str, user: Manager) -> Response:
    """The initiative's report as a PDF download."""
    _, report = _load(request, user, name, "pdf")
    try:
        pdf = render_pdf(report)
    except BifocalsError as exc:
        raise HTTPException(503, f"The PDF cannot be made on this server: {exc}") from exc
    return attachment(pdf, _pdf_filename(name), "application/pdf")


@_report_file("json")
def initiative_json(request: Request, name: str, user: Manager) -> Response:
    """The initiative's report as JSON (the same as `bifocals change report NAME --json`)."""
    _, report = _load(request, user, name, "json")
    body = json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
    return attachment(body, _pdf_filename(name, "json"), "application/json")


@router.get("/initiatives/{name:path}/readiness/links", include_in_schema=False)
def readiness_links_page(request: Request, name: str, user: Manager) -> Response:
    """The readiness links issued just before, shown once (declared before the dashboard,
    whose path parameter would otherwise take this address)."""
    with get_store(request).engine.connect() as conn:
        row = managed_initiative(conn, user, name)
    batches = take_issued(request, f"initiative:{row.id}")
    ctx = {"name": row.name, "back": initiative_path(name) + "#collect", "batches": batches}
    return render(request, "change/readiness_links.html", ctx)


def effort_path(name: str, preview_id: int) -> str:
    """The page of one effort preview of an initiative."""
    return f"{initiative_path(name)}/effort/{preview_id}"


@router.get("/initiatives/{name:path}/effort/{preview_id:int}", include_in_schema=False)
def effort_preview_page(request: Request, name: str, preview_id: int, user: Manager) -> Response:
    """What an uploaded export would change, with the button that applies it (declared before
    the dashboard, whose path parameter would otherwise take this address)."""
    row = _managed(request, user, name)
    kept = stored_preview(get_store(request), name, preview_id)
    base = initiative_path(name)
    ctx = {
        "name": row.name,
        "base": base,
        "kept": kept,
        "p": kept.preview.to_dict(),
        "kind_label": kept.preview.kind_label,
        "apply_href": effort_path(name, preview_id) + "/apply",
        "themed_by_words": THEMED_BY,
    }
    return render(request, "change/effort_preview.html", ctx)


# A view of the dashboard is a read of the results (audited, it freezes re-opening the survey),
# as the downloads are: a link on another site must not make one.
@router.get(
    "/initiatives/{name:path}",
    include_in_schema=False,
    dependencies=[Depends(no_cross_site_read)],
)
def initiative_page(request: Request, name: str, user: Manager) -> Response:
    """The dashboard: findings, alignment over periods, duty coverage, readiness heat map, and
    the readiness survey's links and counts (while it takes answers: counts only)."""
    ini, report = _load(request, user, name, "view")
    with get_store(request).engine.connect() as conn:
        row = managed_initiative(conn, user, name)
        counts = collection_counts(conn, int(row.id))
        facs = facilitators_of(conn, int(row.id))
    base = initiative_path(name)
    ctx = {
        "ini": ini,
        "counts": report.counts(),
        "pdf_href": base + ".pdf",
        "json_href": base + ".json",
        "base": base,
        # The survey's state as this read saw it (the report above matches it).
        "survey": ini.web_survey,
        "collecting": ini.web_survey in ("none", "collecting"),
        "groups": counts,
        "facilitators": facs,
        "mail": get_settings(request).smtp.enabled,
        "max_links": MAX_LINKS,
        "effort_kinds": KINDS,
        "effort_imports": effort_history(get_store(request), name),
        # render_body autoescapes every value; its SVGs are built from escaped parts.
        "body": Markup(render_body(report)),
        "css": Markup(dashboard_css()),
    }
    return render(request, "change/dashboard.html", ctx)


@router.post("/initiatives/{name:path}/effort", include_in_schema=False)
async def effort_upload(
    request: Request,
    name: str,
    user: Manager,
    file: Upload,
    kind: Annotated[str, Form(pattern="^(jira|github|timesheet)$")],
    mapping: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Read an uploaded export (and mapping file) and show what it would change; nothing is
    applied here."""
    raw = await file.read(MAX_EXPORT_BYTES + 1)
    export = EffortFile(upload_name(file.filename, f"{kind}-export"), raw)
    rules = None
    if mapping is not None and mapping.filename:
        rules = EffortFile(
            upload_name(mapping.filename, "mapping.yaml"),
            await mapping.read(MAX_MAPPING_BYTES + 1),
        )
    # Parsing, the analyzer and the database work block: run them off the event loop.
    return await run_in_threadpool(_effort_upload, request, user, name, kind, export, rules)


def _effort_upload(
    request: Request,
    user: User,
    name: str,
    kind: str,
    export: EffortFile,
    rules: EffortFile | None,
) -> Response:
    row = _managed(request, user, name)
    try:
        preview_id = preview_upload(get_store(request), user, name, kind, export, rules)
    except ValidationError as exc:
        ctx = {
            "name": row.name,
            "base": initiative_path(name),
            "source": export.name,
            "problems": exc.problems,
            "effort_kinds": KINDS,
            "kind": kind,
        }
        return render(request, "change/effort_problems.html", ctx, status_code=400)
    except BifocalsError as exc:
        return flash_to(request, initiative_path(name) + "#effort", str(exc), "error")
    return see_other(effort_path(name, preview_id))


@router.post("/initiatives/{name:path}/effort/{preview_id:int}/apply", include_in_schema=False)
def effort_apply(
    request: Request,
    name: str,
    preview_id: int,
    user: Manager,
    digest: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Apply a previewed export: the periods it covers take its effort (one transaction). The
    form sends the digest of the preview it showed: only that preview is applied."""
    _managed(request, user, name)
    try:
        res = apply_preview(get_store(request), user, name, preview_id, digest or None)
    except NotFound as exc:  # the preview page would now show another file, or none
        return flash_to(request, initiative_path(name) + "#effort", str(exc), "error")
    except BifocalsError as exc:
        return flash_to(request, effort_path(name, preview_id), str(exc), "error")
    kind = "info" if res.unchanged else "success"
    return flash_to(request, initiative_path(name) + "#alignment", res.summary(), kind)


def _emails(text: str) -> tuple[list[str], list[str]]:
    found: list[str] = []
    bad: list[str] = []
    for part in re.split(r"[\s,;]+", text.strip()):
        if not part:
            continue
        (found if _EMAIL.match(part) and len(part) <= 320 else bad).append(part)
    return found, bad


@router.post("/initiatives/{name:path}/readiness/links", include_in_schema=False)
def readiness_links_issue(
    request: Request,
    name: str,
    user: Manager,
    group: Annotated[str, Form(max_length=100)],
    count: Annotated[str, Form(max_length=10)] = "",
    label: Annotated[str, Form(max_length=MAX_LABEL)] = "",
    emails: Annotated[str, Form(max_length=40_000)] = "",
) -> Response:
    """Issue readiness links for one stakeholder group: shown once, or e-mailed."""
    store = get_store(request)
    settings = get_settings(request)
    back = initiative_path(name) + "#collect"
    with store.engine.connect() as conn:
        row = managed_initiative(conn, user, name)
        names = group_names(conn, int(row.id))
    problem = ""
    addresses, bad = _emails(emails) if settings.smtp.enabled else ([], [])
    if group not in names:
        problem = f"group: {group!r} is not a stakeholder group of this initiative."
    elif bad:
        problem = f"emails: {bad[0]!r} is not an e-mail address; nothing was issued."
    elif len(addresses) > MAX_EMAILS:
        problem = f"emails: {len(addresses)} addresses; send at most {MAX_EMAILS} at a time."
    n = len(addresses)
    if not problem and not addresses:
        if not count.strip().isdigit() or not 1 <= int(count) <= MAX_LINKS:
            problem = f"count: {count!r} is not a number of links from 1 to {MAX_LINKS}."
        else:
            n = int(count)
    if problem:
        return flash_to(request, back, problem, "error")
    with store.engine.begin() as conn:
        tokens = issue_links(conn, int(row.id), group, n, label.strip())
        write_audit(
            conn, user, "readiness_link.issue", f"initiative:{name}", f"{n} link(s) for {group}"
        )
    urls = [link_url(LinkKind.READINESS, public_base(request), t) for t in tokens]
    sent: list[str] = []
    failed: list[str] = []
    shown: list[str] = []
    if addresses:
        for addr, token, url in zip(addresses, tokens, urls, strict=True):
            subject, body = readiness_mail_text(row.name, names[group], url)
            try:
                send_mail(settings.smtp, addr, subject, body)
            except BifocalsError:
                failed.append(addr)
                shown.append(url)
                continue
            with store.engine.begin() as conn:
                mark_sent(conn, LinkKind.READINESS, token)
            sent.append(addr)
    else:
        shown = urls
    batch = {
        "group": names[group],
        "label": label.strip(),
        "shown": shown,
        "sent": len(sent),
        "failed": len(failed),
    }
    if not stash_issued(request, f"initiative:{row.id}", batch):
        ctx = {"name": row.name, "back": back, "batches": [batch]}
        return render(request, "change/readiness_links.html", ctx)
    # Post/Redirect/Get: a reload of the links page shows them no more and issues nothing.
    return see_other(initiative_path(name) + "/readiness/links")


def readiness_mail_text(initiative: str, group: str, url: str) -> tuple[str, str]:
    """Subject and body of the message that carries one readiness survey link."""
    subject = f"Five questions about {initiative}"
    body = (
        f'How ready do you feel for "{initiative}"? The people leading it ask everyone in '
        f"{group} five short questions (about two minutes).\n\n"
        "Your answers are combined with those of your colleagues; nobody sees what you, in "
        "particular, answered, and a group is shown only once enough people have answered.\n\n"
        f"Your private link (it works once):\n{url}\n\n"
        "Keep this link to yourself. If it reached you by mistake, just ignore this message.\n"
    )
    return subject, body


def _collecting(request: Request, name: str, user: User, collecting: bool) -> Response:
    store = get_store(request)
    _managed(request, user, name)

    def switch() -> str:
        set_collecting(store.engine, user, name, collecting)
        if collecting:
            return (
                "The readiness survey takes answers again. Its results stay out of every "
                "output until it is closed."
            )
        return (
            "The readiness survey is closed: its links no longer take answers. Its results "
            "are not shown yet; choose 'Show the results' when you are ready (after that the "
            "survey cannot take answers again)."
        )

    return flash_outcome(request, initiative_path(name) + "#collect", switch)


@router.post("/initiatives/{name:path}/readiness/close", include_in_schema=False)
def readiness_close(request: Request, name: str, user: Manager) -> Response:
    """Stop taking readiness answers (every link of the initiative)."""
    return _collecting(request, name, user, False)


@router.post("/initiatives/{name:path}/readiness/open", include_in_schema=False)
def readiness_open(request: Request, name: str, user: Manager) -> Response:
    """Take readiness answers again."""
    return _collecting(request, name, user, True)


@router.post("/initiatives/{name:path}/readiness/results", include_in_schema=False)
def readiness_results(request: Request, name: str, user: Manager) -> Response:
    """Show the closed survey's results on the dashboard (it cannot take answers again)."""
    _managed(request, user, name)
    if show_results(get_store(request).engine, user, name):
        return see_other(initiative_path(name) + "#readiness")
    note = "The readiness survey takes answers: close it first to see its results."
    return flash_to(request, initiative_path(name) + "#collect", note, "error")


@router.post("/initiatives/{name:path}/facilitators", include_in_schema=False)
def add_initiative_facilitator(request: Request, name: str, user: Admin, email: Text) -> Response:
    """Assign a facilitator account to the initiative (admins only)."""
    store = get_store(request)
    with store.engine.connect() as conn:
        row = managed_initiative(conn, user, name)

    def assign() -> str:
        addr = assign_initiative_facilitator(store, user, int(row.id), name, email)
        return f"{addr} can now open and manage this initiative."

    return flash_outcome(request, initiative_path(name) + "#people", assign)


@router.post("/initiatives/{name:path}/facilitators/{user_id}/remove", include_in_schema=False)
def drop_initiative_facilitator(request: Request, name: str, user_id: int, user: Admin) -> Response:
    """Take a facilitator off the initiative (admins only)."""
    store = get_store(request)
    with store.engine.connect() as conn:
        row = managed_initiative(conn, user, name)
    remove_initiative_facilitator(store, user, int(row.id), name, user_id)
    note = "Facilitator removed from this initiative."
    return flash_to(request, initiative_path(name) + "#people", note)
