"""Cronbach's alpha against pingouin, omega against exact one-factor structures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin
import pytest

from bifocals.scoring import cronbach_alpha, omega_from_cov, omega_total, score_campaign
from bifocals.scoring.reliability import one_factor_minres
from support.scoring import FRAMEWORK, SCALES, Builder, small_instrument


def _one_factor_data(n: int, loadings: list[float], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lam = np.array(loadings)
    f = rng.normal(size=(n, 1))
    e = rng.normal(size=(n, len(lam))) * np.sqrt(1 - lam**2)
    return np.clip(np.rint(3 + 1.1 * (f * lam + e)), 1, 5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_alpha_matches_pingouin(seed: int) -> None:
    x = _one_factor_data(300, [0.8, 0.7, 0.6, 0.5, 0.4], seed)
    expected, _ = pingouin.cronbach_alpha(data=pd.DataFrame(x))
    got = cronbach_alpha(x)
    assert got is not None and abs(got - float(expected)) < 1e-9


def test_alpha_by_hand() -> None:
    # items (1,2,3), (2,2,4): var 1, 4/3; total (3,4,7) var 13/3 -> 2 * (1 - (7/3)/(13/3))
    x = np.array([[1.0, 2.0], [2.0, 2.0], [3.0, 4.0]])
    assert cronbach_alpha(x) == pytest.approx(2 * (1 - 7 / 13), abs=1e-12)


def test_alpha_and_omega_undefined() -> None:
    assert cronbach_alpha(np.ones((5, 1))) is None  # one item
    assert cronbach_alpha(np.ones((1, 3))) is None  # one case
    assert cronbach_alpha(np.full((4, 3), 2.0)) is None  # no variance
    assert omega_total(np.full((4, 3), 2.0)) is None
    assert omega_total(np.array([[1.0, 2.0], [2.0, 3.0]])) is None  # two cases


def test_minres_recovers_exact_one_factor_loadings() -> None:
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    corr = np.outer(lam, lam)
    np.fill_diagonal(corr, 1.0)
    fit = one_factor_minres(corr)
    assert fit.converged
    np.testing.assert_allclose(fit.loadings, lam, atol=1e-6)


def test_omega_exact_on_raw_scale() -> None:
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    sd = np.array([1.0, 1.5, 0.8, 1.2])
    corr = np.outer(lam, lam)
    np.fill_diagonal(corr, 1.0)
    cov = corr * np.outer(sd, sd)
    common = float(np.sum(lam * sd)) ** 2
    expected = common / (common + float(np.sum((1 - lam**2) * sd**2)))
    got = omega_from_cov(cov)
    assert got is not None and got == pytest.approx(expected, abs=1e-6)


def test_omega_equals_alpha_for_parallel_items() -> None:
    # Equal loadings and equal variances: omega = alpha (tau-equivalence).
    k, r = 5, 0.4
    cov = np.full((k, k), r)
    np.fill_diagonal(cov, 1.0)
    alpha = k / (k - 1) * (1 - k / cov.sum())
    assert omega_from_cov(cov) == pytest.approx(alpha, abs=1e-8)


def test_campaign_reliability_matches_pingouin_on_reverse_keyed_matrix() -> None:
    rng = np.random.default_rng(5)
    b = Builder()
    for p in range(30):
        pi = b.participant(f"P{p}")
        for g in ("self", "manager", "peer", "peer", "peer"):
            row = rng.integers(1, 6, 6).astype(float)
            if rng.random() < 0.2:
                row[rng.integers(0, 6)] = math.nan
            b.rater(pi, g, list(row))
    data = b.data()
    scores = score_campaign(data, small_instrument(), FRAMEWORK)
    rel = scores.reliability[0]  # d1 leadership: i1 and reversed i2
    assert (rel.dimension, rel.side) == SCALES[0] and rel.n_items == 2
    x = data.ratings[:, :2].copy()
    x[:, 1] = 6 - x[:, 1]
    x = x[~np.isnan(x).any(axis=1)]
    assert rel.n_cases == len(x)
    expected, _ = pingouin.cronbach_alpha(data=pd.DataFrame(x))
    assert rel.alpha is not None and abs(rel.alpha - float(expected)) < 1e-9
    single = scores.reliability[2]  # one item: no alpha, no omega
    assert single.n_items == 1 and single.alpha is None and single.omega is None


@pytest.mark.parametrize(("cases", "shown"), [(9, False), (10, True)])
def test_campaign_reliability_needs_ten_complete_cases(cases: int, shown: bool) -> None:
    rng = np.random.default_rng(cases)
    b = Builder()
    for p in range(cases):
        b.rater(b.participant(f"P{p}"), "self", list(rng.integers(1, 6, 6).astype(float)))
    rel = score_campaign(b.data(), small_instrument(), FRAMEWORK).reliability[0]
    assert rel.n_cases == cases
    assert (rel.alpha is not None) == shown and (rel.omega is not None) == shown
