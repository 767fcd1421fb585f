"""The analyzer loads offline, predicts stably, and profiles documents."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from bifocals.text import Analyzer, Classification
from bifocals.text.embed import MODEL_SHA256, TOKENIZER_SHA256, model_files, sha256_file
from bifocals.text.model import load_model

FIXED = [
    ("Five years from now our customers will buy differently, and we must be ready.", "leadership"),
    ("She tracks the budget every month and flags any overspend.", "management"),
    ("He gives us room to decide how to do our work and coaches us.", "leadership"),
    ("Each release must pass the regression checklist before go-live.", "management"),
    ("The canteen is closed on Friday for cleaning.", "neither"),
    ("The cable is two metres long and comes in grey.", "neither"),
]


@pytest.fixture(scope="module")
def accurate() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def fast() -> Analyzer:
    return Analyzer(fast=True)


def test_model_files_are_the_pinned_ones() -> None:
    files = model_files()
    assert sha256_file(files.model) == MODEL_SHA256
    assert sha256_file(files.tokenizer) == TOKENIZER_SHA256
    assert load_model().meta["model_sha256"] == MODEL_SHA256


def test_loads_and_runs_with_network_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("network disabled in this test")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from bifocals.text import embed

    embed.model_files.cache_clear()
    embed.load_tokenizer.cache_clear()
    res = Analyzer().classify(["Explain why the change matters before the how."])
    assert res[0].function in ("leadership", "management", "neither")


def test_fixed_set_is_stable(accurate: Analyzer, fast: Analyzer) -> None:
    texts = [t for t, _ in FIXED]
    got = accurate.classify(texts)
    assert [c.function for c in got] == [f for _, f in FIXED]
    again = accurate.classify(list(reversed(texts)))[::-1]
    assert [c.confidence for c in again] == pytest.approx([c.confidence for c in got], abs=1e-6)
    fast_got = fast.classify(texts)
    assert sum(c.function == f for c, (_, f) in zip(fast_got, FIXED, strict=True)) >= 5


def test_classification_shape(accurate: Analyzer, fast: Analyzer) -> None:
    for an in (accurate, fast):
        res = an.classify(
            [
                "Set up a rollback plan for every release.",
                "Le chat est sur la table avec les enfants.",
            ]
        )
        assert len(res) == 2 and all(isinstance(c, Classification) for c in res)
        first, second = res
        assert 0.0 < first.confidence <= 1.0
        if first.function == "neither":
            assert first.dimension is None
        else:
            assert first.dimension is not None and first.evidence
        assert second.skipped is not None and second.skipped.startswith("not English")
        assert second.confidence == 0.0 and second.dimension is None


def test_profile_counts_shares(accurate: Analyzer) -> None:
    texts = [t for t, _ in FIXED]
    res = accurate.classify(texts)
    prof = accurate.profile(res, "sample")
    assert prof.subject == "sample" and prof.source == "text:accurate:share"
    total_n = sum(st.n for st in prof.scores.values())
    assert total_n == sum(1 for c in res if c.function != "neither")
    for st in prof.scores.values():
        assert 0.0 <= st.mean <= 1.0
        assert st.ci_low is not None and st.ci_high is not None
        assert st.ci_low <= st.mean <= st.ci_high
    assert prof.to_dict()["dimensions"].keys() == set(accurate.model.dimension.classes)


def test_empty_input_and_long_unit(accurate: Analyzer) -> None:
    assert accurate.classify([]) == []
    res = accurate.classify(["", "budget " * 200_000])
    assert res[0].skipped == "empty"
    assert res[1].truncated and len(res[1].text) <= 2000


def test_neither_evidence_says_nothing_was_close(accurate: Analyzer) -> None:
    (c,) = accurate.classify(["The canteen on the third floor opens at noon on weekdays."])
    assert c.function == "neither" and c.dimension is None
    assert c.evidence.startswith("no framework behaviour close; nearest: ")


def test_long_units_are_embedded_in_smaller_batches() -> None:
    import numpy as np

    from bifocals.text.embed import TOKEN_BUDGET, _batches

    lengths = np.array([10] * 100 + [256] * 20 + [40] * 30, dtype=np.int64)
    order = np.argsort(lengths, kind="stable")
    batches = list(_batches(order, lengths, 64))
    assert sorted(int(i) for b in batches for i in b) == list(range(150))  # each unit once
    for b in batches:
        assert len(b) <= 64 and len(b) * int(lengths[b].max()) <= max(TOKEN_BUDGET, 256)
    assert len(batches[0]) == 64  # short sentences still go 64 at a time
    assert [len(b) for b in batches[-3:]] == [8, 8, 4]  # 256 tokens: 8 at a time
