"""The fast JSON path (straight from arrays) gives exactly what the object path gives."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bifocals.scoring import CampaignData, score_campaign
from bifocals.scoring.export import round_like_python
from support.scoring import FRAMEWORK, campaigns, small_instrument

INSTRUMENT = small_instrument()


@settings(max_examples=100, deadline=None)
@given(campaigns())
def test_fast_dicts_equal_object_dicts(data: CampaignData) -> None:
    scores = score_campaign(data, INSTRUMENT, FRAMEWORK)
    fast = scores.to_dict()["participants"]
    slow = [p.to_dict() for p in scores.participants]
    assert fast == slow
    # Same key order too, so the JSON text is identical.
    assert [list(p["scores"]) for p in fast] == [list(p["scores"]) for p in slow]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50),
    st.integers(0, 6),
)
def test_round_like_python_is_bit_exact(values: list[float], digits: int) -> None:
    got = round_like_python(np.array(values), digits).tolist()
    assert got == [round(v, digits) for v in values]


def test_round_like_python_on_halves_and_nan() -> None:
    halves = [k / 32 for k in range(-200, 200)] + [2.675, 0.00015, 1.00005, 3.14155]
    got = round_like_python(np.array(halves), 4).tolist()
    assert got == [round(v, 4) for v in halves]
    assert math.isnan(round_like_python(np.array([math.nan]), 4)[0])


@settings(max_examples=30, deadline=None)
@given(campaigns())
def test_to_dict_is_plain_json(data: CampaignData) -> None:
    import json

    out = score_campaign(data, INSTRUMENT, FRAMEWORK).to_dict()
    assert json.loads(json.dumps(out, allow_nan=False)) == out
