"""A campaign's roster from a spreadsheet: who is rated, and by whom, kept in step with the file.

The file has one line per rater (columns ROSTER_COLUMNS); a line with the rater columns empty
names a participant who has no other raters yet. Importing adds what is new and edits in place
what is known:

- a participant is known by its code (`participant`); its name and e-mail follow the file, and
  so do those of its self rater (every participant rates themselves);
- a rater is known, within its participant, by its e-mail, or else by its name; so a changed
  e-mail is matched by the name and a changed name by the e-mail, and either is updated.

With `sync`, raters and participants absent from the file are removed too. Someone who has
answered is never removed silently: the import stops and names them (RosterNeedsConfirmation)
unless `remove_answered` is given; that removal is audited and refused once the campaign's
results were seen (it would change what was already read). A group change of a rater who has
answered is refused after results were seen for the same reason. The whole file applies or
nothing does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from bifocals.errors import Conflict, Problem, ValidationError
from bifocals.instruments.translation import LANGUAGES
from bifocals.services.accounts import EMAIL, write_audit
from bifocals.services.campaigns import results_seen
from bifocals.services.corrections import (
    audited,
    check_answered_removal,
    delete_raters,
    revoke_links,
)
from bifocals.services.people import (
    RATER_GROUPS,
    insert_participant,
    insert_raters,
    require_editable,
)
from bifocals.services.security import User
from bifocals.store import Store
from bifocals.store.csvformat import Record
from bifocals.store.sheets import header_index, read_table, unknown_columns
from bifocals.store.tables import participants, raters

ROSTER_COLUMNS: tuple[str, ...] = (
    "participant",
    "participant_name",
    "participant_email",
    "rater_name",
    "rater_email",
    "group",
)
# Optional columns read on import: the language the rater answers and is written to in, and
# the participant's (their report and self-assessment): en, de, fr or es; empty: not set.
LANGUAGE_COLUMNS: tuple[str, ...] = ("language", "participant_language")
READ_COLUMNS = ROSTER_COLUMNS + LANGUAGE_COLUMNS
REQUIRED_COLUMNS: tuple[str, ...] = ("participant", "rater_name", "rater_email", "group")
MAX_ROSTER_LINES = 20_000
# How people write the groups in a spreadsheet, as the groups' names (after lower case and
# spaces or hyphens to underscores).
GROUP_SPELLINGS: dict[str, str] = {
    "peers": "peer",
    "managers": "manager",
    "line_manager": "manager",
    "direct_reports": "direct_report",
    "directreport": "direct_report",
    "directreports": "direct_report",
    "report": "direct_report",
    "reports": "direct_report",
    "others": "other",
}


@dataclass(frozen=True)
class RosterRater:
    """One rater line of the file."""

    line: int
    name: str
    email: str | None
    group: str
    language: str | None = None


@dataclass
class RosterParticipant:
    """A participant of the file and its raters, in file order."""

    code: str
    line: int
    name: str | None = None
    email: str | None = None
    name_line: int = 0
    email_line: int = 0
    language: str | None = None
    language_line: int = 0
    raters: list[RosterRater] = field(default_factory=list)


@dataclass(frozen=True)
class Roster:
    """A parsed roster file: its participants by code, in file order."""

    source: str
    participants: dict[str, RosterParticipant]
    ignored: tuple[str, ...] = ()  # columns of the file that are not roster columns


@dataclass
class RosterResult:
    """What an import changed (or, for a dry run, would change)."""

    participants_added: int = 0
    participants_updated: int = 0
    participants_removed: int = 0
    raters_added: int = 0
    raters_updated: int = 0
    raters_removed: int = 0
    answers_removed: int = 0  # raters removed together with the answers they had given
    changes: list[str] = field(default_factory=list)  # one line per change, for the preview
    ignored: tuple[str, ...] = ()  # columns of the file that were left out

    def summary(self) -> str:
        """One sentence a person reads after the import."""
        parts = [
            _count(self.participants_added, "participant", "added"),
            _count(self.participants_updated, "participant", "updated"),
            _count(self.participants_removed, "participant", "removed"),
            _count(self.raters_added, "rater", "added"),
            _count(self.raters_updated, "rater", "updated"),
            _count(self.raters_removed, "rater", "removed"),
        ]
        said = [p for p in parts if p]
        text = "; ".join(said) if said else "nothing to change: the roster already matches"
        if self.answers_removed:
            text += f" (with the answers of {_count(self.answers_removed, 'rater', '')})"
        if self.ignored:
            text += f"; columns left out: {', '.join(self.ignored)}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The counts and changes as JSON-ready data (the fields in order; `ignored` as
        ignored_columns, a list)."""
        data = asdict(self)
        data["ignored_columns"] = list(data.pop("ignored"))
        return data


class RosterNeedsConfirmation(Conflict):
    """A sync would remove people who have answered; `answered` names each of them."""

    def __init__(self, answered: list[str]) -> None:
        self.answered = answered
        listing = "; ".join(answered[:20]) + ("; ..." if len(answered) > 20 else "")
        super().__init__(
            f"{len(answered)} of the people the file leaves out have already answered "
            f"({listing}); nothing was changed. Put them back in the file, or confirm that "
            "their answers are to be removed too (--remove-answered; on the web, the "
            "confirmation box)",
            "sync",
        )


def _count(n: int, noun: str, verb: str) -> str:
    if not n:
        return ""
    return f"{n} {noun}{'' if n == 1 else 's'} {verb}".strip()


def _address(value: str) -> str | None:
    addr = value.strip().lower()
    if not addr:
        return None
    if not EMAIL.match(addr) or len(addr) > 320:
        raise ValueError(addr)
    return addr


def parse_roster(data: bytes, source: str) -> Roster:
    """Read a roster (CSV or .xlsx); a ValidationError lists every problem of every line."""
    problems: list[Problem] = []
    records = read_table(data, source, problems)
    first = next(records, None)
    if problems:
        raise ValidationError(problems, f"{source}: nothing was changed; fix these lines")
    if first is None:
        raise ValidationError([Problem(source, None, "file", "", "is empty")])
    return parse_records(first, records, source)


def roster_from_rows(rows: list[dict[str, str]], source: str) -> Roster:
    """A roster given as rows of the roster's columns (the API); a problem's line is the
    row's index in the list."""
    header = Record(0, 0, list(ROSTER_COLUMNS))
    body = (
        Record(n, n, [str(row.get(c, "")).strip() for c in ROSTER_COLUMNS])
        for n, row in enumerate(rows)
    )
    return parse_records(header, body, source)


def parse_records(first: Record, records: Iterator[Record], source: str) -> Roster:
    """A roster from its header record and the records after it (all problems at once)."""
    problems: list[Problem] = []
    at = header_index(first.cells, source, REQUIRED_COLUMNS, READ_COLUMNS, ignore_unknown=True)
    ignored = tuple(unknown_columns(first.cells, READ_COLUMNS))
    people: dict[str, RosterParticipant] = {}
    seen_raters: dict[tuple[str, str], int] = {}

    def cell(cells: list[str], name: str) -> str:
        n = at.get(name)
        return cells[n] if n is not None and n < len(cells) else ""

    lines = 0
    for record in records:
        line, cells = record.line, record.cells
        if not any(cells):
            continue
        lines += 1
        if lines > MAX_ROSTER_LINES:
            problems.append(
                Problem(source, line, "file", lines, f"has over {MAX_ROSTER_LINES:,} lines")
            )
            break
        if len(cells) > len(first.cells):
            problems.append(
                Problem(
                    source,
                    line,
                    "line",
                    ",".join(cells),
                    f"has {len(cells)} cells; the header has {len(first.cells)}: "
                    "quote a value that holds a comma",
                )
            )
            continue
        values = {name: cell(cells, name) for name in READ_COLUMNS}
        bad = False
        for name, value in values.items():
            if "\n" in value or "\r" in value:
                problems.append(
                    Problem(source, line, name, value, "holds a line break; write it on one line")
                )
                bad = True
            elif len(value) > 200 and not name.endswith("email"):
                problems.append(Problem(source, line, name, value, "is over 200 characters"))
                bad = True
        code = values["participant"]
        if not code:
            problems.append(
                Problem(source, line, "participant", code, "is empty; give each participant a code")
            )
            continue
        person = people.setdefault(code, RosterParticipant(code, line))
        _merge_person(person, values, line, source, problems)
        language = _language(values["language"], "language", line, source, problems)
        rater_name, rater_email = values["rater_name"], values["rater_email"]
        group = values["group"].strip().lower().replace(" ", "_").replace("-", "_")
        group = GROUP_SPELLINGS.get(group, group)
        if not (rater_name or rater_email or group):
            continue  # a participant line without raters
        refusal = _group_refusal(group)
        if refusal is not None:
            problems.append(Problem(source, line, "group", values["group"], refusal))
            bad = True
        if not rater_name:
            problems.append(
                Problem(source, line, "rater_name", rater_name, "is empty; give the rater's name")
            )
            bad = True
        try:
            addr = _address(rater_email)
        except ValueError:
            problems.append(
                Problem(
                    source,
                    line,
                    "rater_email",
                    rater_email,
                    "is not an e-mail address; write name@example.org",
                )
            )
            continue
        key = (code, addr or f"name:{rater_name.lower()}")
        if key in seen_raters:
            what = "rater_email" if addr else "rater_name"
            problems.append(
                Problem(
                    source,
                    line,
                    what,
                    addr or rater_name,
                    f"rates participant {code} twice (line {seen_raters[key]} too); "
                    "keep one line per rater",
                )
            )
            continue
        seen_raters[key] = line
        if not bad:
            person.raters.append(RosterRater(line, rater_name, addr, group, language))
    for person in people.values():
        if person.email is None:
            continue
        for r in person.raters:
            if r.email == person.email:
                problems.append(
                    Problem(
                        source,
                        r.line,
                        "rater_email",
                        r.email,
                        f"is participant {person.code}'s own address; their self rating is "
                        "invited already, so remove this line",
                    )
                )
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise ValidationError(problems, f"{source}: nothing was changed; fix these lines")
    if not people:
        raise ValidationError([Problem(source, None, "file", "", "has no participant lines")])
    return Roster(source, people, ignored)


def _language(value: str, name: str, line: int, source: str, problems: list[Problem]) -> str | None:
    """A language cell: None when empty; anything but a language bifocals has texts for is a
    problem naming the line, the column and the value."""
    if not value:
        return None
    code = value.strip().lower()
    if code in LANGUAGES:
        return code
    problems.append(
        Problem(
            source,
            line,
            name,
            value,
            f"is not a language bifocals has texts in; write one of {', '.join(LANGUAGES)} "
            "or leave it empty (English)",
        )
    )
    return None


def _group_refusal(group: str) -> str | None:
    """Why a roster line's rater group (spelling normalised) is refused; None for a rater
    group."""
    if group == "self":
        return (
            "every participant rates themselves already; leave the rater columns empty on this "
            "line, or name a rater of another group"
        )
    if group not in RATER_GROUPS:
        return f"must be one of {', '.join(RATER_GROUPS)}"
    return None


def _merge_person(
    person: RosterParticipant,
    values: dict[str, str],
    line: int,
    source: str,
    problems: list[Problem],
) -> None:
    """Take the participant's name and e-mail from a line; two lines may not disagree."""
    if values["participant_name"]:
        _agree(person, "name", values["participant_name"], line, source, problems)
    raw = values["participant_email"]
    try:
        addr = _address(raw)
    except ValueError:
        problems.append(
            Problem(
                source,
                line,
                "participant_email",
                raw,
                "is not an e-mail address; write name@example.org",
            )
        )
        return
    if addr is not None:
        _agree(person, "email", addr, line, source, problems)
    lang = _language(values["participant_language"], "participant_language", line, source, problems)
    if lang is not None:
        _agree(person, "language", lang, line, source, problems)


def _agree(
    person: RosterParticipant,
    attr: str,
    value: str,
    line: int,
    source: str,
    problems: list[Problem],
) -> None:
    """The first line that gives the participant's name (or e-mail) sets it; a later line
    with another one is a problem naming both lines."""
    current = getattr(person, attr)
    if current is None:
        setattr(person, attr, value)
        setattr(person, f"{attr}_line", line)
    elif current != value:
        what = {"name": "name", "email": "address"}.get(attr, attr)
        problems.append(
            Problem(
                source,
                line,
                f"participant_{attr}",
                value,
                f"differs from line {getattr(person, f'{attr}_line')} ({current!r}) for "
                f"participant {person.code}; write the same {what} on every line, or leave "
                "it empty",
            )
        )


def _match(existing: list[Any], wanted: list[RosterRater]) -> dict[int, Any]:
    """Pair each wanted rater (by its index) with an existing rater row: by e-mail first, then
    by name among the rows still free. Rows left unpaired are absent from the file."""
    pairs: dict[int, Any] = {}
    free = list(existing)
    for n, w in enumerate(wanted):
        if w.email is None:
            continue
        hit = next((r for r in free if (r.email or "").lower() == w.email), None)
        if hit is not None:
            pairs[n] = hit
            free.remove(hit)
    for n, w in enumerate(wanted):
        if n in pairs:
            continue
        hit = next((r for r in free if (r.name or "").strip().lower() == w.name.lower()), None)
        if hit is not None:
            pairs[n] = hit
            free.remove(hit)
    return pairs


def _rater_label(code: str, r: Any) -> str:
    return f"{r.name or r.email or r.code} ({r.group}) for {code}"


def apply_roster(
    conn: sa.Connection,
    user: User | None,
    campaign_id: int,
    roster: Roster,
    *,
    sync: bool = False,
    remove_answered: bool = False,
    dry_run: bool = False,
) -> RosterResult:
    """Bring the campaign's people in line with the roster, in the caller's transaction.

    Takes the campaign's row lock, so that an import and a results read or a second import
    cannot interleave. A dry run computes the same result and changes nothing.
    """
    require_editable(conn, campaign_id)
    seen = results_seen(conn, campaign_id)
    out = RosterResult(ignored=roster.ignored)
    people = {
        p.code: p
        for p in conn.execute(
            sa.select(participants).where(participants.c.campaign_id == campaign_id)
        )
    }
    rows_by_person: dict[int, list[Any]] = {}
    for r in conn.execute(
        sa.select(raters).where(raters.c.campaign_id == campaign_id).order_by(raters.c.id)
    ):
        rows_by_person.setdefault(r.participant_id, []).append(r)

    answered_out: list[str] = []
    removals: list[tuple[str, Any]] = []  # (participant code, rater row) to delete
    removed_people: list[Any] = []
    updates: list[tuple[Any, dict[str, Any], str]] = []
    additions: list[tuple[str, RosterRater]] = []
    group_refusals: list[Problem] = []

    for code, wanted in roster.participants.items():
        row = people.get(code)
        if row is None:
            out.participants_added += 1
            who = ", ".join(x for x in (wanted.name, wanted.email) if x)
            out.changes.append(f"add participant {code}" + (f" ({who})" if who else ""))
            additions.extend((code, r) for r in wanted.raters)
            continue
        existing = rows_by_person.get(row.id, [])
        self_rows = [r for r in existing if r.group == "self"]
        others = [r for r in existing if r.group != "self"]
        person_change: dict[str, Any] = {}
        if wanted.name is not None and wanted.name != row.name:
            person_change["name"] = wanted.name
        if wanted.email is not None and wanted.email != (row.email or None):
            person_change["email"] = wanted.email
        if wanted.language is not None and wanted.language != row.language:
            person_change["language"] = wanted.language
        if person_change:
            out.participants_updated += 1
            out.changes.append(f"update participant {code}: " + _diff(row, person_change))
            updates.append((row, person_change, "participant"))
            updates.extend((s, dict(person_change), "self") for s in self_rows)
        pairs = _match(others, wanted.raters)
        for n, w in enumerate(wanted.raters):
            hit = pairs.get(n)
            if hit is None:
                additions.append((code, w))
                continue
            change: dict[str, Any] = {}
            if w.name != hit.name:
                change["name"] = w.name
            if w.email is not None and w.email != (hit.email or None):
                change["email"] = w.email
            if w.language is not None and w.language != hit.language:
                change["language"] = w.language
            if w.group != hit.group:
                if hit.submitted_at is not None and seen:
                    group_refusals.append(
                        Problem(
                            roster.source,
                            w.line,
                            "group",
                            w.group,
                            f"{_rater_label(code, hit)} has answered and the results were "
                            "seen; moving their answers to another group would change what "
                            "was read. Keep the group, or start a new campaign",
                        )
                    )
                change["group"] = w.group
            if change:
                out.raters_updated += 1
                out.changes.append(f"update rater {_rater_label(code, hit)}: " + _diff(hit, change))
                updates.append((hit, change, "rater"))
        if sync:
            paired = {id(r) for r in pairs.values()}
            for r in others:
                if id(r) in paired:
                    continue
                if r.submitted_at is not None:
                    answered_out.append(_rater_label(code, r))
                removals.append((code, r))
    for code, w in additions:
        out.raters_added += 1
        addr = f" <{w.email}>" if w.email else " (no e-mail: use the links sheet)"
        out.changes.append(f"add rater {w.name}{addr} ({w.group}) for {code}")
    if sync:
        for code, row in people.items():
            if code in roster.participants:
                continue
            removed_people.append(row)
            for r in rows_by_person.get(row.id, []):
                if r.submitted_at is not None:
                    who = "self rating" if r.group == "self" else _rater_label(code, r)
                    answered_out.append(f"{who} of participant {code}")
    if group_refusals:
        raise ValidationError(group_refusals, f"{roster.source}: nothing was changed")
    if answered_out and not remove_answered:
        raise RosterNeedsConfirmation(answered_out)
    check_answered_removal(
        conn, user, campaign_id, answered_out, remove_answered, f"file:{roster.source}"
    )
    gone = {r.participant_id for r in removed_people}
    for code, r in removals:
        if r.participant_id in gone:
            continue
        out.raters_removed += 1
        out.answers_removed += int(r.submitted_at is not None)
        out.changes.append(f"remove rater {_rater_label(code, r)}")
    for row in removed_people:
        out.participants_removed += 1
        out.answers_removed += sum(
            r.submitted_at is not None for r in rows_by_person.get(row.id, [])
        )
        out.changes.append(f"remove participant {row.code}")
    if dry_run:
        return out
    ids = {code: int(row.id) for code, row in people.items()}
    for code, wanted in roster.participants.items():
        if code not in ids:
            ids[code] = insert_participant(
                conn, campaign_id, code, wanted.name, wanted.email, wanted.language
            )
    for row, change, kind in updates:
        table = participants if kind == "participant" else raters
        conn.execute(sa.update(table).where(table.c.id == row.id).values(**change))
    # A changed address may have been a stranger's: the links sent there stop working.
    revoke_links(conn, [int(r.id) for r, c, k in updates if k != "participant" and "email" in c])
    insert_raters(
        conn,
        campaign_id,
        [(ids[code], w.name, w.email, w.group) for code, w in additions],
        languages=[w.language for code, w in additions],
    )
    leaving = [r for code, r in removals if r.participant_id not in gone]
    leaving += [r for p in removed_people for r in rows_by_person.get(p.id, [])]
    answered = {int(r.id) for r in leaving if r.submitted_at is not None}
    delete_raters(conn, [int(r.id) for r in leaving], answered)
    if removed_people:
        pids = [int(p.id) for p in removed_people]
        conn.execute(sa.delete(participants).where(participants.c.id.in_(pids)))
    detail = out.summary()
    write_audit(conn, user, "roster.import", f"file:{roster.source}", detail, campaign_id)
    if out.answers_removed:
        write_audit(
            conn,
            user,
            "roster.remove_answered",
            f"file:{roster.source}",
            f"{_count(out.answers_removed, 'rater', 'removed')} with their answers: "
            + "; ".join(answered_out),
            campaign_id,
        )
    return out


def _diff(row: Any, change: dict[str, Any]) -> str:
    return ", ".join(f"{k} {getattr(row, k) or '(none)'} -> {v}" for k, v in change.items())


def import_roster(
    store: Store,
    user: User | None,
    campaign_id: int,
    data: bytes | Roster,
    source: str,
    *,
    sync: bool = False,
    remove_answered: bool = False,
    dry_run: bool = False,
) -> RosterResult:
    """Parse a roster upload (or take a parsed Roster) and apply it in one transaction
    (all or nothing)."""
    roster = data if isinstance(data, Roster) else parse_roster(data, source)
    return audited(
        store,
        user,
        campaign_id,
        lambda conn: apply_roster(
            conn,
            user,
            campaign_id,
            roster,
            sync=sync,
            remove_answered=remove_answered,
            dry_run=dry_run,
        ),
    )


def roster_rows(conn: sa.Connection, campaign_id: int) -> list[tuple[str, ...]]:
    """The campaign's people in the roster's own columns (one line per rater; a participant
    with no rater but themselves gets one line with the rater columns empty), so that the
    file can be edited and imported back."""
    people = conn.execute(
        sa.select(participants)
        .where(participants.c.campaign_id == campaign_id)
        .order_by(participants.c.code)
    ).all()
    by_person: dict[int, list[Any]] = {}
    for r in conn.execute(
        sa.select(raters)
        .where(raters.c.campaign_id == campaign_id, raters.c.group != "self")
        .order_by(raters.c.group, raters.c.name, raters.c.id)
    ):
        by_person.setdefault(r.participant_id, []).append(r)
    out: list[tuple[str, ...]] = []
    for p in people:
        head = (str(p.code), p.name or "", p.email or "")
        rows = by_person.get(p.id, [])
        if not rows:
            out.append((*head, "", "", ""))
        out.extend((*head, r.name or "", r.email or "", str(r.group)) for r in rows)
    return out
