"""Results a web page or the JSON API may show: scored, thresholded, never one rater's answers.

Everything here starts from `score_campaign` output (anonymity rules already applied) or from
response counts; no function returns an answer, a rater name or a rater e-mail.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bifocals.errors import NotFound
from bifocals.framework import default_framework
from bifocals.framework.model import Framework
from bifocals.instruments.model import Instrument
from bifocals.scoring import score_campaign
from bifocals.scoring.model import GROUPS, CampaignScores, ParticipantScores
from bifocals.services.campaigns import ResultsRead, mark_results_seen
from bifocals.services.progress import campaign_progress
from bifocals.store import Store
from bifocals.store.cells import safe_record, safe_row
from bifocals.store.tables import campaigns, participants


@dataclass(frozen=True)
class Results:
    """A campaign's scores with what the report renderers need."""

    campaign_id: int
    name: str
    scores: CampaignScores
    instrument: Instrument
    framework: Framework
    names: dict[str, str]
    # participant code -> the language their report is written in, where one is stored
    languages: dict[str, str] = field(default_factory=dict)

    def participant(self, code: str) -> ParticipantScores:
        """The participant's scores; 404 when nobody with that code has any."""
        for ps in self.scores.participants:
            if ps.participant == code:
                return ps
        raise NotFound("no scores for this participant (no answers were submitted)", "participant")


def load_results(store: Store, campaign_id: int, read: ResultsRead) -> Results:
    """Score a closed or released campaign for one reader (Conflict while it still collects).

    The read is marked seen (audited, under the campaign's row lock) and committed before
    anything is scored, so a re-open or a threshold change cannot slip in between: see
    services.campaigns.mark_results_seen. Every door (pages, PDFs, CSV and JSON exports, the
    API, the CLI) reads results through here.
    """
    with store.engine.begin() as conn:
        campaign_row = mark_results_seen(conn, campaign_id, read)
    data, instrument = store.load_campaign_data(campaign_row.name)
    framework = default_framework()
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(participants.c.code, participants.c.name, participants.c.language).where(
                participants.c.campaign_id == campaign_row.id
            )
        ).all()
    return Results(
        campaign_id=int(campaign_row.id),
        name=str(campaign_row.name),
        scores=score_campaign(data, instrument, framework),
        instrument=instrument,
        framework=framework,
        names={r.code: r.name for r in rows if r.name},
        languages={r.code: r.language for r in rows if r.language},
    )


def participant_code(conn: sa.Connection, campaign_id: int, pid: int) -> str:
    """The code of participant pid of the campaign (404 if it is not there)."""
    code = conn.execute(
        sa.select(participants.c.code).where(
            participants.c.id == pid, participants.c.campaign_id == campaign_id
        )
    ).scalar()
    if code is None:
        raise NotFound("no such participant in this campaign", "participant_id")
    return str(code)


def campaign_row(conn: sa.Connection, campaign_id: int) -> Any:
    """The campaigns row (404 if missing)."""
    row = conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).first()
    if row is None:
        raise NotFound("no such campaign", "campaign_id")
    return row


SCORE_COLUMNS: tuple[str, ...] = (
    "participant",
    "group",
    "dimension",
    "side",
    "n",
    "mean",
    "sd",
    "rwg",
)


def scores_csv(results: Results) -> str:
    """One row per shown cell (participant, group, dimension, side): thresholded aggregates.

    Numbers are written as numbers (rounded to 4 places) and text is guarded against formulas
    (bifocals.store.cells), so a code like `=HYPERLINK(...)` cannot run in a spreadsheet.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SCORE_COLUMNS)
    for ps in results.scores.participants:
        for (group, dim, side), st in sorted(ps.cells.items()):
            cell = st.to_dict()
            rwg = ps.rwg.get((group, dim, side))
            writer.writerow(
                safe_row(
                    [
                        ps.participant,
                        group,
                        dim,
                        side,
                        cell.get("n", ""),
                        _num(cell.get("mean")),
                        _num(cell.get("sd")),
                        _num(rwg),
                    ]
                )
            )
    return out.getvalue()


def _num(value: object) -> object:
    """A number cell: floats rounded to 4 places (never -0.0), None as an empty cell."""
    if isinstance(value, float):
        return float(round(value, 4)) + 0.0
    return "" if value is None else value


def progress_rows(conn: sa.Connection, campaign_id: int) -> list[dict[str, Any]]:
    """Answered and invited counts per participant and group (no names of raters, no answers)."""
    prog = campaign_progress(conn, campaign_id)
    rows: list[dict[str, Any]] = []
    for pid, total, groups in prog.by_participant:
        by_group = {g.label: g for g in groups}
        row: dict[str, Any] = {
            "participant_id": pid,
            "participant": total.label,
            "answered": total.done,
            "invited": total.total,
        }
        for g in GROUPS:
            rate = by_group.get(g)
            row[f"{g}_answered"] = rate.done if rate else 0
            row[f"{g}_invited"] = rate.total if rate else 0
        rows.append(row)
    return rows


def progress_csv(conn: sa.Connection, campaign_id: int) -> str:
    """progress_rows as CSV."""
    rows = progress_rows(conn, campaign_id)
    cols = ["participant_id", "participant", "answered", "invited"] + [
        f"{g}_{k}" for g in GROUPS for k in ("answered", "invited")
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=cols, lineterminator="\n")
    writer.writeheader()
    writer.writerows(safe_record(r) for r in rows)  # participant labels are text: guarded
    return out.getvalue()
