"""Private links that carry a secret token: rater invitations, nomination links, readiness links.

Every kind works the same way. `issue` makes secrets.token_urlsafe(32) (256 bits) and stores only
its sha256; the raw token is returned once, to be mailed or shown. `lookup` finds a token by its
hash and says, as a LinkStatus, whether the link may be used now. Each kind keeps its own table
(app_tables.invitations, app_tables.nomination_links, change_tables.readiness_links,
programme_tables.account_links, plan_tables.plan_links); what
a table has decides what its links can do:

- `revoked_at`: one live link per owner; issuing a new one revokes the older ones (REPLACED),
  so a forwarded or leaked link can be cut off by issuing again;
- `expires_at`: the link has a lifetime in days (EXPIRED after it);
- `sent_at`: `mark_sent` records that the link went out by e-mail;
- `opened_at`: `mark_opened` records the first visit.

Beyond that, each kind says from the rows it joins whether its link was USED (the answers are
in) or CLOSED (its campaign or survey is not taking them now).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from bifocals.services.security import new_token, now, token_hash, utc
from bifocals.store.app_tables import invitations, nomination_links, users
from bifocals.store.change_tables import change_initiatives, readiness_links
from bifocals.store.plan_tables import development_plans, plan_links, pulse_campaigns
from bifocals.store.programme_tables import account_links
from bifocals.store.tables import campaigns, participants, raters


class LinkKind(StrEnum):
    """The kinds of private link, each with its own table and page."""

    INVITATION = "invitation"  # a rater's 360 questionnaire, /survey/{token}
    NOMINATION = "nomination"  # a participant's page to suggest raters, /nominate/{token}
    READINESS = "readiness"  # one answer to an initiative's readiness survey, /readiness/{token}
    ACCOUNT = "account"  # a participant sets their own password, /account/setup/{token}
    PLAN = "plan"  # a manager reads the development plan shared with them, /plan/{token}


class LinkStatus(StrEnum):
    """What a token leads to. Only VALID may show a form or take answers."""

    VALID = "valid"
    UNKNOWN = "unknown"  # no link has this token (it reveals nothing else)
    REPLACED = "replaced"  # a newer link was issued to the same person
    EXPIRED = "expired"
    USED = "used"  # the answers this link takes are already in
    CLOSED = "closed"  # the campaign or survey is not taking answers now


@dataclass(frozen=True)
class Lookup:
    """A token's status, and its row when the token is known (None only for UNKNOWN).

    The row has the link table's columns (id, token_hash, created_at, ...) and what its kind
    joins: invitation and nomination: campaign_id, campaign (its name), campaign_status;
    invitation also participant_id, submitted_at, group, language, participant_language,
    participant_name, participant_code, instrument_id, instrument_yaml, deadline, and for a
    pulse pulse_plan and plan_scales (None otherwise); nomination also code and name (the
    participant's); readiness: initiative, readiness_closed_at;
    account: email and disabled_at (the user's).
    """

    status: LinkStatus
    row: Any = None

    @property
    def valid(self) -> bool:
        """True when the link may be used now."""
        return self.status is LinkStatus.VALID


@dataclass(frozen=True)
class _Spec:
    table: sa.Table
    path: str
    query: sa.Select[Any]  # the link's row and what decides its state, for any token
    state: Callable[[Any], LinkStatus]  # USED, CLOSED or VALID, from that row

    @cached_property
    def by_hash(self) -> sa.Select[Any]:
        """`query` for the token whose hash is the parameter `token_hash`, built once: a
        survey request then skips building and keying a new statement (SQLAlchemy reuses
        the compiled form of the same statement object)."""
        return self.query.where(self.table.c.token_hash == sa.bindparam("token_hash"))

    @cached_property
    def first_open(self) -> sa.Update:
        """Set `opened_at` (parameter `stamp`) of the link `link_id` unless it is set."""
        cols = self.table.c
        return (
            sa.update(self.table)
            .where(cols.id == sa.bindparam("link_id"), cols.opened_at.is_(None))
            .values(opened_at=sa.bindparam("stamp"))
        )

    @property
    def owner(self) -> sa.Column[Any]:
        """The link's one foreign key: the rater, participant or initiative it is for."""
        (key,) = self.table.foreign_keys
        return key.parent


def _invitation_state(row: Any) -> LinkStatus:
    if row.submitted_at is not None:
        return LinkStatus.USED
    return LinkStatus.VALID if row.campaign_status == "open" else LinkStatus.CLOSED


def _nomination_state(row: Any) -> LinkStatus:
    # Suggestions are welcome while the campaign is prepared and while it runs.
    return LinkStatus.VALID if row.campaign_status in ("draft", "open") else LinkStatus.CLOSED


def _readiness_state(row: Any) -> LinkStatus:
    if row.used_at is not None:
        return LinkStatus.USED
    return LinkStatus.CLOSED if row.readiness_closed_at is not None else LinkStatus.VALID


def _account_state(row: Any) -> LinkStatus:
    if row.used_at is not None:
        return LinkStatus.USED
    return LinkStatus.CLOSED if row.disabled_at is not None else LinkStatus.VALID


def _plan_state(row: Any) -> LinkStatus:
    # The participant decides: a plan no longer shared with the manager closes every link.
    return LinkStatus.VALID if row.share_manager else LinkStatus.CLOSED


def _campaign_link(link: sa.Table, person: sa.Table, *more: Any) -> sa.Select[Any]:
    """The row of a link in a campaign: the link (joined through `person`, the rater or the
    participant it is for), `more` columns, and the campaign's id, name and status."""
    campaign = (
        campaigns.c.id.label("campaign_id"),
        campaigns.c.name.label("campaign"),
        campaigns.c.status.label("campaign_status"),
    )
    return sa.select(link, *more, *campaign).select_from(link.join(person).join(campaigns))


# What the questionnaire needs besides the campaign: whose it is, whether it is in, the form,
# the rater's and the participant's language and name, the deadline, and (for a pulse) the
# plan's scales, so that a survey request needs no second query to show or check its page.
_QUESTIONNAIRE = (
    raters.c.participant_id,
    raters.c.submitted_at,
    raters.c.group,
    raters.c.language,
    participants.c.language.label("participant_language"),
    participants.c.name.label("participant_name"),
    participants.c.code.label("participant_code"),
    campaigns.c.instrument_id,
    campaigns.c.instrument_yaml,
    campaigns.c.deadline,
    development_plans.c.id.label("pulse_plan"),
    development_plans.c.scales.label("plan_scales"),
)


def _invitation_query() -> sa.Select[Any]:
    pulse = pulse_campaigns.join(development_plans)
    return (
        _campaign_link(invitations, raters, *_QUESTIONNAIRE)
        .join(participants, participants.c.id == raters.c.participant_id)
        .outerjoin(pulse, pulse_campaigns.c.campaign_id == campaigns.c.id)
    )


_SPECS: dict[LinkKind, _Spec] = {
    LinkKind.INVITATION: _Spec(
        invitations,
        "/survey/{token}",
        _invitation_query(),
        _invitation_state,
    ),
    LinkKind.NOMINATION: _Spec(
        nomination_links,
        "/nominate/{token}",
        _campaign_link(nomination_links, participants, participants.c.code, participants.c.name),
        _nomination_state,
    ),
    LinkKind.READINESS: _Spec(
        readiness_links,
        "/readiness/{token}",
        sa.select(readiness_links, change_initiatives.c.name.label("initiative"))
        .add_columns(change_initiatives.c.readiness_closed_at)
        .select_from(readiness_links.join(change_initiatives)),
        _readiness_state,
    ),
    LinkKind.ACCOUNT: _Spec(
        account_links,
        "/account/setup/{token}",
        sa.select(account_links, users.c.email, users.c.disabled_at).select_from(
            account_links.join(users)
        ),
        _account_state,
    ),
    LinkKind.PLAN: _Spec(
        plan_links,
        "/plan/{token}",
        sa.select(plan_links, development_plans.c.share_manager).select_from(
            plan_links.join(development_plans)
        ),
        _plan_state,
    ),
}


def _spec(kind: LinkKind, column: str, what: str) -> _Spec:
    spec = _SPECS[kind]
    if column not in spec.table.c:
        raise ValueError(f"{kind} links have no {column} column: they cannot {what}")
    return spec


def link_url(kind: LinkKind, base: str, token: str) -> str:
    """The absolute link of a token, on the site at `base`."""
    return base.rstrip("/") + _SPECS[kind].path.format(token=token)


def issue(
    conn: sa.Connection, kind: LinkKind, owner_id: int, days: int | None, **values: object
) -> str:
    """A new link for `owner_id` (rater, participant or initiative); the raw token is returned
    only here. `days` is the lifetime (None for kinds that do not expire); `values` fills the
    kind's other columns (readiness: group_key, label). Where the kind keeps one live link per
    owner, the owner's older links are revoked in the same transaction."""
    spec = _SPECS[kind]
    cols = spec.table.c
    if ("expires_at" in cols) != (days is not None):
        need = "need a lifetime in days" if days is None else "do not expire"
        raise ValueError(f"{kind} links {need}")
    stamp = now()
    if "revoked_at" in cols:
        conn.execute(
            sa.update(spec.table)
            .where(spec.owner == owner_id, cols.revoked_at.is_(None))
            .values(revoked_at=stamp)
        )
    raw = new_token()
    row: dict[str, object] = {
        **values,
        spec.owner.name: owner_id,
        "token_hash": token_hash(raw),
        "created_at": stamp,
    }
    if days is not None:
        row["expires_at"] = stamp + timedelta(days=days)
    conn.execute(sa.insert(spec.table).values(row))
    return raw


def issue_many(
    conn: sa.Connection, kind: LinkKind, owner_ids: list[int], days: int | None
) -> list[str]:
    """`issue` for many owners at once (one UPDATE, one multi-row INSERT): a raw token per
    owner, in the order given. For kinds with extra columns use `issue`."""
    spec = _SPECS[kind]
    cols = spec.table.c
    if ("expires_at" in cols) != (days is not None):
        raise ValueError(f"{kind} links need a lifetime in days" if days is None else kind)
    if not owner_ids:
        return []
    stamp = now()
    if "revoked_at" in cols:
        for start in range(0, len(owner_ids), 500):
            conn.execute(
                sa.update(spec.table)
                .where(spec.owner.in_(owner_ids[start : start + 500]), cols.revoked_at.is_(None))
                .values(revoked_at=stamp)
            )
    raws = [new_token() for _ in owner_ids]
    expires = None if days is None else stamp + timedelta(days=days)
    rows = [
        {
            spec.owner.name: owner,
            "token_hash": token_hash(raw),
            "created_at": stamp,
            **({} if expires is None else {"expires_at": expires}),
        }
        for owner, raw in zip(owner_ids, raws, strict=True)
    ]
    conn.execute(sa.insert(spec.table), rows)
    return raws


def mark_sent(conn: sa.Connection, kind: LinkKind, token: str) -> None:
    """Record that the link of `token` was e-mailed."""
    spec = _spec(kind, "sent_at", "record a sending")
    conn.execute(
        sa.update(spec.table)
        .where(spec.table.c.token_hash == token_hash(token))
        .values(sent_at=now())
    )


def mark_opened(conn: sa.Connection, kind: LinkKind, link_id: int) -> None:
    """Record the first time the link (by its id) was opened; later visits change nothing."""
    spec = _spec(kind, "opened_at", "record a visit")
    conn.execute(spec.first_open, {"link_id": link_id, "stamp": now()})


def lookup(conn: sa.Connection, kind: LinkKind, token: str) -> Lookup:
    """Find a token by its hash and say whether its link may be used now.

    The order of the checks is the order of what the visitor can do about it: a replaced link
    (use the newer one), an expired link (ask for a new one), then the kind's own USED and
    CLOSED, which no new link would change.
    """
    spec = _SPECS[kind]
    row = conn.execute(spec.by_hash, {"token_hash": token_hash(token)}).first()
    if row is None:
        return Lookup(LinkStatus.UNKNOWN)
    mapping = row._mapping
    expires = utc(mapping.get("expires_at"))
    if mapping.get("revoked_at") is not None:
        return Lookup(LinkStatus.REPLACED, row)
    if expires is not None and expires <= now():
        return Lookup(LinkStatus.EXPIRED, row)
    return Lookup(spec.state(row), row)
