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
from bifocals.store.csvformat import Cell, ParsedCampaign, format_value
from bifocals.store.tables import participants, raters, responses

_GROUP_INDEX = {g: n for n, g in enumerate(GROUPS)}


def _placeholder(conn: sa.Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _dbapi(conn: sa.Connection) -> Any:
    return conn.connection.dbapi_connection


def insert_parsed(
    conn: sa.Connection, cid: int, parsed: ParsedCampaign, submitted_at: datetime
) -> None:
    """Insert the participants (with the names and e-mails the file gave), raters and answers
    of a parsed CSV into campaign cid."""
    p_name, p_email = parsed.participant_name.get, parsed.participant_email.get
    if parsed.participants:
        conn.execute(
            sa.insert(participants),
            [
                {"campaign_id": cid, "code": c, "name": p_name(n), "email": p_email(n)}
                for n, c in enumerate(parsed.participants)
            ],
        )
    pid_of_code = dict(
        conn.execute(
            sa.select(participants.c.code, participants.c.id).where(
                participants.c.campaign_id == cid
            )
        ).all()
    )
    pids = [int(pid_of_code[c]) for c in parsed.participants]
    r_name, r_email = parsed.rater_name.get, parsed.rater_email.get
    if parsed.raters:
        conn.execute(
            sa.insert(raters),
            [
                {
                    "campaign_id": cid,
                    "participant_id": pids[pi],
                    "code": code,
                    "group": group,
                    "name": r_name(n),
                    "email": r_email(n),
                    "submitted_at": submitted_at,
                }
                for n, (pi, code, group) in enumerate(parsed.raters)
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


# (rater id, index of the item in the vocabulary, value) per answer, and the vocabulary.
Answers = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], list[str], npt.NDArray[np.float64]]


def _no_answers() -> Answers:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), [], np.zeros(0, np.float64)


def _encode(items: list[str]) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Item ids as indices into a vocabulary of the distinct ids (in order of appearance)."""
    index: dict[str, int] = {}
    codes = np.fromiter(
        (index.setdefault(i, len(index)) for i in items), dtype=np.int64, count=len(items)
    )
    return codes, list(index)


def _sqlite_answers(conn: sa.Connection, rater_ids: npt.NDArray[np.int64]) -> Answers | None:
    """The SQLite fast path of `_answers`, or None when a value is not a single digit.

    One row per rater (the scan follows the (rater_id, item_id) index, so no sort): the rater
    id, its item ids joined by a unit separator and its values as one digit each ('n' for no
    value). Raters who answered the same items give the same item string, so each distinct
    string is split and encoded once. Rating scales run 0-9 in practice, so the digits decode
    with one numpy view; a value of another width shows up as a length mismatch and the
    caller falls back. Raters in the id range but not in `rater_ids` (another campaign, not
    submitted) are dropped.
    """
    wanted = set(rater_ids.tolist())
    rows = [
        r
        for r in _fetch_all(
            conn,
            "SELECT rater_id, group_concat(item_id, char(31)), "
            "group_concat(coalesce(CAST(value AS INTEGER), 'n'), '') "
            "FROM responses WHERE rater_id BETWEEN ? AND ? GROUP BY rater_id",
            (int(rater_ids.min()), int(rater_ids.max())),
        )
        if r[0] in wanted
    ]
    if not rows:
        return _no_answers()
    index: dict[str, int] = {}
    codes_of: dict[str, npt.NDArray[np.int64]] = {}
    for _, joined, _ in rows:
        if joined not in codes_of:
            codes_of[joined] = np.array(
                [index.setdefault(i, len(index)) for i in joined.split("\x1f")], dtype=np.int64
            )
    per_rater = [codes_of[r[1]] for r in rows]
    codes = np.concatenate(per_rater)
    digits = "".join(r[2] for r in rows).encode("ascii", "replace")
    if len(digits) != len(codes):
        return None
    value = np.frombuffer(digits, dtype=np.uint8).astype(np.float64) - ord("0")
    value[(value < 0) | (value > 9)] = np.nan
    counts = np.fromiter((len(c) for c in per_rater), dtype=np.int64, count=len(rows))
    rid = np.repeat(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)), counts)
    return rid, codes, list(index), value


def _parse_joined(joined: tuple[Any, ...]) -> Answers:
    """Split one row of (rater ids, item ids, values), each aggregated into one string."""
    rid_text, item_text, value_text = joined
    if not item_text:
        return _no_answers()
    rid = np.fromstring(rid_text, dtype=np.int64, sep=" ")
    value = np.fromstring(value_text, dtype=np.float64, sep=" ")
    codes, vocabulary = _encode(item_text.split("\x1f"))
    return rid, codes, vocabulary, value


def _answers(conn: sa.Connection, cid: int, rater_ids: npt.NDArray[np.int64]) -> Answers:
    """Every answer of the given raters, without a Python object per answer.

    The database concatenates the columns into a few strings (group_concat / string_agg) and
    numpy parses the numbers. Open-question answers come along as NaN values and are dropped
    by the caller (their text is read on its own). On SQLite the answers are read by rater id
    range, without a join; answers of raters outside the given set (another campaign with
    interleaved ids, a rater who has not submitted) are dropped here.
    """
    if len(rater_ids) == 0:
        return _no_answers()
    if conn.dialect.name != "sqlite":
        (joined,) = _fetch_all(
            conn,
            "SELECT string_agg(s.rater_id::text, ' '), string_agg(s.item_id, chr(31)), "
            "string_agg(coalesce(s.value::text, 'nan'), ' ') FROM responses s "
            "JOIN raters r ON r.id = s.rater_id "
            "WHERE r.campaign_id = ? AND r.submitted_at IS NOT NULL",
            (cid,),
        )
        answers = _parse_joined(joined)
    elif (fast := _sqlite_answers(conn, rater_ids)) is not None:
        answers = fast
    else:
        # A value wider than one digit: the same range scan, numbers as separated text.
        (joined,) = _fetch_all(
            conn,
            "SELECT group_concat(rater_id, ' '), group_concat(item_id, char(31)), "
            "group_concat(coalesce(CAST(value AS INTEGER), 'nan'), ' ') "
            "FROM responses WHERE rater_id BETWEEN ? AND ?",
            (int(rater_ids.min()), int(rater_ids.max())),
        )
        rid, codes, vocabulary, value = _parse_joined(joined)
        wanted = np.isin(rid, rater_ids)
        answers = (rid[wanted], codes[wanted], vocabulary, value[wanted])
    rid, codes, _, value = answers
    if not len(rid) == len(codes) == len(value):
        raise RuntimeError("answer columns of different lengths; the database changed mid-read")
    return answers


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

    rid, codes, vocabulary, value = _answers(conn, cid, rater_ids)
    question_ids = set(instrument.question_ids)
    col_of = {q: -1 for q in question_ids} | {k: n for n, k in enumerate(items)}
    unknown = sorted(set(vocabulary) - col_of.keys())
    if unknown:
        raise _unknown_items(name, instrument, unknown)
    cols = np.array([col_of[v] for v in vocabulary], dtype=np.int64)[codes]
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
) -> Iterator[tuple[str, str, str, str, str, str, str, str, Cell]]:
    """All answers of a campaign as CSV rows (EXPORT_COLUMNS: participant code, name, e-mail,
    rater code, name, e-mail, group, item, value; a missing name or e-mail is ""), in
    participant, rater and answer order. Ratings are numbers, so that the writer guards only
    the text cells against formulas."""
    q = (
        sa.select(
            participants.c.code,
            participants.c.name,
            participants.c.email,
            raters.c.code,
            raters.c.name,
            raters.c.email,
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
    for pcode, pname, pemail, rcode, rname, remail, group, item, value, text in result:
        yield (
            pcode,
            pname or "",
            pemail or "",
            rcode,
            rname or "",
            remail or "",
            group,
            item,
            format_value(value, text, text is None and item not in questions),
        )
