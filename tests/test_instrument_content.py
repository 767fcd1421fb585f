"""The bifocals open 360 itself: coverage, ids, reverse keys, wording rules, open questions."""

from __future__ import annotations

import re
from collections import Counter

from bifocals.framework import SIDES, default_framework
from bifocals.instruments import DEFAULT_INSTRUMENT, get_instrument

ID_RE = re.compile(r"^([A-Z]{2})-([LM])([1-9])$")


def test_identity_and_licence() -> None:
    inst = get_instrument()
    assert inst.id == DEFAULT_INSTRUMENT == "bifocals_open_360"
    assert inst.version == "1.0"
    assert inst.license == "CC BY 4.0"
    assert inst.framework_id == default_framework().id
    assert inst.instructions and inst.description


def test_scale_is_five_point_frequency_plus_not_observed() -> None:
    scale = get_instrument().scale
    assert (scale.min, scale.max, scale.points) == (1, 5, 5)
    assert scale.labels[0] == "Never" and scale.labels[-1] == "Almost always"
    assert scale.not_observed_label == "Not observed"
    assert [scale.keyed(v, reverse=True) for v in range(1, 6)] == [5, 4, 3, 2, 1]
    assert scale.keyed(4, reverse=False) == 4


def test_every_dimension_and_side_has_four_items() -> None:
    inst = get_instrument()
    fw = default_framework()
    assert len(inst.items) == 56
    for d in fw.dimension_ids:
        for s in SIDES:
            assert len(inst.items_for(d, s)) == 4, (d, s)


def test_ids_unique_and_encode_dimension_and_side() -> None:
    inst = get_instrument()
    ids = [*inst.item_ids, *inst.question_ids]
    assert len(ids) == len(set(ids))
    code_of: dict[str, set[str]] = {}
    for it in inst.items:
        m = ID_RE.match(it.id)
        assert m, it.id
        assert m.group(2) == it.side[0].upper(), it.id
        code_of.setdefault(it.dimension, set()).add(m.group(1))
    # One code per dimension, and no two dimensions share a code.
    assert all(len(codes) == 1 for codes in code_of.values())
    assert len({c for codes in code_of.values() for c in codes}) == len(code_of)


def test_reverse_keyed_items_on_every_dimension_and_side() -> None:
    inst = get_instrument()
    per_scale = Counter((i.dimension, i.side) for i in inst.items if i.reverse)
    for d in default_framework().dimension_ids:
        for s in SIDES:
            assert per_scale[(d, s)] >= 1, (d, s)
    # A minority of items: most still read in the positive direction.
    assert sum(per_scale.values()) <= len(inst.items) // 3


def test_items_are_short_single_behaviours() -> None:
    inst = get_instrument()
    texts = [i.text for i in inst.items]
    assert len(set(texts)) == len(texts)
    for t in texts:
        assert len(t) <= 75, t  # readable at a phone width: two short lines at most
        assert t[0].isupper() and t.endswith("."), t
        assert " and " not in t and "/" not in t, f"possibly double-barrelled: {t}"
        assert "?" not in t and "!" not in t, t


def test_open_questions_keep_start_less_ask_about_both_sides() -> None:
    inst = get_instrument()
    assert inst.question_ids == ("Q1", "Q2", "Q3")
    q1, q2, q3 = (q.text.lower() for q in inst.open_questions)
    assert "keep" in q1 and "start" in q2 and "less" in q3
    for q in (q1, q2, q3):
        assert "lead" in q and "manag" in q, q
