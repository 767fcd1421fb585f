"""The baseline issue 2 names for every benchmark: pingouin's Cronbach's alpha on the same data.

`pingouin_alphas` computes alpha per scale (dimension x side) on reverse-keyed complete cases of
all raters; `pingouin_seconds` times it once, for the side-by-side ratio each benchmark prints.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pingouin

from bifocals.framework import default_framework
from bifocals.instruments import get_instrument
from bifocals.scoring import CampaignData


def pingouin_alphas(data: CampaignData) -> list[float]:
    """pingouin's alpha per scale on reverse-keyed complete cases, all raters."""
    inst = get_instrument()
    x = data.ratings.copy()
    rev = np.array([i.reverse for i in inst.items])
    x[:, rev] = inst.scale.min + inst.scale.max - x[:, rev]
    out = []
    for d in default_framework().dimension_ids:
        for side in ("leadership", "management"):
            cols = [k for k, i in enumerate(inst.items) if i.dimension == d and i.side == side]
            block = x[:, cols]
            block = block[~np.isnan(block).any(axis=1)]
            out.append(float(pingouin.cronbach_alpha(data=pd.DataFrame(block))[0]))
    return out


def pingouin_seconds(data: CampaignData) -> float:
    """Wall seconds of one `pingouin_alphas` pass over the data."""
    t0 = time.perf_counter()
    pingouin_alphas(data)
    return time.perf_counter() - t0


def version() -> str:
    """pingouin's version, for the benchmark's header line."""
    return str(pingouin.__version__)
