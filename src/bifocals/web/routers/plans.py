"""Development plans on the web: the participant's plan page (/me/plan), the read-only page
a manager reaches by the participant's private link (/plan/{token}), and the plans shared with
the coach on a campaign (/campaigns/{id}/plans). Every rule is in services.plans and
services.pulse."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from bifocals.errors import BifocalsError, ValidationError
from bifocals.framework import default_framework
from bifocals.locale import DEFAULT_LANGUAGE, gettext_for, language_or_default
from bifocals.locale.names import framework_name, translated_framework
from bifocals.services.campaigns import ResultsRead
from bifocals.services.plans import (
    MAX_ACTIONS,
    MAX_SUPPORT,
    PULSE_MIN_DAYS,
    Plan,
    manager_link,
    own_plan,
    parse_plan,
    participant_campaign,
    plan_by_link,
    plan_instrument,
    plan_message,
    save_plan,
    scale_choices,
    shared_plans,
)
from bifocals.services.pulse import pulse_view
from bifocals.services.results import load_results
from bifocals.services.security import User, now
from bifocals.services.token_links import LinkKind, LinkStatus, link_url
from bifocals.store import Store
from bifocals.store.plan_tables import MAX_PLAN_SCALES
from bifocals.web.deps import (
    Manager,
    get_store,
    managed,
    page_language,
    participant_language,
    public_base,
    render,
    require_role,
)
from bifocals.web.link_pages import problem_page
from bifocals.web.routers import Id, flash_to, page_router

router = page_router()
Participant = Annotated[User, Depends(require_role("participant"))]


def _labels(lang: str = DEFAULT_LANGUAGE) -> dict[str, dict[str, str]]:
    """dimension.side -> {dimension name, side, side's name, label, description} from the
    framework, in `lang` (the side's name is the side itself in English)."""
    out: dict[str, dict[str, str]] = {}
    for d in translated_framework(default_framework(), lang).dimensions:
        for side in ("leadership", "management"):
            spec = d.side(side)
            out[f"{d.id}.{side}"] = {
                "dimension": d.name,
                "side": side,
                "side_name": side
                if lang == DEFAULT_LANGUAGE
                else framework_name(side.capitalize(), lang),
                "label": spec.label,
                "description": spec.description,
            }
    return out


def _language(store: Store, participant_id: int | None) -> str:
    """The participant's language (English when none is set), for their plan's pages."""
    with store.engine.connect() as conn:
        return language_or_default(participant_language(conn, participant_id))


def _in(lang: str, errors: dict[str, str]) -> dict[str, str]:
    """The plan's check messages in `lang` (services.plans words them in English)."""
    return {field: plan_message(message, lang) for field, message in errors.items()}


def _plan_dict(plan: Plan, labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    return {
        "scales": [
            {"key": s, **labels.get(s, {"label": s, "dimension": s, "side": "", "side_name": ""})}
            for s in plan.scales
        ],
        "actions": plan.actions,
        "support": plan.support,
        "pulse_on": plan.pulse_on,
        "share_coach": plan.share_coach,
        "share_manager": plan.share_manager,
        "updated_at": plan.updated_at,
        "pulse_started": plan.pulse_started,
        "name": plan.name or plan.code,
        "campaign": plan.campaign,
    }


def _page(
    request: Request,
    user: User,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    link: str | None = None,
    status_code: int = 200,
) -> Response:
    store = get_store(request)
    with store.engine.connect() as conn:
        camp = participant_campaign(conn, user)
    lang = _language(store, camp.participant_id)
    labels = _labels(lang)
    plan = own_plan(store, user)
    suggested: list[str] = []
    if camp.status == "released":
        read = ResultsRead(user, "report.view", f"participant:{camp.code}", "plan page")
        results = load_results(store, int(camp.id), read)
        for ps in results.scores.participants:
            if ps.participant == camp.code:
                suggested = [f"{h.dimension}.{h.side}" for h in ps.development_areas]
    inst = plan_instrument(camp)
    if values is None:
        values = {
            "scales": list(plan.scales) if plan else suggested[:MAX_PLAN_SCALES],
            "actions": plan.actions if plan else "",
            "support": plan.support if plan else "",
            "pulse_on": plan.pulse_on.isoformat() if plan else "",
            "share_coach": plan.share_coach if plan else False,
            "share_manager": plan.share_manager if plan else False,
        }
    choices = [
        {"key": key, **labels.get(key, {"label": key}), "suggested": key in suggested}
        for key, _dim, _side in scale_choices(inst)
    ]
    ctx = {
        "campaign": camp.name,
        "released": camp.status == "released",
        "plan": _plan_dict(plan, labels) if plan else None,
        "choices": choices,
        "values": values,
        "errors": _in(lang, errors or {}),
        "link": link,
        "pulse": pulse_view(store, user),
        "labels": labels,
        "max_scales": MAX_PLAN_SCALES,
        "max_actions": MAX_ACTIONS,
        "max_support": MAX_SUPPORT,
        "min_days": PULSE_MIN_DAYS,
        "lang": lang,
    }
    return render(request, "plan/edit.html", ctx, status_code=status_code)


@router.get("/me/plan", include_in_schema=False)
def plan_page(request: Request, user: Participant) -> Response:
    """The participant's development plan: write it, share it, follow its pulse check."""
    return _page(request, user)


@router.post("/me/plan", include_in_schema=False)
def plan_save(
    request: Request,
    user: Participant,
    actions: Annotated[str, Form(max_length=MAX_ACTIONS * 2)] = "",
    support: Annotated[str, Form(max_length=MAX_SUPPORT * 2)] = "",
    pulse_on: Annotated[str, Form(max_length=40)] = "",
    scales: Annotated[list[str] | None, Form()] = None,
    share_coach: Annotated[bool, Form()] = False,
    share_manager: Annotated[bool, Form()] = False,
) -> Response:
    """Save the plan (errors are shown beside their fields; nothing is lost)."""
    form: dict[str, Any] = {
        "scales": [s[:200] for s in (scales or [])][:20],
        "actions": actions,
        "support": support,
        "pulse_on": pulse_on,
        "share_coach": "1" if share_coach else "",
        "share_manager": "1" if share_manager else "",
    }
    store = get_store(request)
    with store.engine.connect() as conn:
        camp = participant_campaign(conn, user)
    typed = {**form, "share_coach": share_coach, "share_manager": share_manager}
    try:
        data = parse_plan(form, plan_instrument(camp), now().date())
        save_plan(store, user, data)
    except ValidationError as exc:
        errors = {p.field: p.message for p in exc.problems}
        return _page(request, user, values=typed, errors=errors, status_code=400)
    except BifocalsError as exc:
        field = getattr(exc, "field", None) or "form"
        return _page(request, user, values=typed, errors={field: str(exc)}, status_code=409)
    _ = gettext_for(_language(store, camp.participant_id))
    return flash_to(request, "/me/plan", _("Your plan is saved."))


@router.post("/me/plan/link", include_in_schema=False)
def plan_link(request: Request, user: Participant) -> Response:
    """A new private link for the manager (shown once; older links stop working)."""
    store = get_store(request)
    try:
        token = manager_link(store, user)
    except BifocalsError as exc:
        return _page(request, user, errors={"link": str(exc)}, status_code=409)
    return _page(request, user, link=link_url(LinkKind.PLAN, public_base(request), token))


@router.get("/plan/{token}", include_in_schema=False)
def plan_by_manager(request: Request, token: str) -> Response:
    """The plan as its participant shares it with their manager (read only)."""
    if len(token) > 200:
        return problem_page(request, LinkKind.PLAN, LinkStatus.UNKNOWN, page_language(request))
    status, plan = plan_by_link(get_store(request), token)
    if plan is None:
        return problem_page(request, LinkKind.PLAN, status, page_language(request))
    # In the participant's language: they wrote the plan and chose to share it.
    lang = _language(get_store(request), plan.participant_id)
    ctx = {"plan": _plan_dict(plan, _labels(lang)), "lang": lang}
    response = render(request, "plan/shared.html", ctx)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/campaigns/{campaign_id}/plans", include_in_schema=False)
def campaign_plans(request: Request, campaign_id: Id, user: Manager) -> Response:
    """The development plans this campaign's participants share with their coach."""
    camp = managed(request, user, campaign_id)
    labels = _labels()
    plans = [_plan_dict(p, labels) for p in shared_plans(get_store(request), user, campaign_id)]
    return render(
        request, "plan/list.html", {"campaign": {"id": camp.id, "name": camp.name}, "plans": plans}
    )
