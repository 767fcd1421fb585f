"""Bulk paths between the core tables and Python: insert a parsed CSV, read arrays, export rows.

Each function runs on a connection inside the caller's transaction. Large inserts use
executemany on SQLite and COPY on PostgreSQL; reads go through the DBAPI cursor and numpy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
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


def _unknown_items(name: str, instrument: Instrument, unknown: list[str]) -> ValidationError:
    return ValidationError(
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
            for u in unknown[:100]
        ],
        f"campaign {name!r} does not fit instrument {instrument.id!r}",
    )


def _answer_columns(
    conn: sa.Connection, cid: int
) -> tuple[npt.NDArray[np.int64], list[str], npt.NDArray[np.float64]]:
    """(rater id, item id, value) of every answer without text, in one query.

    The database concatenates each column into one string (group_concat / string_agg) and
    numpy parses the numbers: no Python object per answer. Open-question answers come along
    as NaN values and are dropped by the caller (their text is read on its own).
    """
    where = (
        "FROM responses s JOIN raters r ON r.id = s.rater_id "
        "WHERE r.campaign_id = ? AND r.submitted_at IS NOT NULL"
    )
    if conn.dialect.name == "sqlite":
        # Values are whole numbers (a CHECK constraint): SQLite writes integers as text much
        # faster than floats.
        sql = (
            "SELECT group_concat(s.rater_id, ' '), group_concat(s.item_id, char(31)), "
            f"group_concat(coalesce(CAST(s.value AS INTEGER), 'nan'), ' ') {where}"
        )
    else:
        sql = (
            "SELECT string_agg(s.rater_id::text, ' '), string_agg(s.item_id, chr(31)), "
            f"string_agg(coalesce(s.value::text, 'nan'), ' ') {where}"
        )
    ((rid_text, item_text, value_text),) = _fetch_all(conn, sql, (cid,))
    if not item_text:
        return np.zeros(0, np.int64), [], np.zeros(0, np.float64)
    rid = np.fromstring(rid_text, dtype=np.int64, sep=" ")
    value = np.fromstring(value_text, dtype=np.float64, sep=" ")
    item = item_text.split("\x1f")
    if not len(rid) == len(value) == len(item):
        raise RuntimeError("answer columns of different lengths; the database changed mid-read")
    return rid, item, value


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
    order = np.argsort(rater_ids, kind="stable")
    sorted_ids = rater_ids[order]

    def row_of(ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return order[np.searchsorted(sorted_ids, ids)] if n_raters else ids

    rid, item, value = _answer_columns(conn, cid)
    question_ids = set(instrument.question_ids)
    col_of = {q: -1 for q in question_ids} | {k: n for n, k in enumerate(items)}
    unknown = sorted(set(item) - col_of.keys())
    if unknown:
        raise _unknown_items(name, instrument, unknown)
    cols = np.fromiter(map(col_of.__getitem__, item), dtype=np.int64, count=len(item))
    keep = cols >= 0
    ratings[row_of(rid[keep]), cols[keep]] = value[keep]
    comments: list[Comment] = []
    texts = _fetch_all(
        conn,
        "SELECT s.rater_id, s.item_id, s.text FROM responses s JOIN raters r "
        "ON r.id = s.rater_id WHERE r.campaign_id = ? AND r.submitted_at IS NOT NULL "
        "AND s.text IS NOT NULL ORDER BY s.id",
        (cid,),
    )
    if texts:
        t_rows = row_of(np.fromiter((int(t[0]) for t in texts), dtype=np.int64, count=len(texts)))
        for (_, q, text), row in zip(texts, t_rows.tolist(), strict=True):
            if q not in question_ids:
                raise _unknown_items(name, instrument, [str(q)])
            if text:
                comments.append(
                    Comment(
                        participant=int(rater_participant[row]),
                        rater=int(row),
                        question=str(q),
                        text=str(text),
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
