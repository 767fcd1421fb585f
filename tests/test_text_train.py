"""`bifocals text train` is reproducible: retraining gives the shipped head within 1e-6."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.text.model import default_head_path


@pytest.mark.slow
def test_retrain_matches_shipped_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain `bifocals text train` writes ./head.npz and leaves the shipped head alone; the
    new head equals the shipped one, so `--replace-shipped` rebuilds it reproducibly."""
    monkeypatch.chdir(tmp_path)
    shipped_mtime = default_head_path().stat().st_mtime_ns
    res = CliRunner().invoke(app, ["text", "train", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["head"] == "head.npz"
    assert default_head_path().stat().st_mtime_ns == shipped_mtime
    out = tmp_path / "head.npz"
    with np.load(default_head_path()) as shipped, np.load(out) as fresh:
        assert sorted(shipped.files) == sorted(fresh.files)
        for key in shipped.files:
            if shipped[key].dtype.kind in "fc":
                np.testing.assert_allclose(fresh[key], shipped[key], atol=1e-6, err_msg=key)
            else:
                assert str(fresh[key]) == str(shipped[key]), key


def test_blend_weight_is_chosen_on_out_of_fold_scores() -> None:
    from bifocals.text.heads import Blend, fit_blend
    from bifocals.text.metrics import macro_f1

    rng = np.random.default_rng(7)
    y = rng.integers(0, 3, size=300)
    good = np.eye(3, dtype=np.float32)[y] * 2.0 + rng.normal(0, 1, (300, 3)).astype(np.float32)
    noise = rng.normal(0, 1, (300, 3)).astype(np.float32)
    blend, pred = fit_blend(good, noise, y, lambda p: macro_f1(y, p, 3))
    assert blend.weight == 1.0 and blend.temperature > 0
    assert (pred == good.argmax(axis=1)).all()
    blend, _ = fit_blend(noise, good, y, lambda p: macro_f1(y, p, 3))
    assert blend.weight < 0.5
    # weight 1.0 is the linear head alone; probabilities sum to one
    p = Blend(1.0, 1.0).proba(good, noise)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert (p.argmax(axis=1) == good.argmax(axis=1)).all()


def test_head_without_blend_loads_as_embedding_head_alone(tmp_path: Path) -> None:
    from bifocals.text.model import load_model

    old = tmp_path / "old.npz"
    with np.load(default_head_path()) as z:
        arrays = {k: z[k] for k in z.files if not k.endswith("_blend")}
    np.savez_compressed(old, **arrays)
    model = load_model(old)
    assert model.function_blend.weight == 1.0
    assert model.function_blend.temperature == model.function.temperature
    assert model.dimension_blend.weight == 1.0


def test_calibration_error_by_hand() -> None:
    import numpy as np

    from bifocals.text.metrics import calibration_error

    # Bin 0.9: confidences 0.95 and 0.95, one right: |1 - 1.9| = 0.9.
    # Bin 0.6: confidence 0.6, right: |1 - 0.6| = 0.4. Total 1.3 over 3 predictions.
    conf = np.array([0.95, 0.95, 0.6])
    right = np.array([True, False, True])
    assert abs(calibration_error(conf, right) - 1.3 / 3) < 1e-12
    assert calibration_error(np.array([1.0, 1.0]), np.array([True, True])) == 0.0
    assert calibration_error(np.zeros(0), np.zeros(0, dtype=bool)) == 0.0
