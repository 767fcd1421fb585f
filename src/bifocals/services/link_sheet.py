"""Survey links for a mail merge: one row per rater who still has to answer, ready for any mail
tool (CSV or .xlsx), when the product does not send the e-mails itself.

Only the hash of a link is kept, so a link can be shown once, when it is issued. A sheet
therefore lists the links issued now: raters who have answered are left out, and so are raters
whose link is still live (not replaced, not expired), whose link keeps working. A second sheet
right after the first has no rows. `reissue` replaces every live link of the raters who have
not answered (the old links then say "replaced") and lists them all: for a lost sheet or a
leaked file. Both are audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from bifocals.services.accounts import write_audit
from bifocals.services.campaigns import lock_live_campaign
from bifocals.services.rater_rows import rater_rows
from bifocals.services.security import User, now, utc
from bifocals.services.token_links import LinkKind, issue_many, link_url
from bifocals.store import Store
from bifocals.store.app_tables import invitations
from bifocals.store.sheets import csv_bytes, xlsx_bytes
from bifocals.store.tables import participants, raters

LINK_COLUMNS: tuple[str, ...] = (
    "participant",
    "participant_name",
    "rater_name",
    "rater_email",
    "group",
    "url",
)


@dataclass
class LinkSheet:
    """The rows of a mail-merge sheet and what was left out."""

    campaign: str
    status: str
    rows: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    kept: int = 0  # raters whose live link was left as it is
    answered: int = 0  # raters left out because they have answered

    def csv(self) -> bytes:
        """The sheet as CSV (UTF-8 with BOM, formula-safe)."""
        return csv_bytes(LINK_COLUMNS, self.rows)

    def xlsx(self) -> bytes:
        """The sheet as an .xlsx workbook."""
        return xlsx_bytes(LINK_COLUMNS, self.rows, "links")

    def summary(self) -> str:
        """What the sheet holds, in a sentence."""
        n = len(self.rows)
        text = f"{n} new link{'' if n == 1 else 's'}"
        if self.kept:
            text += (
                f"; {self.kept} rater{' has' if self.kept == 1 else 's have'} a live link "
                "already (kept: those links still work)"
            )
        if self.answered:
            text += f"; {self.answered} answered"
        return text


def live_links(conn: sa.Connection, campaign_id: int) -> set[int]:
    """Ids of the campaign's raters who hold a live link (not replaced, not expired)."""
    stamp = now()
    return {
        int(link.rater_id)
        for link in conn.execute(
            sa.select(invitations.c.rater_id, invitations.c.expires_at)
            .join(raters, raters.c.id == invitations.c.rater_id)
            .where(raters.c.campaign_id == campaign_id, invitations.c.revoked_at.is_(None))
        )
        if (utc(link.expires_at) or stamp) > stamp
    }


def issue_link_sheet(
    store: Store,
    user: User | None,
    campaign_id: int,
    base: str,
    *,
    days: int,
    reissue: bool = False,
) -> LinkSheet:
    """Issue links for every rater without an answer and without a live link (or, with
    `reissue`, for every rater without an answer) and return them as sheet rows."""
    with store.engine.begin() as conn:
        camp = lock_live_campaign(
            conn, campaign_id, "links are issued only for a draft or open campaign"
        )
        live = live_links(conn, campaign_id)
        rows = conn.execute(
            rater_rows()
            .where(raters.c.campaign_id == campaign_id)
            .order_by(participants.c.code, raters.c.group != "self", raters.c.group, raters.c.id)
        ).all()
        sheet = LinkSheet(camp.name, camp.status)
        wanted = []
        for r in rows:
            if r.submitted_at is not None:
                sheet.answered += 1
            elif int(r.id) in live and not reissue:
                sheet.kept += 1
            else:
                wanted.append(r)
        tokens = issue_many(conn, LinkKind.INVITATION, [int(r.id) for r in wanted], days)
        for r, token in zip(wanted, tokens, strict=True):
            sheet.rows.append(
                (
                    str(r.pcode),
                    r.pname or "",
                    r.name or "",
                    r.email or "",
                    str(r.group),
                    link_url(LinkKind.INVITATION, base, token),
                )
            )
        write_audit(
            conn,
            user,
            "links.reissue" if reissue else "links.issue",
            f"campaign:{camp.name}",
            sheet.summary(),
            campaign_id,
        )
    return sheet
