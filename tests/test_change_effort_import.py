"""`bifocals change effort` and the effort service on real SQLite and PostgreSQL: the demo's
third quarter from a Jira export, all or nothing, the same file twice, the audit row, previews
kept for the web, and the report saying where each period's effort comes from."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bifocals.change.loader import demo_initiative_text, load_initiative_text
from bifocals.change.report import build_report
from bifocals.cli import app
from bifocals.errors import Conflict, NotFound, ValidationError
from bifocals.reports.change import render_html
from bifocals.services.accounts import create_user
from bifocals.services.change_records import (
    get_initiative,
    load_demo_initiative,
    save_initiative,
)
from bifocals.services.effort import (
    EffortFile,
    apply_preview,
    import_effort,
    preview_upload,
    stored_preview,
)
from bifocals.services.security import User
from bifocals.store import Store, open_store
from bifocals.store.app_tables import audit_log
from bifocals.store.change_tables import effort_imports
from support.effort_exports import (
    DEMO,
    GitHubIssue,
    cost_quarter_export,
    gh_issue_list,
    timesheet_csv,
)


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def report_json(db: str) -> dict[str, Any]:
    code, out, err = run("change", "report", DEMO, "--db", db, "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def q3(data: dict[str, Any]) -> dict[str, Any]:
    period: dict[str, Any] = next(
        p for p in data["alignment"]["periods"] if p["period"] == "2026-Q3"
    )
    return period


@pytest.fixture
def demo_db(db_url: str) -> str:
    with open_store(db_url) as store:
        load_demo_initiative(store)
    return db_url


def rows(db: str) -> list[sa.Row[Any]]:
    with open_store(db) as store, store.engine.connect() as conn:
        return list(conn.execute(sa.select(effort_imports).order_by(effort_imports.c.id)))


def audit_rows(db: str) -> list[sa.Row[Any]]:
    with open_store(db) as store, store.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(audit_log).where(audit_log.c.action == "initiative.effort.import")
            )
        )


def test_a_jira_quarter_of_cost_work_moves_the_angle(demo_db: str, tmp_path: Path) -> None:
    export = tmp_path / "jira.csv"
    export.write_bytes(cost_quarter_export())
    before = report_json(demo_db)
    code, out, err = run("change", "effort", DEMO, str(export), "--from", "jira", "--db", demo_db)
    assert code == 0, err
    assert "The effort of 2026-Q3 now comes from" in out and "(12 items, 120 hours)" in out
    after = report_json(demo_db)
    period = q3(after)
    assert period["total_effort"] == 120 and period["untagged_effort"] == 0
    assert period["management"]["cost"] == 1.0
    assert sum(v for k, v in period["management"].items() if k != "cost") == 0
    # The angle follows: effort all on one theme of weight 15 out of 100.
    weights = np.array([25, 20, 15, 15, 15, 10], dtype=float)
    expected = math.degrees(math.acos(0.15 / float(np.linalg.norm(weights / weights.sum()))))
    assert period["angle_deg"] == pytest.approx(expected, abs=0.01)
    assert period["band"] == "misaligned" and q3(before)["angle_deg"] < 20
    print(
        f"\n2026-Q3 before: {q3(before)['total_effort']:g} (file), angle "
        f"{q3(before)['angle_deg']:.1f}°; after: {period['total_effort']:g} hours, angle "
        f"{period['angle_deg']:.1f}°"
    )
    # The other periods keep the file's effort and angle.
    for p_before, p_after in zip(
        before["alignment"]["periods"][:2], after["alignment"]["periods"][:2], strict=True
    ):
        assert p_before == p_after
    sources = {s["period"]: s for s in after["effort_sources"]}
    assert sources["2026-Q3"]["kind"] == "jira" and sources["2026-Q3"]["items"] == 12
    assert sources["2026-Q3"]["source"] == str(export)
    assert sources["2026-Q1"]["kind"] == "file" and sources["2026-Q1"]["source"] is None
    code, out, _ = run("change", "report", DEMO, "--db", demo_db)
    assert code == 0 and "jira:" in out
    # The same file again changes nothing: no second row, no second audit row.
    code, out, err = run("change", "effort", DEMO, str(export), "--from", "jira", "--db", demo_db)
    assert code == 0, err
    assert "Nothing changed" in out
    assert len(rows(demo_db)) == 1 and report_json(demo_db) == after
    [entry] = audit_rows(demo_db)
    assert entry.actor == "cli" and entry.target == f"initiative:{DEMO}"
    assert "jira" in entry.detail and "2026-Q3 (12 items, 120 hours)" in entry.detail


def test_a_file_with_problems_changes_nothing(demo_db: str, tmp_path: Path) -> None:
    text = cost_quarter_export().decode("utf-8-sig")
    text = text.replace(",36000,", ",-36000,", 1).replace("03/Sep/26 4:15 PM", "03/Oct/26 4:15 PM")
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    before = report_json(demo_db)
    code, _, err = run("change", "effort", DEMO, str(bad), "--from", "jira", "--db", demo_db)
    assert code == 1 and "Traceback" not in err
    lines = err.splitlines()
    assert lines[0].startswith("error: ") and "nothing was applied" in lines[0]
    assert lines[1].startswith(f"{bad}:2: Time Spent=-36000: PAY-101: ")
    assert lines[2].startswith(f"{bad}:18: Resolved=03/Oct/26 4:15 PM: PAY-109: ")
    assert rows(demo_db) == [] and audit_rows(demo_db) == []
    assert report_json(demo_db) == before


def test_dry_run_and_json(demo_db: str, tmp_path: Path) -> None:
    export = tmp_path / "jira.csv"
    export.write_bytes(cost_quarter_export())
    code, out, err = run(
        "change", "effort", DEMO, str(export), "--from", "jira", "--db", demo_db, "--dry-run"
    )
    assert code == 0, err
    assert "Preview only, nothing changed" in out and "Pay for what we use" in out
    assert rows(demo_db) == []
    code, out, _ = run(
        "change", "effort", DEMO, str(export), "--from", "jira", "--db", demo_db, "--json",
        "--dry-run",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["applied"] is False and data["periods_replaced"] == ["2026-Q3"]
    cost = next(t for t in data["themes"] if t["id"] == "cost")
    assert cost["items"] == 12 and cost["share"] == 1.0 and data["untagged"]["share"] == 0
    assert [p["angle_after"] for p in data["periods"]][:2] == [
        p["angle_now"] for p in data["periods"]
    ][:2]


def test_cli_errors_and_help(demo_db: str, tmp_path: Path) -> None:
    code, _, err = run("change", "effort", DEMO, str(tmp_path / "no.csv"), "--from", "jira",
                       "--db", demo_db)  # fmt: skip
    assert code == 1 and "no.csv: file=" in err and "file not found" in err
    export = tmp_path / "jira.csv"
    export.write_bytes(cost_quarter_export())
    code, _, err = run("change", "effort", "Nope", str(export), "--from", "jira", "--db", demo_db)
    assert code == 1 and "no initiative named 'Nope'" in err
    code, _, err = run("change", "effort", DEMO, str(export), "--from", "trello", "--db", demo_db)
    assert code == 2 and "trello" in err
    code, out, _ = run("change", "effort", "--help")
    assert code == 0 and "Example" in out and "--mapping" in out and "--dry-run" in out


def test_github_then_timesheet_each_replace_their_periods(demo_db: str) -> None:
    issues = [
        GitHubIssue(12, "Encrypt the order archive", "2026-07-02", "2026-08-14",
                    ["security", "estimate: 16h"]),
        GitHubIssue(13, "Publish the tracking events", "2026-07-09", "", ["customer_speed", "8h"]),
    ]  # fmt: skip
    with open_store(demo_db) as store:
        gh = import_effort(store, DEMO, "github", EffortFile("issues.json", gh_issue_list(issues)))
        assert gh.applied and gh.preview.plan.periods == ("2026-Q3",)
        sheet = timesheet_csv(
            [
                ("2026-05-04", "Ines Duarte", "T30", "6"),
                ("2026-05-05", "Hannah Weber", "T31", "4"),
            ]
        )
        ts = import_effort(store, DEMO, "timesheet", EffortFile("may.csv", sheet))
        assert ts.applied and ts.preview.plan.periods == ("2026-Q2",)
        ini = get_initiative(store, DEMO)
    assert ini.effort_source("2026-Q3").kind == "github"
    assert ini.effort_source("2026-Q2").describe().startswith("timesheet may.csv, imported ")
    al = build_report(ini).alignment
    assert list(al.total) == [640.0, 10.0, 24.0]
    # The timesheet's hours count on the initiative's own tasks T30 and T31.
    assert {t.id: t.effort[1] for t in ini.tasks if t.effort[1]} == {"T30": 6.0, "T31": 4.0}
    html = render_html(build_report(ini))
    assert "timesheet may.csv" in html and "GitHub issues issues.json" in html


def test_replacing_the_initiative_file_keeps_the_imports(demo_db: str, tmp_path: Path) -> None:
    with open_store(demo_db) as store:
        import_effort(store, DEMO, "jira", EffortFile("jira.csv", cost_quarter_export()))
    yaml = tmp_path / "cloud.yaml"
    yaml.write_text(demo_initiative_text(), encoding="utf-8")
    code, _, err = run("change", "import", str(yaml), "--replace", "--db", demo_db)
    assert code == 0, err
    assert q3(report_json(demo_db))["total_effort"] == 120


def _coach(store: Store) -> User:
    uid = create_user(store, "coach@example.org", "facilitator", "correct horse battery")
    return User(uid, "coach@example.org", "facilitator", None)


def test_previews_are_kept_then_applied_once(demo_db: str) -> None:
    with open_store(demo_db) as store:
        coach = _coach(store)
        pid = preview_upload(
            store, coach, DEMO, "jira", EffortFile("jira.csv", cost_quarter_export())
        )
        assert report_json(demo_db)["effort_sources"][2]["kind"] == "file"
        kept = stored_preview(store, DEMO, pid)
        assert kept.applied_at is None and kept.preview.plan.periods == ("2026-Q3",)
        assert kept.preview.periods()[2]["effort_after"] == 120
        done = apply_preview(store, coach, DEMO, pid)
        assert done.applied and done.import_id == pid
        again = apply_preview(store, coach, DEMO, pid)
        assert again.unchanged and not again.applied
        # The same file previewed and applied again: nothing changes, the preview goes.
        pid2 = preview_upload(
            store, coach, DEMO, "jira", EffortFile("jira.csv", cost_quarter_export())
        )
        assert apply_preview(store, coach, DEMO, pid2).unchanged
        with pytest.raises(NotFound):
            stored_preview(store, DEMO, pid2)
    assert [r.applied_at is not None for r in rows(demo_db)] == [True]
    [entry] = audit_rows(demo_db)
    assert entry.actor == "coach@example.org"


def test_a_preview_is_refused_once_the_initiative_changed(demo_db: str) -> None:
    with open_store(demo_db) as store:
        coach = _coach(store)
        pid = preview_upload(
            store, coach, DEMO, "jira", EffortFile("jira.csv", cost_quarter_export())
        )
        # The theme the labels name goes away before the preview is applied.
        text = re.sub(r"\bcost\b", "spend", demo_initiative_text())
        ini, data = load_initiative_text(text, "edited")
        save_initiative(store, ini, data, "edited", replace_existing=True)
        with pytest.raises(Conflict, match=r"changed since jira\.csv was read"):
            apply_preview(store, coach, DEMO, pid)
    assert [r.applied_at for r in rows(demo_db)] == [None]
    assert audit_rows(demo_db) == []


def test_problems_of_both_files_at_once(demo_db: str) -> None:
    with open_store(demo_db) as store, pytest.raises(ValidationError) as err:
        import_effort(
            store,
            DEMO,
            "jira",
            EffortFile("jira.csv", cost_quarter_export()),
            EffortFile("map.yaml", b"labels: {cost: [costs]}\n"),
        )
    [p] = err.value.problems
    assert (p.source, p.line, p.field) == ("map.yaml", 1, "labels.cost.0")
