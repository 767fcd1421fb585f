"""The one page for a private link that cannot be used: survey, nomination and readiness links.

The HTTP status follows the link's status alone (unknown 404; replaced, expired, closed 410;
used 409); only the wording names who to ask and what is closed. An unknown link reveals
nothing: its page names no person, campaign or initiative.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from bifocals.services.token_links import LinkKind, LinkStatus
from bifocals.web.deps import render

CODES: dict[LinkStatus, int] = {
    LinkStatus.REPLACED: 410,
    LinkStatus.EXPIRED: 410,
    LinkStatus.CLOSED: 410,
    LinkStatus.USED: 409,
}


@dataclass(frozen=True)
class _Words:
    sender: str  # whom to ask for a new link
    closed_title: str
    closed: str  # what is not taking answers, as a sentence
    kept: str = ""  # what stays when a link cannot be used, as a sentence


_WORDS: dict[LinkKind, _Words] = {
    LinkKind.INVITATION: _Words(
        "the person who invited you",
        "Questionnaire closed",
        "This questionnaire is not taking answers at the moment.",
        " Anything you saved is still there.",
    ),
    LinkKind.NOMINATION: _Words(
        "your facilitator",
        "Suggestions closed",
        "Suggestions are closed: the campaign is no longer taking raters.",
    ),
    LinkKind.READINESS: _Words(
        "the person who sent it",
        "Survey closed",
        "This readiness survey is not taking answers at the moment.",
    ),
}


def code(status: LinkStatus) -> int:
    """The HTTP status of a link that cannot be used (anything unexpected reads as unknown)."""
    return CODES.get(status, 404)


def wording(kind: LinkKind, status: LinkStatus) -> tuple[str, str]:
    """(title, message) of the page for a link of `kind` with `status`."""
    w = _WORDS[kind]
    if status is LinkStatus.REPLACED:
        return (
            "Link replaced",
            "This link has been replaced by a newer one. Use the most recent link you received."
            + w.kept,
        )
    if status is LinkStatus.EXPIRED:
        return "Link expired", f"This link has expired. Ask {w.sender} for a new one." + w.kept
    if status is LinkStatus.CLOSED:
        return w.closed_title, w.closed + " Thank you for your time."
    if status is LinkStatus.USED:
        return (
            "Already answered",
            "The answers this link takes have already been sent, and each link takes one set. "
            "Thank you; there is nothing more to do.",
        )
    return (
        "Link not recognised",
        "This link is not known. Check that it was copied completely, or ask "
        f"{w.sender} for a new one.",
    )


def problem_page(request: Request, kind: LinkKind, status: LinkStatus) -> Response:
    """The page for a link of `kind` that cannot be used, with its HTTP status."""
    title, message = wording(kind, status)
    ctx = {"title": title, "message": message}
    return render(request, "link_problem.html", ctx, status_code=code(status))
