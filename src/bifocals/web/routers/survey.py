"""The rater's questionnaire behind a private invitation link (/survey/{token}); no login.

The token itself authorizes every request here (it is a 256-bit secret looked up by its hash),
so these routes need no CSRF token: a forged request would have to know the secret already.
GET shows the questionnaire with the saved draft; POST saves the draft ("save and continue
later") or submits exactly once (idempotency key per page load); POST .../draft is the autosave
endpoint used by survey.js.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from bifocals.instruments.catalogue import campaign_instrument
from bifocals.instruments.model import Instrument
from bifocals.instruments.translation import translated, translation_languages
from bifocals.locale import (
    DEFAULT_LANGUAGE,
    gettext_for,
    language_choices,
    language_or_default,
    negotiate,
)
from bifocals.services.mail_texts import expected_minutes
from bifocals.services.pulse import pulse_subset, scale_items
from bifocals.services.security import utc
from bifocals.services.survey_answers import FIELD_PREFIX, check, from_form, progress
from bifocals.services.surveys import (
    DraftConflict,
    SubmitRefused,
    load_draft,
    save_draft,
    submit,
    write,
)
from bifocals.services.token_links import LinkKind, LinkStatus, Lookup, lookup, mark_opened
from bifocals.store.tables import raters
from bifocals.web import link_pages
from bifocals.web.deps import get_store, render
from bifocals.web.survey_page import questionnaire

router = APIRouter()

MAX_BODY = 200_000


def problem_page(request: Request, status: LinkStatus, lang: str | None = None) -> Response:
    """The shared page for an invitation link that cannot be used, in the rater's language."""
    return link_pages.problem_page(request, LinkKind.INVITATION, status, lang)


_LOADING = threading.Lock()


def _instrument(instrument_id: str, snapshot: str | None) -> Instrument:
    """The campaign's instrument (its stored copy, if any); one thread parses it while
    concurrent first requests wait."""
    with _LOADING:
        return campaign_instrument(instrument_id, snapshot)


def _look_instrument(look: Lookup) -> Instrument:
    """What the invitation's campaign asks (the lookup read its instrument and, for a pulse
    check, its plan's scales): the whole instrument, or only the plan's items."""
    assert look.row is not None, "only a known invitation has an instrument"
    base = _instrument(look.row.instrument_id, look.row.instrument_yaml)
    return pulse_subset(base, _asked(look.row, base))


def _asked(row: Any, base: Instrument) -> frozenset[str] | None:
    """The items a pulse check asks (None: the campaign is not a pulse and asks them all)."""
    return None if row.pulse_plan is None else scale_items(base, row.plan_scales or ())


# The survey's checks (services/survey_answers.py) word their messages in English; these
# patterns find the values in them so that the page can say the same in the rater's language.
_CHOOSE = re.compile(r"^choose one of (.+) or '.+'$")
_TOO_LONG = re.compile(r"^keep this answer under (\d+) characters \(it has (\d+)\)$")
_RATE_MORE = re.compile(
    r"^Please rate at least (\d+) of the (\d+) statements \(you have rated (\d+)\); "
)


def localized_errors(errors: dict[str, str], lang: str, instrument: Instrument) -> dict[str, str]:
    """The check's messages in `lang` (`instrument` already in it, for its scale's words)."""
    if lang == DEFAULT_LANGUAGE:
        return errors
    _ = gettext_for(lang)
    na = instrument.scale.not_observed_label
    out = {}
    for key, message in errors.items():
        if m := _CHOOSE.match(message):
            text = _("choose one of %(values)s or “%(not_observed)s”") % {
                "values": m.group(1),
                "not_observed": na,
            }
        elif m := _TOO_LONG.match(message):
            text = _("keep this answer under %(limit)s characters (it has %(length)s)") % {
                "limit": m.group(1),
                "length": m.group(2),
            }
        elif m := _RATE_MORE.match(message):
            text = _(
                "Please rate at least %(need)s of the %(total)s statements (you have rated "
                "%(rated)s); “%(not_observed)s” is fine for the others"
            ) % {"need": m.group(1), "total": m.group(2), "rated": m.group(3), "not_observed": na}
        elif message == "an answer must be text":
            text = _("an answer must be text")
        elif message == "this question is not part of the questionnaire":
            text = _("this question is not part of the questionnaire")
        else:
            text = message
        out[key] = text
    return out


def rater_language(row: Any, accept_language: str | None = None) -> str:
    """The rater's chosen language, else the participant's, else the one the browser asks for
    (`accept_language`, the request's header), else English."""
    return language_or_default(row.language, row.participant_language, negotiate(accept_language))


def _rater_language_of(request: Request, look: Lookup) -> str:
    """The language of a known invitation's rater (their browser's when none is stored); for
    an unknown link, the browser's."""
    accept = request.headers.get("accept-language")
    if look.row is None:
        return negotiate(accept)
    return rater_language(look.row, accept)


def _form_page(
    request: Request,
    token: str,
    look: Lookup,
    answers: dict[str, str],
    version: int,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    row = look.row
    base = _instrument(row.instrument_id, row.instrument_yaml)
    available = translation_languages(base)
    lang = rater_language(row, request.headers.get("accept-language"))
    lang = lang if lang in available else "en"
    instrument = pulse_subset(translated(base, lang), _asked(row, base))
    done, total = progress(instrument, answers)
    errors = localized_errors(errors or {}, lang, instrument)
    ctx = {
        "lang": lang,
        "languages": language_choices(lang, available),
        "token": token,
        "row": row,
        "is_self": row.group == "self",
        "person": row.participant_name or row.participant_code,
        "instrument": instrument,
        # The items, rendered once per instrument (survey_page), with this rater's answers.
        "sections": questionnaire(instrument, answers, errors, lang),
        "prefix": FIELD_PREFIX,
        "answers": answers,
        "errors": errors,
        "notice": notice,
        "done": done,
        "total": total,
        "version": version,
        "key": secrets.token_urlsafe(24),
        "deadline": utc(row.deadline),
        "minutes": expected_minutes(instrument),
    }
    return render(request, "survey/form.html", ctx, status_code=status_code)


def _lookup(request: Request, token: str) -> Lookup:
    with get_store(request).engine.connect() as conn:
        return lookup(conn, LinkKind.INVITATION, token)


@router.get("/survey/{token}", include_in_schema=False)
def survey_page(request: Request, token: str, saved: int = 0) -> Response:
    """The questionnaire with the rater's saved draft (from any device)."""
    look = _lookup(request, token)
    if not look.valid:
        return problem_page(request, look.status, _rater_language_of(request, look))
    invitation_id, rater_id = int(look.row.id), int(look.row.rater_id)
    engine = get_store(request).engine
    if look.row.opened_at is None:  # only the first visit writes
        write(engine, lambda conn: mark_opened(conn, LinkKind.INVITATION, invitation_id))
    with engine.connect() as conn:
        answers, version = load_draft(conn, rater_id)
    notice = None
    if saved:
        _ = gettext_for(_rater_language_of(request, look))
        notice = _(
            "Your answers are saved. You can close this page and come back with the same link."
        )
    return _form_page(request, token, look, answers, version, notice=notice)


@router.post("/survey/{token}/language", include_in_schema=False)
async def survey_language(request: Request, token: str) -> Response:
    """The rater's choice of language: kept for the rater (the survey, reminders), then the
    survey again in it."""
    form = await request.form(max_fields=10)
    choice = form.get("lang")
    return await run_in_threadpool(_survey_language, request, token, choice)


def _survey_language(request: Request, token: str, choice: object) -> Response:
    look = _lookup(request, token)
    if not look.valid:
        return problem_page(request, look.status, _rater_language_of(request, look))
    assert look.row is not None
    base = _instrument(look.row.instrument_id, look.row.instrument_yaml)
    if not isinstance(choice, str) or choice not in translation_languages(base):
        return RedirectResponse(f"/survey/{token}", status_code=303)
    rater_id = int(look.row.rater_id)
    write(
        get_store(request).engine,
        lambda conn: conn.execute(
            sa.update(raters).where(raters.c.id == rater_id).values(language=choice)
        ),
    )
    return RedirectResponse(f"/survey/{token}", status_code=303)


@router.post("/survey/{token}", include_in_schema=False)
async def survey_post(request: Request, token: str) -> Response:
    """Save the draft (action=save) or submit once (action=submit, with idempotency_key)."""
    form = await request.form(max_fields=2000)
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    # The database work blocks (and on SQLite may wait for the write lock): run it in the
    # thread pool so that the event loop keeps reading other requests meanwhile.
    return await run_in_threadpool(_survey_post, request, token, fields)


def _survey_post(request: Request, token: str, fields: list[tuple[str, str]]) -> Response:
    data = dict(fields)
    action = data.get("action", "save")
    key = data.get("idempotency_key", "")
    look = _lookup(request, token)
    engine = get_store(request).engine
    if not look.valid:
        if action == "submit" and key and look.status is LinkStatus.USED:
            return _submit(request, token, look, {}, key)
        return problem_page(request, look.status, _rater_language_of(request, look))
    instrument = _look_instrument(look)
    checked = check(instrument, from_form(fields), final=action == "submit")
    if action != "submit" or not checked.ok:
        valid = check(instrument, from_form(fields), final=False).answers
        version = save_draft(engine, look.row.rater_id, valid)
        if checked.ok:
            return RedirectResponse(f"/survey/{token}?saved=1", status_code=303)
        return _form_page(
            request, token, look, valid, version, errors=checked.errors, status_code=422
        )
    return _submit(request, token, look, checked.answers, key)


def _submit(
    request: Request, token: str, look: Lookup, answers: dict[str, str], key: str
) -> Response:
    lang = _rater_language_of(request, look)
    if not key or len(key) > 200 or look.row is None:
        return problem_page(request, LinkStatus.UNKNOWN, lang)
    try:
        done = submit(
            get_store(request).engine,
            token,
            _look_instrument(look),
            answers,
            key,
        )
    except SubmitRefused as refused:
        return problem_page(request, refused.status, lang)
    ctx = {"repeat": done.repeat, "lang": lang, "group": look.row.group}
    return render(request, "link_done.html", ctx)


@router.post("/survey/{token}/draft", include_in_schema=False)
async def autosave(request: Request, token: str) -> Response:
    """Autosave (JSON {"answers": {...}, "version": n}): {"version": new} or 409 with the
    stored draft when another device saved meanwhile."""
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"error": "too large"}, status_code=413)
    try:
        payload = json.loads(body)
    except ValueError:
        payload = _NOT_JSON
    # The database work blocks: run it in the thread pool (see survey_post).
    return await run_in_threadpool(_autosave, request, token, payload)


_NOT_JSON = object()


def _autosave(request: Request, token: str, payload: Any) -> Response:
    look = _lookup(request, token)
    if not look.valid:
        code = link_pages.code(look.status)
        return JSONResponse({"error": str(look.status)}, status_code=code)
    if payload is _NOT_JSON:
        return JSONResponse({"error": "send JSON"}, status_code=400)
    raw = payload.get("answers") if isinstance(payload, dict) else None
    base = payload.get("version") if isinstance(payload, dict) else None
    if not isinstance(raw, dict) or not (base is None or isinstance(base, int)):
        return JSONResponse({"error": "send answers (object) and version (integer)"}, 400)
    engine = get_store(request).engine
    instrument = _look_instrument(look)
    checked = check(instrument, raw, final=False)
    if not checked.ok:
        return JSONResponse({"error": "invalid answers", "fields": checked.errors}, 422)
    try:
        version = save_draft(engine, look.row.rater_id, checked.answers, base)
    except DraftConflict as conflict:
        return JSONResponse(
            {"error": "conflict", "version": conflict.version, "answers": conflict.answers}, 409
        )
    done, total = progress(instrument, checked.answers)
    return JSONResponse({"version": version, "answered": done, "total": total})
