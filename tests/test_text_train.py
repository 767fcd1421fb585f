"""`bifocals text train` is reproducible: retraining gives the shipped head within 1e-6."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.text.model import default_head_path


@pytest.mark.slow
def test_retrain_matches_shipped_head(tmp_path: Path) -> None:
    out = tmp_path / "head.npz"
    res = CliRunner().invoke(app, ["text", "train", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    with np.load(default_head_path()) as shipped, np.load(out) as fresh:
        assert sorted(shipped.files) == sorted(fresh.files)
        for key in shipped.files:
            if shipped[key].dtype.kind in "fc":
                np.testing.assert_allclose(fresh[key], shipped[key], atol=1e-6, err_msg=key)
            else:
                assert str(fresh[key]) == str(shipped[key]), key
