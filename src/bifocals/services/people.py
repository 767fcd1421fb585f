"""Participants and raters of a campaign: add by form or CSV, nominations and their review.

Every participant gets a self rater (group "self") when added, so their own view is invited
like everyone else's.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa

from bifocals.errors import BifocalsError, Conflict, Invalid, Problem, ValidationError
from bifocals.instruments.translation import LANGUAGES
from bifocals.services.accounts import EMAIL, write_audit
from bifocals.services.campaigns import lock_live_campaign
from bifocals.services.security import User, now
from bifocals.store.app_tables import nominations
from bifocals.store.csvformat import QUOTE_HINT, head_of, read_records
from bifocals.store.tables import participants, raters

RATER_GROUPS: tuple[str, ...] = ("manager", "peer", "direct_report", "other")
GROUP_LABELS: dict[str, str] = {
    "self": "Self",
    "manager": "Manager",
    "peer": "Peer",
    "direct_report": "Direct report",
    "other": "Other",
}
CSV_COLUMNS: tuple[str, ...] = ("name", "email", "code")
MAX_NOMINATIONS = 40
MAX_CSV_BYTES = 2_000_000


def require_editable(conn: sa.Connection, campaign_id: int) -> Any:
    """Take the campaign's row lock and return its row if people may still be added,
    corrected or removed (draft or open); every change to a campaign's people starts here."""
    return lock_live_campaign(
        conn,
        campaign_id,
        "participants and raters can be added only while it is a draft or open, and corrected "
        "or removed likewise",
    )


def check_email(value: str, field: str, required: bool) -> str | None:
    """A clean, lower-case address (None when empty and not required), or a Conflict."""
    e = value.strip().lower()
    if not e:
        if required:
            raise Conflict("an e-mail address is needed", field)
        return None
    if not EMAIL.match(e) or len(e) > 320:
        raise Conflict(f"{value!r} is not an e-mail address; write name@example.org", field)
    return e


def check_name(name: str) -> str:
    """A rater's name, stripped, or a Conflict when empty or over 200 characters."""
    clean = name.strip()
    if not clean or len(clean) > 200:
        raise Conflict("give the rater's name (1 to 200 characters)", "name")
    return clean


def insert_participant(
    conn: sa.Connection,
    campaign_id: int,
    code: str,
    name: str | None,
    email: str | None,
    language: str | None = None,
) -> int:
    """A participant and their self rater (who answers in the participant's language)."""
    pid = int(
        conn.execute(
            sa.insert(participants)
            .values(campaign_id=campaign_id, code=code, name=name, email=email, language=language)
            .returning(participants.c.id)
        ).scalar_one()
    )
    conn.execute(
        sa.insert(raters).values(
            campaign_id=campaign_id,
            participant_id=pid,
            code="self",
            group="self",
            name=name,
            email=email,
            language=language,
        )
    )
    return pid


def _code_taken(conn: sa.Connection, campaign_id: int, code: str) -> bool:
    found = conn.execute(
        sa.select(participants.c.id).where(
            participants.c.campaign_id == campaign_id, participants.c.code == code
        )
    ).first()
    return found is not None


def check_language_field(value: str | None) -> str | None:
    """A person's language as entered: None when empty; en, de, fr or es; else an Invalid
    naming the field and the choices."""
    if value is None or not value.strip():
        return None
    code = value.strip().lower()
    if code not in LANGUAGES:
        raise Invalid(
            f"{value!r} is not a language bifocals has texts in; use one of "
            f"{', '.join(LANGUAGES)} or leave it empty",
            "language",
        )
    return code


def add_participant(
    conn: sa.Connection,
    user: User,
    campaign_id: int,
    code: str,
    name: str,
    email: str,
    language: str | None = None,
) -> int:
    """Add one participant (and their self rater) to a draft or open campaign; `language`
    (optional) is the language of their report and self-assessment."""
    require_editable(conn, campaign_id)
    lang = check_language_field(language)
    code = code.strip()
    if not code or len(code) > 200:
        raise Conflict("give a short code for the participant (1 to 200 characters)", "code")
    if _code_taken(conn, campaign_id, code):
        raise Conflict(f"{code!r} is already used in this campaign; choose another", "code")
    addr = check_email(email, "email", required=False)
    pid = insert_participant(conn, campaign_id, code, name.strip()[:200] or None, addr, lang)
    write_audit(conn, user, "participant.add", f"participant:{code}", "", campaign_id)
    return pid


def parse_participants_csv(
    data: bytes, source: str, taken: set[str]
) -> list[tuple[str, str | None, str | None]]:
    """(code, name, email) rows of an uploaded CSV; a ValidationError lists every bad line."""
    problems: list[Problem] = []
    if len(data) > MAX_CSV_BYTES:
        raise ValidationError(
            [Problem(source, None, "file", len(data), f"is larger than {MAX_CSV_BYTES} bytes")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            [Problem(source, None, "file", exc.reason, "is not UTF-8 text; save it as CSV UTF-8")]
        ) from exc
    # Cells come back stripped and unguarded (an apostrophe our exports put in front of a
    # formula-like value is removed); a broken quote or an overlong cell is a problem.
    records = read_records(text, source, problems)
    first = next(records, None)
    if problems:
        raise ValidationError(problems, f"{source}: nothing was added; fix these lines")
    header = [h.lower() for h in first.cells] if first is not None else []
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        msg = f"the first line must name the columns {','.join(CSV_COLUMNS)}; missing {missing}"
        raise ValidationError([Problem(source, 1, "header", ",".join(header), msg)])
    at = {c: header.index(c) for c in CSV_COLUMNS}
    rows: list[tuple[str, str | None, str | None]] = []
    seen: dict[str, int] = {}
    for record in records:
        line_no, cells = record.line, record.cells
        if not any(cells):
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(
                    source,
                    line_no,
                    "line",
                    ",".join(cells),
                    f"has {len(cells)} cells; the header has {len(header)}",
                )
            )
            continue
        code, name, email = (cells[at[c]] for c in ("code", "name", "email"))
        broken = [
            (c, v)
            for c, v in (("code", code), ("name", name), ("email", email))
            if "\n" in v or "\r" in v
        ]
        for col, value in broken:
            problems.append(
                Problem(
                    source,
                    line_no,
                    col,
                    head_of(value),
                    f"holds a line break (its quoted value runs to line {record.last_line}); "
                    f"a quote is probably not closed on line {line_no}: close it ({QUOTE_HINT})",
                )
            )
        if broken:
            continue
        if not code:
            problems.append(Problem(source, line_no, "code", code, "is empty; give each a code"))
        elif len(code) > 200:
            problems.append(Problem(source, line_no, "code", code, "is over 200 characters"))
        elif code in taken:
            problems.append(
                Problem(source, line_no, "code", code, "is already used in this campaign")
            )
        elif code in seen:
            problems.append(Problem(source, line_no, "code", code, f"repeats line {seen[code]}"))
        else:
            seen[code] = line_no
        if len(name) > 200:
            problems.append(Problem(source, line_no, "name", name, "is over 200 characters"))
        addr = email.lower()
        if addr and (not EMAIL.match(addr) or len(addr) > 320):
            problems.append(Problem(source, line_no, "email", email, "is not an e-mail address"))
        rows.append((code, name or None, addr or None))
    if problems:
        raise ValidationError(problems, f"{source}: nothing was added; fix these lines")
    if not rows:
        raise ValidationError([Problem(source, None, "file", "", "has no participant lines")])
    return rows


def import_participants(
    conn: sa.Connection, user: User, campaign_id: int, data: bytes, source: str
) -> int:
    """Add every participant of a CSV upload, or none (all-or-nothing); returns the count."""
    require_editable(conn, campaign_id)
    taken = set(
        conn.execute(
            sa.select(participants.c.code).where(participants.c.campaign_id == campaign_id)
        ).scalars()
    )
    rows = parse_participants_csv(data, source, taken)
    for code, name, email in rows:
        insert_participant(conn, campaign_id, code, name, email)
    write_audit(
        conn, user, "participant.import", f"file:{source}", f"{len(rows)} added", campaign_id
    )
    return len(rows)


def _check_rater(
    conn: sa.Connection,
    participant_id: int,
    name: str,
    email: str,
    group: str,
    require_email: bool,
) -> tuple[str, str | None]:
    if group not in RATER_GROUPS:
        raise Conflict(f"{group!r} is not one of {', '.join(RATER_GROUPS)}", "group")
    clean = check_name(name)
    addr = check_email(email, "email", required=require_email)
    if addr is not None:
        dup = conn.execute(
            sa.select(raters.c.id).where(
                raters.c.participant_id == participant_id,
                sa.func.lower(raters.c.email) == addr,
            )
        ).first()
        if dup is not None:
            raise Conflict(f"{addr} already rates this participant", "email")
    return clean, addr


def insert_rater(
    conn: sa.Connection,
    campaign_id: int,
    participant_id: int,
    name: str,
    email: str | None,
    group: str,
    language: str | None = None,
) -> int:
    # Random codes: a rater's code says nothing about who they are or in which order they came.
    code = f"{group}-{secrets.token_hex(4)}"
    return int(
        conn.execute(
            sa.insert(raters)
            .values(
                campaign_id=campaign_id,
                participant_id=participant_id,
                code=code,
                group=group,
                name=name,
                email=email,
                language=language,
            )
            .returning(raters.c.id)
        ).scalar_one()
    )


def insert_raters(
    conn: sa.Connection,
    campaign_id: int,
    rows: list[tuple[int, str, str | None, str]],
    *,
    languages: list[str | None] | None = None,
) -> None:
    """Insert many raters at once: (participant_id, name, email, group) each, random codes;
    `languages`, when given, holds each rater's language (None: not set)."""
    langs = languages if languages is not None else [None] * len(rows)
    if rows:
        conn.execute(
            sa.insert(raters),
            [
                {
                    "campaign_id": campaign_id,
                    "participant_id": pid,
                    "code": f"{group}-{secrets.token_hex(4)}",
                    "group": group,
                    "name": name,
                    "email": email,
                    "language": lang,
                }
                for (pid, name, email, group), lang in zip(rows, langs, strict=True)
            ],
        )


def add_rater(
    conn: sa.Connection,
    user: User,
    campaign_id: int,
    participant_id: int,
    name: str,
    email: str,
    group: str,
    language: str | None = None,
) -> int:
    """Add a rater chosen by the facilitator; `language` (optional) is the one they answer
    and are written to in (default: the participant's)."""
    require_editable(conn, campaign_id)
    lang = check_language_field(language)
    clean, addr = _check_rater(conn, participant_id, name, email, group, require_email=False)
    rid = insert_rater(conn, campaign_id, participant_id, clean, addr, group, lang)
    write_audit(
        conn, user, "rater.add", f"participant_id:{participant_id}", f"group={group}", campaign_id
    )
    return rid


def nominate(
    conn: sa.Connection,
    participant_id: int,
    campaign_id: int,
    name: str,
    email: str,
    group: str,
) -> int:
    """A participant suggests a rater; it waits for the facilitator's approval."""
    require_editable(conn, campaign_id)
    clean, addr = _check_rater(conn, participant_id, name, email, group, require_email=True)
    assert addr is not None
    existing = conn.execute(
        sa.select(nominations.c.email, nominations.c.status).where(
            nominations.c.participant_id == participant_id
        )
    ).all()
    if len(existing) >= MAX_NOMINATIONS:
        raise BifocalsError(f"you have made {MAX_NOMINATIONS} suggestions; that is the limit")
    if any(e.email == addr and e.status == "pending" for e in existing):
        raise Conflict(f"{addr} is already suggested and waiting for review", "email")
    nid = int(
        conn.execute(
            sa.insert(nominations)
            .values(
                participant_id=participant_id,
                name=clean,
                email=addr,
                group=group,
                status="pending",
                created_at=now(),
            )
            .returning(nominations.c.id)
        ).scalar_one()
    )
    return nid


def decide_nomination(
    conn: sa.Connection, user: User, campaign_id: int, nomination_id: int, approve: bool
) -> int | None:
    """Approve (the nominee becomes a rater; returns its id) or reject a pending nomination."""
    row = conn.execute(
        sa.select(nominations)
        .join(participants, participants.c.id == nominations.c.participant_id)
        .where(nominations.c.id == nomination_id, participants.c.campaign_id == campaign_id)
    ).first()
    if row is None:
        raise BifocalsError("no such nomination in this campaign")
    if row.status != "pending":
        raise BifocalsError(f"this nomination was already {row.status}")
    rater_id = None
    if approve:
        require_editable(conn, campaign_id)
        clean, addr = _check_rater(
            conn, row.participant_id, row.name, row.email, row.group, require_email=True
        )
        rater_id = insert_rater(conn, campaign_id, row.participant_id, clean, addr, row.group)
    conn.execute(
        sa.update(nominations)
        .where(nominations.c.id == nomination_id)
        .values(
            status="approved" if approve else "rejected",
            decided_at=now(),
            decided_by=user.id,
            rater_id=rater_id,
        )
    )
    action = "nomination.approve" if approve else "nomination.reject"
    write_audit(
        conn,
        user,
        action,
        f"participant_id:{row.participant_id}",
        f"group={row.group}",
        campaign_id,
    )
    return rater_id
