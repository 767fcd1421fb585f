"""Chart geometry of the reports' SVGs: labels fit inside the drawing, long names are cut
with an ellipsis and keep the full name as a tooltip."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from bifocals.framework.model import Side
from bifocals.reports.cohort_charts import MAX_LABEL_SHARE, heat_map
from bifocals.reports.svg import fit_text, text_width

NS = "{http://www.w3.org/2000/svg}"
COLUMNS: list[tuple[str, Side]] = [
    ("Sets direction", "leadership"),
    ("Decides under uncertainty", "leadership"),
    ("Plans and budgets", "management"),
    ("Uses position and authority", "management"),
]
ROTATE = re.compile(r"rotate\(-60 ([\d.]+) ([\d.]+)\)")


def _rows(*names: str) -> list[tuple[str, list[float | None]]]:
    return [(n, [3.0, None, 4.2, 1.5]) for n in names]


def _row_labels(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [t for t in root.iter(f"{NS}text") if t.get("text-anchor") == "end"]


def _shown(t: ET.Element) -> str:
    title = t.find(f"{NS}title")
    return (title.tail if title is not None else t.text) or ""


def test_text_width_grows_with_text_and_size() -> None:
    assert text_width("", 10) == 0
    assert text_width("iiii", 10) < text_width("MMMM", 10)
    assert text_width("Amara Okafor", 19) == pytest.approx(2 * text_width("Amara Okafor", 9.5))
    # Letters outside ASCII count too, East Asian ones as a full em.
    assert text_width("Zoë", 10) > text_width("Zo", 10)
    assert text_width("山田", 10) >= 20


def test_fit_text_cuts_with_an_ellipsis_only_when_needed() -> None:
    assert fit_text("Kim", 9.5, 100) == "Kim"
    cut = fit_text("Ines Duarte (Transformation Lead, no reports)", 9.5, 80)
    assert cut.endswith("…") and cut.startswith("Ines") and text_width(cut, 9.5) <= 80


def test_heat_map_names_fit_left_of_the_grid() -> None:
    names = (
        "Amara Okafor (VP Engineering)",
        "Lukas Brandt (Head of Finance Operations)",
        "Ines Duarte (Transformation Lead (no reports))",
        "Yi",
    )
    svg = heat_map(COLUMNS, _rows(*names), (1, 5), "Heat")
    labels = _row_labels(svg)
    assert [_shown(t) for t in labels] == list(names)  # nothing cut
    for t in labels:
        right = float(t.get("x", "0"))
        assert right - text_width(_shown(t), 9.5) >= 0  # starts inside the drawing
    # The grid begins right after the names: no wide empty band on either side.
    cells = [r for r in ET.fromstring(svg).iter(f"{NS}rect") if r.get("height") == "16.0"]
    grid_left = min(float(r.get("x", "0")) for r in cells)
    assert grid_left < max(text_width(n, 9.5) for n in names) + 30


def test_heat_map_column_labels_end_inside_the_drawing() -> None:
    width = 680
    svg = heat_map(COLUMNS, _rows("A"), (1, 5), "Heat", width=width)
    root = ET.fromstring(svg)
    turned = [t for t in root.iter(f"{NS}text") if "rotate" in t.get("transform", "")]
    assert len(turned) == len(COLUMNS)
    for t in turned:
        found = ROTATE.search(t.get("transform", ""))
        assert found is not None
        x, y = float(found.group(1)), float(found.group(2))
        w = text_width(t.text or "", 9.5)
        assert x + w * 0.5 <= width  # cos 60
        assert y - w * 0.87 >= 0  # sin 60


def test_heat_map_cuts_very_long_names_and_keeps_them_as_tooltips() -> None:
    long = "Maximilian Alexander von Hohenberg-Liechtenstein (Senior Vice President, Global Ops)"
    svg = heat_map(COLUMNS, _rows(long, "Kim"), (1, 5), "Heat")
    labels = _row_labels(svg)
    first = labels[0]
    title = first.find(f"{NS}title")
    assert title is not None and title.text == long
    shown = _shown(first)
    assert shown.endswith("…") and long.startswith(shown[:-1].rstrip())
    assert float(first.get("x", "0")) - text_width(shown, 9.5) >= 0
    # The names never take more than their share, so the grid keeps its room.
    assert float(first.get("x", "0")) <= 680 * MAX_LABEL_SHARE
    assert _shown(labels[1]) == "Kim" and labels[1].find(f"{NS}title") is None
    # The full name stays in the chart's description for screen readers.
    assert long in svg.split("<desc>", 1)[1].split("</desc>", 1)[0]


def test_heat_map_escapes_names() -> None:
    evil = '<script>alert("x")</script> & co, a name long enough to be cut by the chart'
    svg = heat_map(COLUMNS, _rows(evil), (1, 5), "Heat")
    ET.fromstring(svg)  # well-formed
    assert "<script>" not in svg
