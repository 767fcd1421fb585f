"""Norms: percentiles against the organisation's history or an external table.

Hand checks of the two percentile rules, the minimum of 30, shown cells only, and the CLI's
define / import / show / list / delete with a bad table that changes nothing."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.framework import default_framework
from bifocals.instruments import get_instrument
from bifocals.profile import Stat
from bifocals.scoring import score_campaign
from bifocals.scoring.model import ALL_OTHERS, GROUPS, CampaignData, ParticipantScores
from bifocals.scoring.norms import NORM_MINIMUM, NormTable, ScaleNorm, participant_percentiles
from bifocals.scoring.synthetic import synthetic_campaign
from bifocals.services.campaigns import results_seen
from bifocals.store import open_store
from bifocals.store.app_tables import audit_log
from bifocals.store.norm_tables import norm_groups
from bifocals.store.tables import campaigns

INSTRUMENT = "bifocals_open_360"


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def _ps(cells: dict[tuple[str, str, str], Stat]) -> ParticipantScores:
    return ParticipantScores(
        participant="P1",
        groups=(),
        suppressed=(),
        cells=cells,  # type: ignore[arg-type]
        rwg={},
        gaps=(),
        leadership_index=None,
        management_index=None,
        quadrant=None,
        strengths=(),
        development_areas=(),
        comments=(),
    )


def test_history_percentile_is_the_mid_rank_by_hand() -> None:
    scores = tuple(float(x) for x in range(1, 41))  # 1.0 ... 40.0, n = 40
    norm = NormTable(
        "h",
        "all",
        {
            ("focus_goals", "leadership"): ScaleNorm(
                "focus_goals", "leadership", 40, 20.5, 11.7, scores
            )
        },
    )
    # 10.0: 9 below, 1 equal -> 100 * 9.5 / 40 = 23.75 -> 24
    ps = _ps({(ALL_OTHERS, "focus_goals", "leadership"): Stat(10.0, 5)})
    (p,) = participant_percentiles(ps, norm)
    assert p.percentile == 24 and p.norm_n == 40 and p.reason == ""
    # below every score: 0 -> shown as 1; above every one: 100 -> 99
    low = participant_percentiles(
        _ps({(ALL_OTHERS, "focus_goals", "leadership"): Stat(0.5, 5)}), norm
    )
    high = participant_percentiles(
        _ps({(ALL_OTHERS, "focus_goals", "leadership"): Stat(99.0, 5)}), norm
    )
    assert low[0].percentile == 1 and high[0].percentile == 99


def test_external_percentile_uses_the_normal_distribution() -> None:
    scale = ScaleNorm("focus_goals", "leadership", 200, 3.5, 0.5, (), "sector study")
    norm = NormTable("x", "external", {("focus_goals", "leadership"): scale})
    # z = (4.0 - 3.5) / 0.5 = 1 -> Phi(1) = 0.8413 -> 84
    (p,) = participant_percentiles(
        _ps({(ALL_OTHERS, "focus_goals", "leadership"): Stat(4.0, 6)}), norm
    )
    assert p.percentile == 84
    assert math.isclose(scale.percentile(4.0), 84.134, abs_tol=0.01)


def test_below_thirty_no_percentile_and_the_reason_says_why() -> None:
    scores = tuple(float(x) for x in range(NORM_MINIMUM - 1))
    norm = NormTable(
        "h",
        "all",
        {
            ("focus_goals", "leadership"): ScaleNorm(
                "focus_goals", "leadership", 29, 14, 8.5, scores
            )
        },
    )
    (p,) = participant_percentiles(
        _ps({(ALL_OTHERS, "focus_goals", "leadership"): Stat(3.0, 5)}), norm
    )
    assert p.percentile is None and p.norm_n == 29
    assert "29 participants" in p.reason and "at least 30" in p.reason


def test_only_others_cells_get_percentiles() -> None:
    norm = NormTable(
        "x",
        "external",
        {("focus_goals", "leadership"): ScaleNorm("focus_goals", "leadership", 99, 3, 1)},
    )
    ps = _ps(
        {
            ("self", "focus_goals", "leadership"): Stat(4.0, 1),
            ("peer", "focus_goals", "leadership"): Stat(4.0, 3),
        }
    )
    assert participant_percentiles(ps, norm) == ()


def _write_campaign(data: CampaignData, path: Path) -> None:
    inst = get_instrument(INSTRUMENT)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["participant", "rater", "group", "item", "value"])
        for r in range(len(data.rater_participant)):
            code = data.participants[int(data.rater_participant[r])]
            group = GROUPS[int(data.rater_group[r])]
            for j, item in enumerate(inst.items):
                v = data.ratings[r, j]
                w.writerow([code, f"{code}-R{r}", group, item.id, "NA" if np.isnan(v) else int(v)])


@pytest.fixture
def history_db(tmp_path: Path) -> tuple[str, CampaignData, CampaignData]:
    """Two closed campaigns of 20 participants each (40 in the norm, 20 in either alone)."""
    db = str(tmp_path / "norms.db")
    inst = get_instrument(INSTRUMENT)
    waves = (synthetic_campaign(inst, 20, seed=3), synthetic_campaign(inst, 20, seed=4))
    for name, data in zip(("Cohort A", "Cohort B"), waves, strict=True):
        path = tmp_path / f"{name}.csv"
        _write_campaign(data, path)
        code, _, err = run("campaign", "import", str(path), "--name", name, "--db", db)
        assert code == 0, err
    return db, waves[0], waves[1]


def test_history_norm_from_shown_cells_through_the_cli(
    history_db: tuple[str, CampaignData, CampaignData],
) -> None:
    db, a, b = history_db
    assert run("norms", "define", "Both cohorts", "--db", db)[0] == 0
    assert run("norms", "define", "Cohort A only", "--campaign", "Cohort A", "--db", db)[0] == 0
    code, out, err = run("norms", "show", "Both cohorts", "--db", db, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["kind"] == "all" and data["campaigns"] == ["Cohort A", "Cohort B"]
    assert data["participants"] == 40
    inst, fw = get_instrument(INSTRUMENT), default_framework()
    expected = [
        st.mean
        for wave in (a, b)
        for ps in score_campaign(wave, inst, fw).participants
        for (g, d, s), st in ps.cells.items()
        if (g, d, s) == (ALL_OTHERS, "focus_goals", "leadership")
    ]
    (vision,) = [
        s for s in data["scales"] if (s["dimension"], s["side"]) == ("focus_goals", "leadership")
    ]
    assert vision["n"] == len(expected) == 40
    assert math.isclose(vision["mean"], float(np.mean(expected)), abs_tol=1e-4)
    assert math.isclose(vision["sd"], float(np.std(expected, ddof=1)), abs_tol=1e-4)
    one = json.loads(run("norms", "show", "Cohort A only", "--db", db, "--json")[1])
    assert one["participants"] == 20 and all(s["n"] == 20 for s in one["scales"])
    # both campaigns were read as results are read: audited as pooled into the norm (not as
    # an export of their results), and that marks them seen
    with open_store(f"sqlite:///{db}") as store, store.engine.connect() as conn:
        rows = set(conn.execute(sa.select(audit_log.c.action, audit_log.c.detail)).all())
        ids = conn.execute(sa.select(campaigns.c.id)).scalars().all()
        assert ("report.norm", "pooled into norm 'Both cohorts'") in rows, rows
        assert len(ids) == 2 and all(results_seen(conn, int(i)) for i in ids)
    listed = json.loads(run("norms", "list", "--db", db, "--json")[1])
    assert [g["name"] for g in listed] == ["Both cohorts", "Cohort A only"]


def _norm_reads(db: str) -> int:
    with open_store(f"sqlite:///{db}") as store, store.engine.connect() as conn:
        return len(
            conn.execute(sa.select(audit_log.c.id).where(audit_log.c.action == "report.norm")).all()
        )


def test_a_history_norm_is_pooled_once_until_its_campaigns_change(
    history_db: tuple[str, CampaignData, CampaignData], tmp_path: Path
) -> None:
    """Pooled campaigns are seen, so frozen: the same set gives the same norm without
    rescoring it; a campaign that closes joins an "all" norm at its next use."""
    db, _a, _b = history_db
    assert run("norms", "define", "Everyone", "--db", db)[0] == 0
    first = json.loads(run("norms", "show", "Everyone", "--db", db, "--json")[1])
    reads = _norm_reads(db)
    assert reads == 2 and first["participants"] == 40
    again = json.loads(run("norms", "show", "Everyone", "--db", db, "--json")[1])
    assert again == first and _norm_reads(db) == reads  # not read (or rescored) again
    path = tmp_path / "c.csv"
    _write_campaign(synthetic_campaign(get_instrument(INSTRUMENT), 20, seed=5), path)
    assert run("campaign", "import", str(path), "--name", "Cohort C", "--db", db)[0] == 0
    grown = json.loads(run("norms", "show", "Everyone", "--db", db, "--json")[1])
    assert grown["participants"] == 60 and grown["campaigns"][-1] == "Cohort C"
    assert _norm_reads(db) == reads + 3


def test_define_refuses_unknown_campaign_and_duplicate_name(
    history_db: tuple[str, CampaignData, CampaignData],
) -> None:
    db = history_db[0]
    code, _, err = run("norms", "define", "X", "--campaign", "Nope", "--db", db)
    assert code == 1 and "no campaign named 'Nope'" in err
    assert run("norms", "define", "X", "--db", db)[0] == 0
    code, _, err = run("norms", "define", "X", "--db", db)
    assert code == 1 and "exists" in " ".join(err.split())


def test_external_table_import_validates_whole_and_changes_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "ext.db")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "scale,mean,sd,n,source\n"
        "focus_goals.leadership,3.6,0.6,400,Sector study 2025\n"
        "focus_goals.leadership,3.6,0.6,400,Sector study 2025\n"
        "focus_gaols.leadership,3.1,0.5,400,Sector study 2025\n"
        "focus_goals.management,9,0.5,x,\n",
        encoding="utf-8",
    )
    code, _, err = run("norms", "import", "Sector", str(bad), "--db", db)
    assert code == 1
    assert f"{bad}:3: scale=focus_goals.leadership" in err and "already on line 2" in err
    assert f"{bad}:4: scale=focus_gaols.leadership" in err
    assert f"{bad}:5: mean=9" in err and f"{bad}:5: n=x" in err and f"{bad}:5: source=" in err
    with open_store(f"sqlite:///{db}") as store, store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(norm_groups)).scalar() == 0
    good = tmp_path / "good.csv"
    good.write_text(
        "scale,mean,sd,n,source\nfocus_goals.leadership,3.5,0.5,400,Sector study 2025\n",
        encoding="utf-8",
    )
    code, _, err = run("norms", "import", "Sector", str(good), "--db", db)
    assert code == 0, err
    shown = json.loads(run("norms", "show", "Sector", "--db", db, "--json")[1])
    assert shown["kind"] == "external"
    assert shown["scales"] == [
        {
            "dimension": "focus_goals",
            "side": "leadership",
            "n": 400,
            "mean": 3.5,
            "sd": 0.5,
            "source": "Sector study 2025",
        }
    ]
    # --csv writes what import reads: a round trip gives the same table
    code, text, _ = run("norms", "show", "Sector", "--db", db, "--csv")
    again = tmp_path / "again.csv"
    again.write_text(text, encoding="utf-8")
    assert run("norms", "import", "Sector again", str(again), "--db", db)[0] == 0
    copy = json.loads(run("norms", "show", "Sector again", "--db", db, "--json")[1])
    assert copy["scales"] == shown["scales"]
    assert run("norms", "delete", "Sector", "--db", db, "--yes")[0] == 0
    code, _, err = run("norms", "show", "Sector", "--db", db)
    assert code == 1 and "no norm group named 'Sector'" in err


def test_campaign_baseline_gives_score_its_change_and_percentiles(
    history_db: tuple[str, CampaignData, CampaignData],
) -> None:
    db = history_db[0]
    assert run("norms", "define", "Both cohorts", "--db", db)[0] == 0
    code, out, err = run(
        "campaign",
        "baseline",
        "Cohort B",
        "--previous",
        "Cohort A",
        "--norms",
        "Both cohorts",
        "--db",
        db,
        "--json",
    )
    assert code == 0, err
    assert json.loads(out) == {
        "campaign": "Cohort B",
        "previous": "Cohort A",
        "code_map": {},
        "norms": "Both cohorts",
    }
    code, out, err = run("score", "Cohort B", "--db", db, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["compared_with"] == "Cohort A" and data["norms"]["participants"] == 40
    first = data["participants"][0]
    assert first["change"] and all(0 < p["percentile"] < 100 for p in first["percentiles"])
    assert {p["norm_n"] for p in first["percentiles"]} == {40}
    # a norm of one campaign (20 participants): no percentile, and the reason
    assert run("norms", "define", "A only", "--campaign", "Cohort A", "--db", db)[0] == 0
    data = json.loads(run("score", "Cohort B", "--norms", "A only", "--db", db, "--json")[1])
    pcts = data["participants"][0]["percentiles"]
    assert all(p["percentile"] is None and "20 participants" in p["reason"] for p in pcts)
    # clearing the earlier campaign keeps the norm group
    out = run("campaign", "baseline", "Cohort B", "--no-previous", "--db", db, "--json")[1]
    assert json.loads(out)["previous"] is None and json.loads(out)["norms"] == "Both cohorts"
    # another instrument or the campaign itself is refused
    code, _, err = run("campaign", "baseline", "Cohort B", "--previous", "Cohort B", "--db", db)
    assert code == 1 and "compare with another campaign" in err
    # deleting the norm group clears it from the baseline
    assert run("norms", "delete", "Both cohorts", "--db", db, "--yes")[0] == 0
    out = run("campaign", "baseline", "Cohort B", "--db", db, "--json")[1]
    assert json.loads(out)["norms"] is None


def test_report_files_carry_the_baseline(
    history_db: tuple[str, CampaignData, CampaignData], tmp_path: Path
) -> None:
    db = history_db[0]
    assert run("norms", "define", "Both cohorts", "--db", db)[0] == 0
    code, _, err = run(
        "campaign",
        "baseline",
        "Cohort B",
        "--previous",
        "Cohort A",
        "--norms",
        "Both cohorts",
        "--db",
        db,
    )
    assert code == 0, err
    out = tmp_path / "reports"
    code, _, err = run("report", "Cohort B", "--out", str(out), "--db", db)
    assert code == 0, err
    page = next(
        p for p in sorted(out.glob("*.html")) if p.name not in ("index.html", "cohort.html")
    )
    html = page.read_text(encoding="utf-8")
    assert "Against the norm" in html and "Both cohorts" in html
    assert "Since last time" in html  # the same people, a second wave
    assert "change since Cohort A" in (out / "cohort.html").read_text(encoding="utf-8")
