"""Effort imports of the change workbench: an initiative's effort per period from a Jira, GitHub
or timesheet export, previewed, then applied all or nothing.

The rules live here for every door (`bifocals change effort`, the initiative's web page):
- the export is read by the store's strict table reader (CSV or .xlsx, 5 MB at most) or as
  JSON (GitHub), and every problem of the export and of the mapping file is collected; with
  any problem nothing is applied;
- an applied import replaces, for the periods it covers, the effort of every task; the other
  periods keep theirs (see change.effort_plan.overlay_effort);
- applying the same files again, when they give the same items, changes nothing and writes no
  row;
- applying runs in one transaction that locks the initiative, reads the files again against
  the initiative as it is then, and writes the audit row `initiative.effort.import`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bifocals.change.effort_github import EstimateRules, read_github
from bifocals.change.effort_jira import read_jira
from bifocals.change.effort_mapping import EffortMapping, read_mapping
from bifocals.change.effort_plan import EffortPlan, plan_effort, with_item_proposals
from bifocals.change.effort_preview import EffortPreview, preview_effort
from bifocals.change.effort_rows import RowsRead
from bifocals.change.effort_timesheet import read_timesheet
from bifocals.change.model import Initiative
from bifocals.change.proposals import Embedder, analyzer_embedder
from bifocals.change.syntax import SYNTAX_FIELD, syntax_error
from bifocals.errors import Conflict, NotFound, Problem, ValidationError
from bifocals.plural import count
from bifocals.services.accounts import write_audit
from bifocals.services.change_records import (
    HasEngine,
    initiative_target,
    lock_initiative,
    stored_initiative,
    survey_transaction,
)
from bifocals.services.security import User
from bifocals.store.change_tables import effort_imports
from bifocals.store.sheets import MAX_TABLE_BYTES, read_table
from bifocals.yamlsource import MAX_BYTES as YAML_MAX_BYTES
from bifocals.yamlsource import load_located

KINDS = ("jira", "github", "timesheet")
MAX_EXPORT_BYTES = MAX_TABLE_BYTES
MAX_MAPPING_BYTES = YAML_MAX_BYTES
IMPORT_ACTION = "initiative.effort.import"
# Previews not applied are kept this long (the web's preview page), then cleared.
PREVIEW_KEPT = dt.timedelta(days=1)
# Embedder: the analyzer's (loaded when some item needs a proposal), or None for no proposals.
AUTO = "auto"


@dataclass(frozen=True)
class EffortFile:
    """A file as given: its name (as shown in problems) and its bytes."""

    name: str
    data: bytes


def read_file(path: str | Path, limit: int = MAX_EXPORT_BYTES) -> EffortFile:
    """A file from disk (at most `limit` bytes), or a ValidationError saying what is wrong."""
    p = Path(path)

    def cannot(message: str) -> ValidationError:
        return ValidationError([Problem(str(p), None, "file", str(p), message)], f"cannot read {p}")

    try:
        with p.open("rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise cannot("file not found; check the path") from None
    except IsADirectoryError:
        raise cannot("is a folder; give the path of the export file") from None
    except OSError as exc:
        raise cannot(f"cannot be opened ({exc.strerror}); check its permissions") from None
    if len(data) > limit:
        raise cannot(f"is larger than {limit:,} bytes; export fewer items per file")
    return EffortFile(str(p), data)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError(
            [Problem("--from", None, "from", kind, f"choose one of {', '.join(KINDS)}")],
            "unknown export format",
        )
    return kind


def _rows(kind: str, export: EffortFile, rules: EstimateRules) -> RowsRead:
    """The export's rows (problems inside; a file too large or unreadable is one of them)."""
    if len(export.data) > MAX_EXPORT_BYTES:
        read = RowsRead(kind)
        read.problems.append(
            Problem(
                export.name,
                None,
                "file",
                f"{len(export.data):,} bytes",
                f"is larger than {MAX_EXPORT_BYTES:,} bytes; export fewer items per file",
            )
        )
        return read
    if kind == "github":
        try:
            text = export.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            read = RowsRead(kind)
            read.problems.append(
                Problem(export.name, None, "file", f"byte {exc.start + 1}", "JSON must be UTF-8")
            )
            return read
        return read_github(text, export.name, rules)
    problems: list[Problem] = []
    records = [(r.line, r.cells) for r in read_table(export.data, export.name, problems)]
    if problems and not records:  # unreadable: saying "the file is empty" too would be wrong
        read = RowsRead(kind)
        read.problems.extend(problems)
        return read
    read = (
        read_jira(records, export.name) if kind == "jira" else read_timesheet(records, export.name)
    )
    read.problems[:0] = problems
    return read


def _mapping(file: EffortFile | None, ini: Initiative) -> tuple[EffortMapping, list[Problem]]:
    if file is None:
        return read_mapping(None, ini)
    if len(file.data) > MAX_MAPPING_BYTES:
        return EffortMapping(file.name), [
            Problem(
                file.name,
                None,
                "file",
                f"{len(file.data):,} bytes",
                f"a mapping file holds at most {MAX_MAPPING_BYTES:,} bytes",
            )
        ]
    try:
        text = file.data.decode("utf-8-sig")
        doc = load_located(text, file.name)
    except UnicodeDecodeError:
        return EffortMapping(file.name), [
            Problem(file.name, None, "file", file.name, "not UTF-8 text; save it as UTF-8")
        ]
    except ValidationError as exc:
        if any(p.field == SYNTAX_FIELD for p in exc.problems):
            # As for an initiative file: where, what YAML said, what to do, the line itself.
            fuller = syntax_error(text, file.name)
            return EffortMapping(file.name), (fuller or exc).problems
        return EffortMapping(file.name), exc.problems
    return read_mapping(doc, ini)


def make_plan(
    ini: Initiative,
    kind: str,
    export: EffortFile,
    mapping: EffortFile | None = None,
    embedder: Embedder | str | None = AUTO,
) -> EffortPlan:
    """The import plan of an export against an initiative (ValidationError with every
    problem); items nothing themes get the analyzer's proposals (embedder AUTO: loaded only
    when some item needs one)."""
    rules_map, mapping_problems = _mapping(mapping, ini)
    read = _rows(_kind(kind), export, rules_map.estimates)
    plan = plan_effort(ini, read, rules_map, export.name, mapping_problems)
    if embedder == AUTO:
        embedder = analyzer_embedder() if any(i.themed_by == "none" for i in plan.items) else None
    assert not isinstance(embedder, str)
    return with_item_proposals(plan, ini, embedder)


def _digest(kind: str, export: EffortFile, mapping: EffortFile | None, plan: EffortPlan) -> str:
    """What makes two imports the same: the format, both files and the items read."""
    h = hashlib.sha256()
    h.update(kind.encode())
    h.update(hashlib.sha256(export.data).digest())
    h.update(hashlib.sha256(mapping.data if mapping else b"").digest())
    items = [
        {**i, "themed_by": i["themed_by"].replace("proposed", "none")} for i in plan.items_json()
    ]
    h.update(json.dumps(items, sort_keys=True).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class EffortResult:
    """What an import did (or, for a preview or dry run, would do)."""

    preview: EffortPreview
    applied: bool
    unchanged: bool = False
    import_id: int | None = None

    def summary(self) -> str:
        """One sentence for the CLI and the web's message."""
        plan = self.preview.plan
        periods = ", ".join(plan.periods)
        effort = sum(i.total for i in plan.items)
        what = f"{count(len(plan.items), 'item')}, {effort:g} {_unit(plan)}"
        if self.unchanged:
            return (
                f"Nothing changed: the effort of {periods} already comes from {plan.source} "
                f"({what})."
            )
        if self.applied:
            return f"The effort of {periods} now comes from {plan.source} ({what})."
        return (
            f"Preview only, nothing changed: {plan.source} would replace the effort of "
            f"{periods} ({what})."
        )


def _unit(plan: EffortPlan) -> str:
    return "hours" if plan.hours_per_unit == 1 else f"units of {plan.hours_per_unit:g} hours"


def _locked(conn: sa.Connection, name: str) -> Any:
    row = lock_initiative(conn, name, for_update=True)
    if row is None:
        raise NotFound(f"no initiative named '{name}'; see `bifocals change list`", "initiative")
    return row


def _latest_digests(conn: sa.Connection, iid: int) -> dict[str, str]:
    """Per period, the digest of the latest applied import that covers it."""
    e = effort_imports
    out: dict[str, str] = {}
    rows = conn.execute(
        sa.select(e.c.digest, e.c.plan)
        .where(e.c.initiative_id == iid, e.c.applied_at.is_not(None))
        .order_by(e.c.applied_at, e.c.id)
    )
    for r in rows:
        for p in r.plan.get("periods", []):
            out[str(p)] = str(r.digest)
    return out


def _same_items(a: EffortPlan, b: EffortPlan) -> bool:
    def norm(plan: EffortPlan) -> list[dict[str, Any]]:
        return [
            {**i, "themed_by": i["themed_by"].replace("proposed", "none")}
            for i in plan.items_json()
        ]

    return norm(a) == norm(b)


def _apply(
    conn: sa.Connection,
    user: User | None,
    row: Any,
    kind: str,
    export: EffortFile,
    mapping: EffortFile | None,
    planned: EffortPlan,
    preview_id: int | None = None,
) -> EffortResult:
    """Apply a plan inside the caller's transaction (the initiative's row locked): the files
    are read again against the initiative as it is now, and must give the same items."""
    now_ini = stored_initiative(conn, row)
    again = make_plan(now_ini, kind, export, mapping, embedder=None)
    if not _same_items(again, planned):
        raise Conflict(
            f"initiative '{row.name}' changed since {export.name} was read (its themes, "
            "periods, workstreams or tasks); nothing was applied: preview the file again",
            "file",
        )
    digest = _digest(kind, export, mapping, planned)
    preview = preview_effort(now_ini, planned)
    latest = _latest_digests(conn, int(row.id))
    if planned.periods and all(latest.get(p) == digest for p in planned.periods):
        if preview_id is not None:
            conn.execute(sa.delete(effort_imports).where(effort_imports.c.id == preview_id))
        return EffortResult(preview, applied=False, unchanged=True)
    at = dt.datetime.now(dt.UTC)
    e = effort_imports
    values = {"plan": planned.to_json(), "digest": digest, "applied_at": at}
    if preview_id is None:
        by = user.email if user else "cli"
        import_id = _insert_import(conn, int(row.id), kind, export, mapping, at, by, **values)
    else:
        conn.execute(sa.update(e).where(e.c.id == preview_id).values(**values))
        import_id = preview_id
    effort = sum(i.total for i in planned.items)
    write_audit(
        conn,
        user,
        IMPORT_ACTION,
        initiative_target(str(row.name)),
        f"{kind} {export.name}: {', '.join(planned.periods)} ({len(planned.items)} items, "
        f"{effort:g} {_unit(planned)})",
    )
    return EffortResult(preview, applied=True, import_id=int(import_id))


def _insert_import(
    conn: sa.Connection,
    initiative_id: int,
    kind: str,
    export: EffortFile,
    mapping: EffortFile | None,
    at: dt.datetime,
    by: str,
    **values: Any,
) -> int:
    """Keep an export (and its mapping file) as an effort_imports row; its id. `values`: the
    digest and plan, and applied_at once applied."""
    e = effort_imports
    return int(
        conn.execute(
            sa.insert(e)
            .values(
                initiative_id=initiative_id,
                kind=kind,
                source=export.name[:500],
                mapping_source=mapping.name[:500] if mapping else None,
                content=export.data,
                mapping=mapping.data if mapping else None,
                created_at=at,
                created_by=by,
                **values,
            )
            .returning(e.c.id)
        ).scalar_one()
    )


def _current(store: HasEngine, name: str) -> Initiative:
    with store.engine.connect() as conn:
        row = lock_initiative(conn, name)
        if row is None:
            raise NotFound(
                f"no initiative named '{name}'; see `bifocals change list`", "initiative"
            )
        return stored_initiative(conn, row)


def import_effort(
    store: HasEngine,
    name: str,
    kind: str,
    export: EffortFile,
    mapping: EffortFile | None = None,
    *,
    dry_run: bool = False,
    user: User | None = None,
    embedder: Embedder | str | None = AUTO,
) -> EffortResult:
    """Read an export and apply it to the initiative `name` (dry_run: the preview only).

    ValidationError lists every problem of both files; then nothing is applied."""
    ini = _current(store, name)
    plan = make_plan(ini, kind, export, mapping, embedder)
    if dry_run:
        return EffortResult(preview_effort(ini, plan), applied=False)
    with survey_transaction(store.engine) as conn:
        row = _locked(conn, name)
        return _apply(conn, user, row, kind, export, mapping, plan)


def preview_upload(
    store: HasEngine,
    user: User,
    name: str,
    kind: str,
    export: EffortFile,
    mapping: EffortFile | None = None,
    embedder: Embedder | str | None = AUTO,
) -> int:
    """Read an upload and keep it as a preview to be applied later (the web's first step);
    returns the preview's id. Nothing of the initiative changes."""
    ini = _current(store, name)
    plan = make_plan(ini, kind, export, mapping, embedder)
    e = effort_imports
    now = dt.datetime.now(dt.UTC)
    with store.engine.begin() as conn:
        row = lock_initiative(conn, name)
        if row is None:
            raise NotFound(f"no initiative named '{name}'", "initiative")
        conn.execute(
            sa.delete(e).where(
                e.c.initiative_id == int(row.id),
                e.c.applied_at.is_(None),
                e.c.created_at < now - PREVIEW_KEPT,
            )
        )
        digest = _digest(kind, export, mapping, plan)
        return _insert_import(
            conn,
            int(row.id),
            kind,
            export,
            mapping,
            now,
            user.email,
            digest=digest,
            plan=plan.to_json(),
        )


@dataclass(frozen=True)
class StoredPreview:
    """A preview kept for the web, seen against the initiative as it is now."""

    id: int
    preview: EffortPreview
    created_by: str
    created_at: str
    applied_at: str | None
    digest: str = ""  # of the format, files and items: the apply form sends it back


def _row_of(conn: sa.Connection, iid: int, preview_id: int) -> Any:
    e = effort_imports
    row = conn.execute(sa.select(e).where(e.c.id == preview_id, e.c.initiative_id == iid)).first()
    if row is None:
        raise NotFound(
            "There is no such effort preview: it was applied, replaced or cleared after a day. "
            "Upload the file again.",
            "preview",
        )
    return row


def stored_preview(store: HasEngine, name: str, preview_id: int) -> StoredPreview:
    """A kept preview of the initiative `name` (NotFound for another initiative's)."""
    with store.engine.connect() as conn:
        ini_row = lock_initiative(conn, name)
        if ini_row is None:
            raise NotFound(f"no initiative named '{name}'", "initiative")
        row = _row_of(conn, int(ini_row.id), preview_id)
        ini = stored_initiative(conn, ini_row)
    plan = EffortPlan.from_json(row.plan)
    applied = row.applied_at.isoformat() if row.applied_at else None
    return StoredPreview(
        int(row.id),
        preview_effort(ini, plan),
        str(row.created_by),
        row.created_at.isoformat(),
        applied,
        str(row.digest),
    )


def apply_preview(
    store: HasEngine, user: User, name: str, preview_id: int, digest: str | None = None
) -> EffortResult:
    """Apply a kept preview (one transaction, the initiative locked); an applied one again
    changes nothing.

    `digest` is the one the page showed (StoredPreview.digest): a preview's id can be given
    again to a later upload once its row is gone (SQLite reuses the highest id), so a page left
    open must not apply another file than the one it showed."""
    with survey_transaction(store.engine) as conn:
        ini_row = _locked(conn, name)
        row = _row_of(conn, int(ini_row.id), preview_id)
        if digest is not None and str(row.digest) != digest:
            raise NotFound(
                "The preview this page showed is no longer there (it was applied, replaced or "
                "cleared after a day); nothing was applied. Upload the file again.",
                "preview",
            )
        planned = EffortPlan.from_json(row.plan)
        if row.applied_at is not None:
            preview = preview_effort(stored_initiative(conn, ini_row), planned)
            return EffortResult(preview, applied=False, unchanged=True)
        export = EffortFile(str(row.source), bytes(row.content))
        mapping = (
            EffortFile(str(row.mapping_source), bytes(row.mapping))
            if row.mapping is not None
            else None
        )
        return _apply(conn, user, ini_row, str(row.kind), export, mapping, planned, preview_id)


def effort_history(store: HasEngine, name: str, limit: int = 10) -> list[dict[str, Any]]:
    """The latest applied imports of an initiative, newest first: when, by whom, which file,
    which periods, items and effort."""
    e = effort_imports
    with store.engine.connect() as conn:
        ini_row = lock_initiative(conn, name)
        if ini_row is None:
            return []
        rows = conn.execute(
            sa.select(e.c.kind, e.c.source, e.c.plan, e.c.applied_at, e.c.created_by)
            .where(e.c.initiative_id == int(ini_row.id), e.c.applied_at.is_not(None))
            .order_by(e.c.applied_at.desc(), e.c.id.desc())
            .limit(limit)
        ).all()
    out = []
    for r in rows:
        plan = EffortPlan.from_json(r.plan)
        out.append(
            {
                "kind": r.kind,
                "source": r.source,
                "periods": list(plan.periods),
                "items": len(plan.items),
                "effort": round(sum(i.total for i in plan.items), 2),
                "applied_at": r.applied_at.isoformat()[:16].replace("T", " "),
                "by": r.created_by,
            }
        )
    return out
