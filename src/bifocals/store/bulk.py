"""Bulk paths between the core tables and Python: insert a parsed CSV, read arrays, export rows.

Each function runs on a connection inside the caller's transaction. Large inserts use
executemany on SQLite and COPY on PostgreSQL; reads go through the DBAPI cursor and numpy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa

from bifocals.errors import Problem, ValidationError
from bifocals.instruments.model import Instrument
from bifocals.scoring.model import GROUPS, CampaignData, Comment, Thresholds
from bifocals.store.csvformat import ParsedCampaign, format_value
from bifocals.store.tables import participants, raters, responses

_GROUP_INDEX = {g: n for n, g in enumerate(GROUPS)}


def _placeholder(conn: sa.Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _dbapi(conn: sa.Connection) -> Any:
    return conn.connection.dbapi_connection


def insert_parsed(
    conn: sa.Connection, cid: int, parsed: ParsedCampaign, submitted_at: datetime
) -> None:
    """Insert the participants, raters and answers of a parsed CSV into campaign cid."""
    if parsed.participants:
        conn.execute(
            sa.insert(participants), [{"campaign_id": cid, "code": c} for c in parsed.participants]
        )
    pid_of_code = dict(
        conn.execute(
            sa.select(participants.c.code, participants.c.id).where(
                participants.c.campaign_id == cid
            )
        ).all()
    )
    pids = [int(pid_of_code[c]) for c in parsed.participants]
    if parsed.raters:
        conn.execute(
            sa.insert(raters),
            [
                {
                    "campaign_id": cid,
                    "participant_id": pids[pi],
                    "code": code,
                    "group": group,
                    "submitted_at": submitted_at,
                }
                for pi, code, group in parsed.raters
            ],
        )
    rid_of = {
        (int(p), str(c)): int(i)
        for i, p, c in conn.execute(
            sa.select(raters.c.id, raters.c.participant_id, raters.c.code).where(
                raters.c.campaign_id == cid
            )
        ).all()
    }
    rids = [rid_of[(pids[pi], code)] for pi, code, _ in parsed.raters]
    rows = zip(
        [rids[r] for r in parsed.resp_rater],
        parsed.resp_item,
        parsed.resp_value,
        parsed.resp_text,
        strict=True,
    )
    if conn.dialect.name == "postgresql":
        with (
            _dbapi(conn).cursor() as cur,
            cur.copy("COPY responses (rater_id, item_id, value, text) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        ph = _placeholder(conn)
        cur = _dbapi(conn).cursor()
        try:
            cur.executemany(
                f"INSERT INTO responses (rater_id, item_id, value, text) "
                f"VALUES ({ph}, {ph}, {ph}, {ph})",
                rows,
            )
        finally:
            cur.close()


def _fetch_all(conn: sa.Connection, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
    cur = _dbapi(conn).cursor()
    try:
        cur.execute(sql.replace("?", _placeholder(conn)), tuple(params))
        return list(cur.fetchall())
    finally:
        cur.close()


def load_arrays(
    conn: sa.Connection,
    cid: int,
    name: str,
    instrument: Instrument,
    thresholds: Thresholds,
    salt: str,
) -> CampaignData:
    """CampaignData of submitted raters: rows = raters (by participant), columns = items."""
    part_rows = _fetch_all(
        conn, "SELECT id, code FROM participants WHERE campaign_id = ? ORDER BY id", (cid,)
    )
    rater_rows = _fetch_all(
        conn,
        'SELECT r.id, r.participant_id, r."group" FROM raters r JOIN participants p '
        "ON p.id = r.participant_id WHERE r.campaign_id = ? AND r.submitted_at IS NOT NULL "
        "ORDER BY p.id, r.id",
        (cid,),
    )
    p_index = {int(pid): n for n, (pid, _) in enumerate(part_rows)}
    n_raters = len(rater_rows)
    rater_ids = np.fromiter((int(r[0]) for r in rater_rows), dtype=np.int64, count=n_raters)
    rater_participant = np.fromiter(
        (p_index[int(r[1])] for r in rater_rows), dtype=np.int64, count=n_raters
    )
    rater_group = np.fromiter(
        (_GROUP_INDEX[str(r[2])] for r in rater_rows), dtype=np.int64, count=n_raters
    )
    items = instrument.item_ids
    n_items = len(items)
    ratings = np.full((n_raters, n_items), np.nan, dtype=np.float64)
    comments: list[Comment] = []
    answers = _fetch_all(
        conn,
        "SELECT s.rater_id, s.item_id, s.value, s.text FROM responses s "
        "JOIN raters r ON r.id = s.rater_id "
        "WHERE r.campaign_id = ? AND r.submitted_at IS NOT NULL",
        (cid,),
    )
    if answers and n_raters:
        rid, item, value, text = zip(*answers, strict=True)
        del answers
        col_of = {k: n for n, k in enumerate((*items, *instrument.question_ids))}
        cols = np.fromiter((col_of.get(i, -1) for i in item), dtype=np.int64, count=len(item))
        unknown = sorted({item[k] for k in np.nonzero(cols < 0)[0][:1000]})
        if unknown:
            raise ValidationError(
                [
                    Problem(
                        f"campaign {name!r}",
                        None,
                        "item",
                        u,
                        f"stored answers use it but instrument {instrument.id!r} "
                        f"v{instrument.version} has no such item; score with the instrument "
                        "version the campaign was collected with",
                    )
                    for u in unknown
                ],
                f"campaign {name!r} does not fit instrument {instrument.id!r}",
            )
        order = np.argsort(rater_ids, kind="stable")
        sorted_ids = rater_ids[order]
        pos = np.searchsorted(sorted_ids, np.fromiter(rid, dtype=np.int64, count=len(rid)))
        rows = order[pos]
        is_rating = cols < n_items
        vals = np.array(value, dtype=np.float64)
        ratings[rows[is_rating], cols[is_rating]] = vals[is_rating]
        for k in np.nonzero(~is_rating)[0]:
            t = text[k]
            if t:
                row = int(rows[k])
                comments.append(
                    Comment(
                        participant=int(rater_participant[row]),
                        rater=row,
                        question=str(item[k]),
                        text=str(t),
                    )
                )
    return CampaignData(
        campaign=name,
        participants=tuple(str(c) for _, c in part_rows),
        rater_participant=rater_participant,
        rater_group=rater_group,
        ratings=ratings,
        comments=tuple(comments),
        thresholds=thresholds,
        comment_salt=salt,
    )


def export_rows(
    conn: sa.Connection, cid: int, questions: frozenset[str]
) -> Iterator[tuple[str, str, str, str, str]]:
    """All answers of a campaign as CSV rows, in participant, rater and answer order."""
    q = (
        sa.select(
            participants.c.code,
            raters.c.code,
            raters.c.group,
            responses.c.item_id,
            responses.c.value,
            responses.c.text,
        )
        .select_from(
            responses.join(raters, raters.c.id == responses.c.rater_id).join(
                participants, participants.c.id == raters.c.participant_id
            )
        )
        .where(raters.c.campaign_id == cid)
        .order_by(participants.c.id, raters.c.id, responses.c.id)
    )
    result = conn.execution_options(yield_per=20_000).execute(q)
    for pcode, rcode, group, item, value, text in result:
        yield (
            pcode,
            rcode,
            group,
            item,
            format_value(value, text, text is None and item not in questions),
        )
