"""Theme proposals for `themes: auto` tasks: math on known vectors, and the real analyzer."""

from __future__ import annotations

import numpy as np
import pytest

from bifocals.change import build_report
from bifocals.change.loader import demo_initiative_text, load_initiative_text
from bifocals.change.proposals import analyzer_embedder, propose_from_embeddings, with_proposals


def test_nearest_theme_is_proposed_with_its_confidence() -> None:
    themes = np.eye(3)
    tasks = np.array([[0.9, 0.1, 0.0], [0.0, 0.5, 0.5], [0.0, 0.0, 0.0]])
    props = propose_from_embeddings(["a", "b", "z"], tasks, ["x", "y", "w"], themes)
    by_task: dict[str, list[tuple[str, float]]] = {}
    for p in props:
        assert not p.confirmed and 0 < p.confidence <= 1
        by_task.setdefault(p.task, []).append((p.theme, p.confidence))
    assert by_task["a"][0][0] == "x" and by_task["a"][0][1] > 0.99
    # A tie between two themes proposes both, each with about half the confidence.
    assert {t for t, _ in by_task["b"]} == {"y", "w"}
    assert all(c == pytest.approx(0.5, abs=0.01) for _, c in by_task["b"])
    assert propose_from_embeddings([], tasks[:0], ["x"], themes[:1]) == ()


def test_demo_auto_tasks_with_the_real_analyzer() -> None:
    embed = analyzer_embedder()
    ini, _ = load_initiative_text(demo_initiative_text(), "demo")
    tagged = with_proposals(ini, embed)
    auto = {t.id for t in ini.tasks if t.auto}
    assert {p.task for p in tagged.proposals} == auto
    theme_ids = {t.id for t in ini.themes}
    assert all(p.theme in theme_ids and not p.confirmed for p in tagged.proposals)
    codes = {f.code for f in build_report(tagged).findings}
    assert "themes_unconfirmed" in codes and "themes_auto_pending" not in codes
